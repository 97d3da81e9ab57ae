# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Going further
#
# [Open in Colab](https://colab.research.google.com/github/fkp-book/facial-keypoints-book/blob/main/notebooks/06_going_further.ipynb)
# | [Download the notebook](https://github.com/fkp-book/facial-keypoints-book/raw/main/notebooks/06_going_further.ipynb)
#
# Article A stops at its CNN; article B's tutorial goes on with data augmentation, learning-rate
# schedules and specialist networks. This chapter takes the ideas that pay most on this data:
# mirrored faces, a loss that learns from every row instead of the complete third, a learning-rate
# schedule, and a network built for keypoints. Then it measures what they are worth, side by side
# with the networks of chapters 3 and 4, and sketches what lies beyond.

# %% [markdown]
# ## Overview
#
# 1. Flip faces horizontally, moving every keypoint and swapping left and right ones.
# 2. Train on every row with a loss that skips missing keypoints.
# 3. Schedule the learning rate: warm-up, then cosine decay.
# 4. Build the book's stronger CNN, measure its speed, and train it on every row with flips.
# 5. Compare the MLP, article A's CNN and the stronger CNN on the same faces and on the test set.
# 6. Look beyond: specialists, ensembles, pre-training.

# %% [markdown]
# ## Prerequisites
#
# | Concepts | Importance | Notes |
# | --- | --- | --- |
# | [Loading the data](02_loading_the_data.ipynb) | Necessary | the two sources; "left" is the subject's left |
# | [The 3-layer CNN](04_cnn.ipynb) | Necessary | `TrainConfig`, `trained_run`, training curves |
# | [The MLP baseline](03_mlp_baseline.ipynb) | Helpful | article B's net1, the weakest of the three |
# | [Predictions](05_predictions.ipynb) | Helpful | errors per keypoint, submissions |
# | Gradients with `tf.GradientTape` | Helpful | chapter 1 |
#
# **Time to learn**: 35 minutes

# %% [markdown]
# ## Setup

# %%
# On Colab, install this book's helpers next to Colab's own TensorFlow (nothing is reinstalled).
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "fkp-helpers @ git+https://github.com/fkp-book/facial-keypoints-book"], check=True)

# %%
import fkp_helpers.tensorflow_setup  # noqa: F401  loads TensorFlow once (quietly: no start-up notices)

import math
import shutil
import tempfile
import time
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tensorflow as tf
from IPython.display import Markdown, display

from fkp_helpers import find_data, load_lookup, load_test, load_training, quick_mode
from fkp_helpers.devices import detect_plan
from fkp_helpers.error_plots import plot_error_per_keypoint, plot_keypoint_sides
from fkp_helpers.keypoints import IMAGE_SIZE, keypoint_index
from fkp_helpers.losses import masked_mean_squared_error
from fkp_helpers.metrics import rmse_px
from fkp_helpers.models import build_model, cnn_learning_rate, get_spec
from fkp_helpers.reports import nested_markdown
from fkp_helpers.run_cache import run_metrics, trained_run
from fkp_helpers.submission import score_submission, write_submission
from fkp_helpers.tf_data import flip_horizontally, make_dataset
from fkp_helpers.training import HISTORY_FILE, TrainConfig, compile_model, split_rows

keras.utils.set_random_seed(0)  # seeds Python, NumPy and TensorFlow at once

# %%
QUICK = quick_mode()  # FKP_QUICK=1: short training runs on fewer rows, for the test suite
FLIP_ROW = 0  # the training row mirrored in the illustration
VALID_ROWS = 100  # every model is validated on the first 100 complete rows, as in article A
NUM_ROWS = 300 if QUICK else None  # rows of training.csv given to training (None: all), as in chapter 4
MLP_EPOCHS = 20 if QUICK else 200  # article B's net1, as compared in chapter 4
SEED_CNN_EPOCHS = 2 if QUICK else 20  # chapter 4's run of article A's network (loaded from the cache)
PATIENCE = 10  # article A's early stopping
CNN_EPOCHS = 1 if QUICK else 15  # the stronger CNN: 15 to 60 s per epoch on 2 CPU cores
TIMING_BATCHES = 8  # batches of 64 timed to measure training speed
SCHEDULE_EPOCHS = 40  # epochs of the schedule drawn (the stronger CNN's default)

# %% [markdown]
# Every number on this page that depends on trained weights comes from the stand-in when the book is
# built here — the next line says which data the page ran on.

# %%
source = find_data(download=True)
X, y = load_training(source.training_csv)
complete = ~np.isnan(y).any(axis=1)
print(f"{len(X)} training rows, {complete.sum()} of them complete")

# %% [markdown]
# ## Flip faces horizontally
#
# A face mirrored left to right is still a face, so every training image can be used twice: as it
# is, and mirrored. Its keypoints must move with it — and the pixel grid decides how. The pixel in
# column `i` has `x = i`, columns run from 0 to 95, and mirroring sends column `i` to column
# `95 − i`. So every x becomes `95 − x` (not `96 − x`: that slips one pixel on every flipped face).
#
# Moving is not enough. The subject's left eye, on the image's right, lands on the image's left —
# where the *right* eye belongs. So a flip also renames: every left keypoint trades places with its
# right partner (`fkp_helpers.keypoints.FLIP_PAIRS`), while the nose tip and the lip centres stay.
# `flip_horizontally` in `fkp_helpers.tf_data` does both, on batches, inside the training
# pipeline. The figure colours each keypoint by the side its *name* says.

# %%
images, keypoints = X[FLIP_ROW : FLIP_ROW + 1], y[FLIP_ROW : FLIP_ROW + 1]
flipped_images, flipped_keypoints = (t.numpy() for t in flip_horizontally(images, keypoints))
moved_only = keypoints.copy()
moved_only[:, 0::2] = (IMAGE_SIZE - 1) - moved_only[:, 0::2]  # x -> 95 - x, names left as they were
titles = ["original", "flipped, pairs swapped", "flipped, not swapped (wrong)"]
plot_keypoint_sides(
    np.concatenate([images, flipped_images, flipped_images]),
    np.concatenate([keypoints, flipped_keypoints, moved_only]),
    titles=titles,
)
plt.show()

# %% [markdown]
# Both mirrored faces have their dots in the same places; only the names differ. Without the swap
# the network would learn that the left eye is sometimes on the image's right and sometimes on its
# left, and would settle in between. The numbers for the eye centres:

# %%
left, right = keypoint_index("left_eye_center"), keypoint_index("right_eye_center")
for name, k in [("left_eye_center", left), ("right_eye_center", right)]:
    before = keypoints[0, 2 * k : 2 * k + 2]
    after = flipped_keypoints[0, 2 * k : 2 * k + 2]
    print(f"{name:17s} ({before[0]:5.2f}, {before[1]:5.2f}) -> ({after[0]:5.2f}, {after[1]:5.2f})")
partner_x = keypoints[0, 2 * right]
print(f"new left eye x = 95 - old right eye x = 95 - {partner_x:.2f} = {95 - partner_x:.2f}")

# %% [markdown]
# ### Check that the keypoints still sit on the features
#
# A one-pixel slip is invisible in a figure. Test it instead: draw one bright pixel under every
# keypoint (rounded to whole pixels) on a black image, flip image and keypoints together, and
# check that each flipped keypoint lands on a bright pixel again. Then try `96 − x`.

# %%
points = np.round(keypoints)
marks = np.zeros_like(images)
marks[0, points[0, 1::2].astype(int), points[0, 0::2].astype(int), 0] = 1.0
flipped_marks, flipped_points = (t.numpy() for t in flip_horizontally(marks, points))
columns, rows = flipped_points[0, 0::2].astype(int), flipped_points[0, 1::2].astype(int)
print("every flipped keypoint on its bright pixel (95 - x):", bool(flipped_marks[0, rows, columns, 0].all()))
print("with 96 - x instead:", bool(flipped_marks[0, rows, np.minimum(columns + 1, IMAGE_SIZE - 1), 0].all()))

# %% [markdown]
# In training, `make_dataset(..., flip=True)` mirrors a random half of every batch, with a new
# choice every epoch. At prediction time a flip-trained network can also look twice: predict the
# face and its mirror image, mirror the second prediction back, and average
# (`TrainedRun.predict_px` does this for runs trained with flips).
#
# ## Train on every row
#
# The articles drop every row with a missing keypoint: 2140 of Kaggle's 7049 faces survive. The
# other 4909 rows still label the eye centres, the nose tip and the bottom lip — most of what the
# file knows about those four keypoints.

# %%
labelled = ~np.isnan(y)
print(f"labelled values in complete rows: {labelled[complete].sum():6d}")
print(f"labelled values in all rows:      {labelled.sum():6d} "
      f"({labelled.sum() / labelled[complete].sum():.1f} times as many)")

# %% [markdown]
# To learn from all of them, the loss must skip the missing values: the mean squared error over the
# *labelled* values of a batch only. Take a tiny batch of two rows — one complete, one from the
# four-keypoint source — and predict the average face for both. Keras's plain mean squared error
# meets a NaN and becomes NaN; the masked loss of `fkp_helpers.losses` does not.

# %%
four_row = np.flatnonzero(labelled.sum(axis=1) == 8)[0]
y_batch = y[[FLIP_ROW, four_row]]
y_guess = np.broadcast_to(np.nanmean(y, axis=0), y_batch.shape).astype(np.float32)
print("labelled values per row:", labelled[[FLIP_ROW, four_row]].sum(axis=1))
plain = keras.losses.MeanSquaredError()(y_batch, y_guess)
masked = masked_mean_squared_error(y_batch, y_guess)
print(f"plain MSE:  {float(plain)}")
print(f"masked MSE: {float(masked):.2f} px²")
by_hand = np.nanmean((y_guess - y_batch) ** 2)
print("same as the mean over the labelled values:", bool(np.isclose(float(masked), by_hand)))

# %% [markdown]
# Why not simply multiply the squared errors by a 0/1 mask? Because `NaN × 0` is still NaN. The
# masked loss first *replaces* the missing targets (with `tf.where`), and only then subtracts:

# %%
mask = tf.cast(~np.isnan(y_batch), tf.float32)
multiplied = tf.reduce_sum(mask * (y_guess - y_batch) ** 2) / tf.reduce_sum(mask)
print(f"multiplying by the mask: {float(multiplied)}")

# %% [markdown]
# What matters for training is the gradient. Run the tiny batch through the stronger network of
# this chapter (targets in its units) and ask `tf.GradientTape` for the gradient of both losses
# with respect to every weight:

# %%
spec = get_spec("cnn")
model = build_model("cnn")
targets = spec.scaling.to_model(y_batch)
loss_functions = {"plain MSE": keras.losses.MeanSquaredError(), "masked MSE": masked_mean_squared_error}
for name, loss_fn in loss_functions.items():
    with tf.GradientTape() as tape:
        loss = loss_fn(targets, model(X[[FLIP_ROW, four_row]], training=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    finite = all(bool(tf.reduce_all(tf.math.is_finite(g))) for g in gradients)
    print(f"{name:10s}: loss finite {bool(tf.math.is_finite(loss))}, every gradient finite {finite}")

# %% [markdown]
# One NaN label would turn every weight into NaN after the first step of plain MSE. With the masked
# loss, the four-keypoint rows teach their four keypoints and leave the others alone.
#
# ## Schedule the learning rate
#
# Articles A and B keep the learning rate constant (Adam 1e-3, SGD 0.01). Two common refinements:
#
# - **Reduce on plateau**: halve the rate when the validation error has not improved for a few
#   epochs. `TrainConfig(..., reduce_lr_patience=5)` adds Keras's `ReduceLROnPlateau` to a run
#   (`fkp train --reduce-lr-patience 5`); how often it acts depends on the run.
# - **A fixed schedule**: the stronger network warms up linearly to 2e-3 over the first epoch — large
#   steps from random weights can throw batch normalisation off — and then follows half a cosine
#   down to 1 % of that by the last step: big steps while far from a good solution, small ones to
#   settle into it. It depends only on the number of epochs, so a run is repeatable.
#
# `cnn_learning_rate(steps_per_epoch, epochs)` is that schedule, a Keras `LearningRateSchedule`:
# call it with a step number.

# %%
steps_per_epoch = math.ceil(len(X) * 0.9 / spec.batch_size)
schedule = cnn_learning_rate(steps_per_epoch, SCHEDULE_EPOCHS)
steps = np.linspace(0, steps_per_epoch * SCHEDULE_EPOCHS, 241).astype(int)
rates = [float(schedule(int(step))) for step in steps]
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.plot(steps / steps_per_epoch, rates, label="stronger CNN: warm-up, then cosine decay (AdamW)")
ax.axhline(1e-3, color="0.5", linestyle="--", label="article A: constant 1e-3 (Adam)")
ax.set_xlabel("epoch")
ax.set_ylabel("learning rate")
ax.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
ax.set_title(f"Learning-rate schedule over {SCHEDULE_EPOCHS} epochs ({steps_per_epoch} steps each)")
ax.legend()
plt.show()
print(f"peak {max(rates):.1e} after 1 epoch, final {rates[-1]:.1e}")

# %% [markdown]
# ## Build the stronger CNN
#
# The book's network, `cnn` in the model registry, differs from article A's in three ways:
#
# - **Batch normalisation** after every convolution keeps the activations in a steady range, so it
#   trains fast and with a larger learning rate.
# - **No huge dense layers.** Article A flattens an 11×11×128 map into 15 488 numbers and feeds
#   them to 500 units: 7.7 million weights in one layer, most of the network. Here the
#   convolutions shrink the image to a 12×12 grid and stop.
# - **Heatmaps instead of numbers.** A 1×1 convolution turns the 12×12 map into one *heatmap* per
#   keypoint; a softmax makes it a probability over the 144 cells, and the keypoint is the
#   probability-weighted mean of the cell centres (a *soft-argmax*). The network keeps the
#   convolutions' sense of *where*, instead of having a dense layer learn it from scratch.

# %%
print(f"parameters: article A's network {build_model('seed-cnn').count_params():,}, "
      f"the stronger CNN {model.count_params():,}")
model.summary(print_fn=lambda text, **kwargs: print(text), line_length=80)

# %% [markdown]
# ### Measure its speed
#
# Before a long run, measure. Compile the network as training does, run a couple of batches to let
# TensorFlow trace the training step, then time a few batches of 64 faces, flips included:

# %% tags=["nbval-ignore-output"]
timed = TIMING_BATCHES * spec.batch_size
speed_model = compile_model(spec, detect_plan(), steps_per_epoch=TIMING_BATCHES, epochs=1)
batches = make_dataset(X[:timed], y[:timed], batch_size=spec.batch_size,
                       scale_targets=spec.scaling.to_model, flip=True)
speed_model.fit(batches.take(2), shuffle=False, verbose=0)  # traces the training step
start = time.perf_counter()
speed_model.fit(batches, shuffle=False, verbose=0)  # the batches come in a fixed order
images_per_second = timed / (time.perf_counter() - start)
print(detect_plan().describe())
print(f"the stronger CNN trains at about {images_per_second:.0f} images/s")
print(f"one epoch over all {len(X)} rows: about {len(X) / images_per_second:.0f} s")

# %% [markdown]
# On the 2 CPU cores this page is built on (with bfloat16 instructions), that is under half a
# minute per epoch over all rows; a CPU that trains in float32 takes two to four times longer. The
# run below stops after 15 epochs: enough to see the difference, not to reach the network's best. A GPU trains it many
# times faster (`fkp_helpers.devices` picks it up, with mixed precision); the benchmark below
# trains it for 40 epochs.
#
# ## Train the three networks
#
# For a fair comparison, every network is checked on the same faces, never trained on: the first
# 100 complete rows, article A's validation set. The MLP and article A's CNN train on the other
# complete rows. The stronger CNN trains on every other row — complete or not — with the masked
# loss and flips; it holds out the first rows of the file up to the 100th complete one, which
# contain those same 100 faces.

# %%
holdout = int(np.flatnonzero(complete)[VALID_ROWS - 1]) + 1
print(f"the first {VALID_ROWS} complete rows lie within the first {holdout} rows")
configs = {
    "MLP": TrainConfig("mlp", complete_only=True, valid_rows=VALID_ROWS, epochs=MLP_EPOCHS),
    "article A's CNN": TrainConfig("seed-cnn", complete_only=True, valid_rows=VALID_ROWS,
                                   epochs=SEED_CNN_EPOCHS, patience=PATIENCE),
    "stronger CNN": TrainConfig("cnn", valid_rows=holdout, epochs=CNN_EPOCHS),
}

# %% [markdown]
# `trained_run` trains each configuration once and loads it afterwards; article A's CNN comes from
# chapter 4's run. The stronger CNN takes a few minutes on a CPU.

# %% tags=["nbval-ignore-output"]
runs = {name: trained_run(X[:NUM_ROWS], y[:NUM_ROWS], config) for name, config in configs.items()}
for name, run in runs.items():
    m = run_metrics(run)
    print(f"{name:16s} {m['train_rows']:5d} training rows, {m['epochs_run']:3d} epochs, "
          f"{m['train_seconds']:5.0f} s, {m['images_per_second']:5.0f} images/s")

# %% [markdown]
# The validation error after every epoch, from each run's `history.csv`:

# %%
fig, ax = plt.subplots(figsize=(8, 4))
for name, run in runs.items():
    history = pd.read_csv(run.run_dir / HISTORY_FILE)
    ax.plot(history["epoch"] + 1, history["val_rmse_px"], marker="o", markersize=3, label=name)
ax.set_xscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("validation RMSE (pixels)")
ax.set_ylim(0, 10)
ax.set_title("Validation error while training")
ax.grid(True, which="both", alpha=0.3)
ax.legend()
plt.show()

# %% [markdown]
# ## Compare the results
#
# Predict the 100 validation faces with each network and score them; then predict the test set,
# write a submission for each, and score it like Kaggle — where the true values are known, as on
# the stand-in. The average face of chapter 5 is the baseline.

# %%
valid_rows = split_rows(y, configs["MLP"].resolved())[1]
X_valid, y_valid = X[valid_rows], y[valid_rows]
image_ids, X_test = load_test(source.test_csv)
lookup = load_lookup(source.lookup_csv, image_ids=image_ids)
mean_face = np.nanmean(y[holdout:], axis=0)
baseline = {
    "valid": np.broadcast_to(mean_face, y_valid.shape),
    "test": np.broadcast_to(mean_face, (len(X_test), len(mean_face))),
}
predictions = {"average face": baseline}
predictions.update(
    {name: {"valid": run.predict_px(X_valid), "test": run.predict_px(X_test)} for name, run in runs.items()}
)

# %% tags=["nbval-ignore-output"]
workdir = Path(tempfile.mkdtemp(prefix="fkp-chapter6-"))
table = []
for name, predicted in predictions.items():
    metrics = run_metrics(runs[name]) if name in runs else {}
    test_rmse = np.nan
    if source.solution_csv is not None:
        submission_csv = workdir / "submission.csv"
        write_submission(submission_csv, lookup, image_ids, predicted["test"])
        test_rmse = score_submission(submission_csv, source.solution_csv)
    table.append({
        "model": name,
        "training rows": metrics.get("train_rows", len(y) - holdout),
        "epochs": metrics.get("epochs_run", 0),
        "validation RMSE (px)": rmse_px(y_valid, predicted["valid"]),
        "test RMSE (px)": test_rmse,
    })
shutil.rmtree(workdir)
results = pd.DataFrame(table).set_index("model")
results.round(2)

# %% [markdown]
# Where the test column is empty, the data is Kaggle's and its true values are secret: upload each
# model's submission as in chapter 5. The validation column is measured on only 100 faces, which
# also chose each run's best epoch, so it flatters every model a little; the test column is the
# fair one.
#
# Which keypoints gain? All of them, from the better network and the flips. The eye centres, the
# nose tip and the bottom lip also gain the extra rows, which label little else; the eyebrow ends
# and the mouth corners, labelled only in the complete rows, stay the hardest.

# %%
plot_error_per_keypoint(
    y_valid,
    {name: predicted["valid"] for name, predicted in predictions.items() if name != "average face"},
    title=f"Error per keypoint on the {VALID_ROWS} validation faces",
)
plt.show()

# %% [markdown]
# ### The benchmark
#
# These runs are short, to keep the page quick to build. The script `benchmarks/compare_accuracy.py`
# goes further: on the same data it trains article A's original TensorFlow 1 program, article A's
# network through this book's pipeline, the stronger CNN and the MLP for up to 40 epochs each, and
# scores every one on the test set. It takes a while on a CPU, and one command regenerates its
# table:
#
# ```bash
# python benchmarks/compare_accuracy.py
# ```
#
# Its latest table, if this copy of the book has one:

# %% tags=["nbval-ignore-output"]
accuracy_md = Path("..") / "benchmarks" / "results" / "accuracy.md"
if accuracy_md.is_file():
    display(Markdown(nested_markdown(accuracy_md)))  # its headings nested under this section
else:
    print("no benchmarks/results/accuracy.md here: run `python benchmarks/compare_accuracy.py`")

# %% [markdown]
# ## Beyond
#
# Kaggle's best scores on this competition were about **1.28** pixels RMSE, against article A's
# 3.41. What got there, roughly in order of what it is worth:
#
# - **Ensembles.** Train several networks — different seeds, architectures or data orders — and
#   average their predictions. Their errors partly cancel; the winning entries averaged many
#   networks. Averaging a face's prediction with its mirror image's, as `TrainedRun.predict_px`
#   does, is the cheapest ensemble of all.
# - **Specialists.** Article B's tutorial trains one network per group of keypoints (eye centres,
#   eye corners, eyebrows, nose, mouth …), each on the rows that label its group, starting from
#   the weights of a general network. It was the answer to missing labels before masked losses;
#   the masked loss gets most of the benefit with one network.
# - **Pre-training.** Start from a network trained on far more faces, or on a large image
#   collection, and fine-tune it here. With 7049 faces, features learned elsewhere help — and a
#   model pretrained on landmarks of millions of faces does better still.
# - **Larger inputs and more augmentation.** Small rotations, shifts, scaling and brightness
#   changes, each with the keypoints moved to match, teach the network the faces that chapter 5
#   found hardest: turned, tilted and off-centre.
#
# A later chapter runs a trained network on your own photo: find the face, crop and scale it to
# 96×96 grayscale, predict, and draw the keypoints back on the original picture.

# %% [markdown]
# ## Summary
#
# - A horizontal flip maps `x → 95 − x` *and* swaps every left/right keypoint pair; a bright pixel
#   under each keypoint checks it to the pixel.
# - A loss that averages over the labelled values only — replacing missing targets with
#   `tf.where` before any arithmetic — keeps loss and gradients finite and trains on all 7049
#   rows instead of 2140.
# - A warm-up and cosine schedule (`cnn_learning_rate`) takes large steps early and small ones
#   late; `ReduceLROnPlateau` reacts to the validation error instead.
# - The stronger CNN — batch normalisation, a heatmap head with soft-argmax, flips, the masked
#   loss — has 30 times fewer parameters than article A's network and beats it within a few epochs.
# - Compare models on the same held-out faces, and on the test set with Kaggle's metric;
#   `benchmarks/compare_accuracy.py` does it at length.
#
# ## What's next
#
# The next chapter runs a trained network on photos of your own: find the face, crop it to 96×96,
# predict, and draw the keypoints on the picture.
#
# ## Exercises
#
# 1. Train article A's network with flips: `TrainConfig("seed-cnn", complete_only=True,
#    valid_rows=100, epochs=30, flip=True)`. How much of the stronger CNN's lead does that close?
# 2. Train the stronger CNN on the complete rows only (`complete_only=True`) for the same number of
#    epochs. Which keypoints lose most without the other rows?
# 3. Add `reduce_lr_patience=3` to article A's run and plot its `lr` column from `history.csv`.
#    When did the learning rate drop, and did the validation error follow?
# 4. Average the predictions of the three networks on the validation faces (an ensemble). Does it
#    beat the best single network? Try weights.
# 5. Break the flip on purpose: mirror the images and map `x → 95 − x`, but leave the names
#    unswapped, in a copy of `flip_horizontally`. Train with it and look at the eye centres'
#    errors.
#
# ## Resources
#
# - [Using convolutional neural nets to detect facial keypoints](https://danielnouri.org/notes/2014/12/17/using-convolutional-neural-nets-to-detect-facial-keypoints-tutorial/)
#   — article B's full tutorial: flips, schedules, dropout, specialists, pre-training
# - [Integral human pose regression](https://arxiv.org/abs/1711.08229) — the soft-argmax head
# - [SGDR: stochastic gradient descent with warm restarts](https://arxiv.org/abs/1608.03983) — cosine
#   learning-rate schedules
# - [Keras learning-rate schedules](https://keras.io/api/optimizers/learning_rate_schedules/)
