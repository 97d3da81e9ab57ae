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
# # The 3-layer CNN
#
# [Open in Colab](https://colab.research.google.com/github/fkp-book/facial-keypoints-book/blob/main/notebooks/04_cnn.ipynb)
# | [Download the notebook](https://github.com/fkp-book/facial-keypoints-book/raw/main/notebooks/04_cnn.ipynb)
#
# Net1 of chapter 3 treats a face as a list of 9216 unrelated numbers. A convolutional network
# looks at small neighbourhoods of pixels with filters that slide over the whole image. This
# chapter rebuilds article A's network — three convolutions, two dense layers, dropout — follows
# its shapes layer by layer, trains it the article's way with early stopping and a best-model
# checkpoint, and compares it with net1 on the same faces.

# %% [markdown]
# ## Overview
#
# 1. Build article A's network and follow the image's shape through it, down to 11·11·128.
# 2. See which device trains it, and what changes on a GPU.
# 3. Feed it batches with a `tf.data` pipeline.
# 4. Train it article A's way: complete rows, the first 100 for validation, RMSE loss, Adam,
#    early stopping and a checkpoint of the best model.
# 5. Read its learning curves and its validation error in pixels.
# 6. Compare it with net1 on the same validation faces.
# 7. Place the result next to Kaggle's leaderboard.

# %% [markdown]
# ## Prerequisites
#
# | Concepts | Importance | Notes |
# | --- | --- | --- |
# | [The MLP baseline](03_mlp_baseline.ipynb) | Necessary | `train`, run folders, learning curves, RMSE in pixels |
# | [Tensor basics](01_tensor_basics.ipynb) | Necessary | `conv2d`, `VALID` and `SAME` padding |
# | Convolution and max-pooling | Helpful | a filter sliding over an image; the largest value of each 2×2 block |
# | Overfitting, dropout, early stopping | Helpful | why validation faces decide when to stop |
#
# **Time to learn**: 40 minutes

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

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tensorflow as tf

from fkp_helpers import find_data, load_training, plot_faces, quick_mode
from fkp_helpers.devices import detect_plan, plan_devices
from fkp_helpers.keypoints import IMAGE_SIZE
from fkp_helpers.learning_curves import compare_learning_curves, history_table, plot_learning_curves
from fkp_helpers.metrics import rmse_px
from fkp_helpers.models import build_model, get_spec
from fkp_helpers.run_cache import run_metrics, trained_run
from fkp_helpers.tf_data import make_dataset
from fkp_helpers.training import TrainConfig, split_rows

keras.utils.set_random_seed(0)  # seeds Python, NumPy and TensorFlow at once

# %%
QUICK = quick_mode()  # FKP_QUICK=1: a short training run, for the test suite
NUM_EPOCHS = 2 if QUICK else 20  # article A allows up to 100; the benchmark trains 40
PATIENCE = 10  # early stopping: epochs without a better validation RMSE
VALID_ROWS = 100  # article A validates on the first 100 complete rows
NUM_ROWS = 300 if QUICK else None  # rows of training.csv given to training (None: all)
MLP_EPOCHS = 20 if QUICK else 200  # net1, for the comparison
NUM_FACES = 8  # validation faces drawn with their predictions
CNN_CONFIG = TrainConfig("seed-cnn", complete_only=True, valid_rows=VALID_ROWS, epochs=NUM_EPOCHS, patience=PATIENCE)
MLP_CONFIG = TrainConfig("mlp", complete_only=True, valid_rows=VALID_ROWS, epochs=MLP_EPOCHS)

# %% [markdown]
# ## Load the data
#
# Read the training file as before. Article A keeps the complete rows (2140 of Kaggle's 7049) and
# holds out the first 100 of them for validation. `split_rows` makes that split from a
# `TrainConfig`, exactly as training will.

# %%
source = find_data(download=True)
X, y = load_training(source.training_csv)
train_rows, valid_rows = split_rows(y, CNN_CONFIG.resolved())
print(f"complete rows: {len(train_rows) + len(valid_rows)} of {len(y)}")
print(f"training: {len(train_rows)} rows | validation: the first {len(valid_rows)}, "
      f"rows {valid_rows[0]} to {valid_rows[-1]} of the file")

# %% [markdown]
# Numbers below that depend on training come from the stand-in when this book is built without
# Kaggle's files (the line above says which data the page ran on).

# %% [markdown]
# ## Build the network
#
# Article A's network, layer for layer, is `build_model("seed-cnn")`:

# %%
model = build_model("seed-cnn")
model.summary()

# %% [markdown]
# ### Follow the shapes
#
# The three convolutions use `VALID` padding: a filter is only placed where it fits inside the
# image, so a `k×k` filter turns a side of `n` pixels into `n − k + 1`. The 2×2 max-pools use
# `SAME` padding with stride 2: `ceil(n / 2)`, where a half window at an odd edge still counts.
# Follow the side of the image through the network, and check each step against Keras's shapes:

# %%
side = IMAGE_SIZE
print(f"input   {side}x{side}x1")
for conv_name, pool_name in [("conv1", "pool1"), ("conv2", "pool2"), ("conv3", "pool3")]:
    conv = model.get_layer(conv_name)
    kernel = conv.kernel_size[0]
    side, before = side - kernel + 1, side  # VALID
    assert conv.output.shape[1:] == (side, side, conv.filters)
    print(f"{conv_name}   {side}x{side}x{conv.filters:<4} {kernel}x{kernel} VALID: {before} - {kernel} + 1")
    side, before = math.ceil(side / 2), side  # SAME, stride 2
    assert model.get_layer(pool_name).output.shape[1:] == (side, side, conv.filters)
    print(f"{pool_name}   {side}x{side}x{conv.filters:<4} 2x2 SAME: ceil({before} / 2)")
flat = side * side * conv.filters
print(f"flatten {flat} = {side}*{side}*{conv.filters}")
assert model.get_layer("flatten").output.shape[1] == flat == 15488

# %% [markdown]
# Every pool here happens to get an even side (94, 46, 22), so `SAME` and `VALID` pooling would
# agree; with `VALID` convolutions they are what brings 96 down to 11.
#
# Where are the weights? A convolution has one small filter per output channel, shared by every
# position of the image; the first dense layer has one weight for each of the 15488 values of the
# flattened map and each of its 500 units.

# %%
weights = pd.Series({layer.name: layer.count_params() for layer in model.layers if layer.count_params()})
print(weights.to_string())
print(f"total: {weights.sum():,}; dense1 holds {weights['dense1'] / weights.sum():.1%}")

# %% [markdown]
# The three convolutions together have about 41,000 weights; `dense1` alone has 7.7 million.
#
# ### The initial weights
#
# Article A draws every weight from a normal distribution with standard deviation 0.1, *truncated*:
# a value further than two standard deviations from 0 is drawn again. That trims the spread to
# about 0.088. Every bias starts at 0.1, so that the ReLUs start out active.

# %%
dense1 = model.get_layer("dense1")
print("kernels:", type(dense1.kernel_initializer).__name__, dense1.kernel_initializer.get_config())
print("biases: ", type(dense1.bias_initializer).__name__, dense1.bias_initializer.get_config())
w = dense1.kernel.numpy()
print(f"dense1: std {w.std():.3f}, largest |w| {np.abs(w).max():.3f} (at most 0.2)")
print("every bias 0.1:", all(np.allclose(layer.bias.numpy(), 0.1) for layer in model.layers if hasattr(layer, "bias")))

# %% [markdown]
# A standard deviation of 0.1 is large for a layer that adds up 15488 inputs: Keras's default
# (Glorot) would use about 0.011 here. So the untrained network's answers are far off the image,
# and the first epoch's error is in the hundreds of pixels. Adam recovers from that within an
# epoch, as the learning curves below show.

# %%
start = model.predict(X[valid_rows], verbose=0) * 96  # the model predicts y / 96
print(f"untrained network on the validation faces: RMSE {rmse_px(y[valid_rows], start):.0f} px")

# %% [markdown]
# ## Choose the device
#
# `detect_plan` decides once which device trains, and in which precision. On a CPU it looks for
# bfloat16 instructions (`avx512_bf16` or `amx_bf16`, in recent Intel Xeon and AMD EPYC chips):
# where they exist, layers compute in bfloat16 (`mixed_bfloat16`), which roughly doubles the speed
# of this network; elsewhere everything stays float32. This line depends on the machine that
# built the page:

# %% tags=["nbval-ignore-output"]
print(detect_plan().describe())

# %% [markdown]
# With a GPU the plan switches on *mixed precision* too: layers compute in float16, which GPUs run
# several times faster, while the weights stay float32; the output layer computes in float32, so
# the keypoints and the loss keep full precision, and the optimizer scales the loss so small
# float16 gradients do not round to zero (bfloat16 has float32's range and needs no scaling).
# `fkp train --float32` keeps float32 on any device. With several GPUs, `MirroredStrategy` keeps a copy of the
# model on each, splits every batch between them and averages their gradients. `plan_devices` shows
# the plan for GPUs you do not have:

# %%
for gpus in [["NVIDIA T4"], ["NVIDIA A100", "NVIDIA A100"]]:
    print(plan_devices(gpus).describe())
mixed = build_model("seed-cnn", "mixed_float16")
for name in ["conv1", "dense2", "keypoints"]:
    layer = mixed.get_layer(name)
    print(f"{name:9s} computes in {layer.compute_dtype}, keeps weights in {layer.variable_dtype}")

# %% [markdown]
# ## Build the input pipeline
#
# Article A fed each batch by hand (`feed_dict`), shuffling the rows every epoch. A `tf.data`
# pipeline does the same, and prepares the next batch while the model trains on this one.
# `make_dataset` slices the arrays into examples, shuffles them (a new order every epoch),
# groups them into batches, scales the targets into the model's units and *prefetches*. Pipelines
# that read files or decode images often add `cache()` to do that work only once; these arrays are
# already in memory, so there is nothing to cache. Take one batch and check it:

# %%
spec = get_spec("seed-cnn")
dataset = make_dataset(X[train_rows], y[train_rows], batch_size=spec.batch_size,
                       scale_targets=spec.scaling.to_model, shuffle=True, seed=0)
images, targets = next(iter(dataset))
assert images.shape == (spec.batch_size, IMAGE_SIZE, IMAGE_SIZE, 1) and images.dtype == tf.float32
assert targets.shape == (spec.batch_size, 30) and targets.dtype == tf.float32
assert 0 <= float(tf.reduce_min(targets)) and float(tf.reduce_max(targets)) <= 1  # y / 96
print("images:", images.shape, images.dtype.name, "| targets:", targets.shape, targets.dtype.name)
print(f"batches per epoch: {len(train_rows)} / {spec.batch_size} -> {len(dataset)}")
print("target scaling:", spec.scaling)

# %% [markdown]
# ## Train the network
#
# Article A's recipe, as a `TrainConfig`:
#
# - `complete_only=True`, `valid_rows=100`: the complete rows, the first 100 for validation;
# - the `seed-cnn` spec supplies the rest: the RMSE loss on `y / 96`, Adam with learning rate
#   0.001, batches of 64;
# - `patience=10`: **early stopping**. After each epoch the validation RMSE (in pixels) is
#   measured; if it has not improved for 10 epochs, training stops, and the weights of the best
#   epoch are restored (`restore_best_weights`);
# - whenever the validation RMSE improves, the model is saved — a **checkpoint** of the best model
#   so far. It is written to a temporary file beside the old one and then renamed over it
#   (`os.replace`, a single step on every file system), so a crash or Ctrl-C during the save
#   leaves the previous best model intact, never a half-written file.
#
# `trained_run` trains this configuration into a cache folder named after the configuration and
# the data, or, if that folder already holds a finished run, loads it. Chapter 5 asks for the same
# configuration and gets this very run back without training again.

# %% tags=["nbval-ignore-output"]
print(CNN_CONFIG.resolved())

# %% tags=["nbval-ignore-output"]
run = trained_run(X[:NUM_ROWS], y[:NUM_ROWS], CNN_CONFIG)
metrics = run_metrics(run)
print(f"{metrics['epochs_run']} epochs, best: epoch {metrics['best_epoch']}; "
      f"{metrics['train_seconds']:.0f} s at {metrics['images_per_second']:.0f} images/s")
print(f"validation RMSE: {metrics['valid_rmse_px']:.2f} px on {metrics['valid_rows']} faces")

# %% [markdown]
# The 2-core CPU this book is built on trains article A's network at about 700 faces a second in
# bfloat16 and about 380 in float32 (`benchmarks/results/speed.md`, which also times article A's
# own TF1 loop on the same data); a CPU without bfloat16 instructions, such as many cloud
# notebooks', trains at the float32 rate or slower. An epoch of 2040 faces takes 3 to 20 seconds,
# and this page stops after 20 epochs: progress is obvious, but not finished. The project's benchmark
# (`benchmarks/compare_accuracy.py`) trains the same network for up to 40 epochs and scores it on
# the test set (`benchmarks/results/accuracy.md`); article A allowed up to 100, with early
# stopping.
#
# The run folder holds the run's description, its history and result, and the best model:

# %%
for path in sorted(run.run_dir.iterdir()):
    print(path.name)

# %% [markdown]
# `run.json` (the resolved configuration and a fingerprint of the data, written before the first
# epoch), `history.csv` (one line per epoch), `model.keras` (the best model, with the optimizer's
# state, so training can resume) and `metrics.json` (the result).
#
# ## Read the learning curves
#
# The per-epoch table and the curves, as for net1. The loss is the RMSE of `y / 96`, so
# `loss × 96` is close to the RMSE in pixels.

# %% tags=["nbval-ignore-output"]
print(history_table(run.run_dir).to_string(index=False))

# %%
plot_learning_curves(run.run_dir, title="Article A's CNN: RMSE of y / 96")
plt.show()

# %% [markdown]
# Unlike net1's, the training loss stays *above* the validation loss (*Train / Val* above 1):
# during training, dropout switches off half of `dense2`'s outputs, which makes the training
# answers worse; validation uses the whole network. The first epoch's training loss is huge — the
# large initial weights — but Adam brings the validation error to a few pixels within that epoch.
# The validation curve is noisy from epoch to epoch, one reason to keep the best epoch's weights
# rather than the last. Both curves are still falling at epoch 20: this run ends because of its
# epoch budget, not because early stopping found no more progress.
#
# ## Measure the error in pixels
#
# `run.predict_px` turns the network's outputs back into pixels (× 96). Score the validation faces
# and draw a few of them:

# %% tags=["nbval-ignore-output"]
X_valid, y_valid = X[valid_rows], y[valid_rows]
y_pred = run.predict_px(X_valid)
print(f"article A's CNN on the {len(valid_rows)} validation faces: {rmse_px(y_valid, y_pred):.2f} px")

# %%
fig = plot_faces(X_valid[:NUM_FACES], y_valid[:NUM_FACES], predicted=y_pred[:NUM_FACES])
fig.suptitle("Article A's CNN on validation faces", y=1.04)
plt.show()

# %% [markdown]
# ## Compare with net1
#
# Chapter 3 validated net1 on a random 20 % of the faces. For a fair comparison, train net1 on the
# same training rows and score it on the same 100 validation faces, with the same `trained_run` —
# here for 200 epochs, a minute or so (chapter 3's 400 would take it a little further). Add the
# average-face baseline of chapter 2.

# %% tags=["nbval-ignore-output"]
mlp_run = trained_run(X[:NUM_ROWS], y[:NUM_ROWS], MLP_CONFIG)
mlp_metrics = run_metrics(mlp_run)
mean_keypoints = np.broadcast_to(y[train_rows].mean(axis=0), y_valid.shape)
predictions = [mean_keypoints, mlp_run.predict_px(X_valid), y_pred]
results = pd.DataFrame({
    "model": ["average face", "net1 (MLP)", "article A's CNN"],
    "weights": [0, mlp_run.model.count_params(), run.model.count_params()],
    "epochs": [0, mlp_metrics["epochs_run"], metrics["epochs_run"]],
    "train time (s)": [0, mlp_metrics["train_seconds"], metrics["train_seconds"]],
    "valid RMSE (px)": [rmse_px(y_valid, prediction) for prediction in predictions],
})
print(results.round(2).to_string(index=False))

# %% [markdown]
# Both networks beat the average face clearly, and after 20 epochs the CNN is a little ahead of
# net1 after 200. On one plot, in pixels — on a logarithmic epoch axis, since net1 runs ten times
# as many epochs:

# %%
compare_learning_curves({"net1 (MLP)": mlp_run.run_dir, "article A's CNN": run.run_dir}, log_x=True,
                        title="Validation (solid) and training (dashed) RMSE")
plt.show()

# %% [markdown]
# Epoch for epoch, the CNN learns far faster: its validation error after 20 epochs is below what
# net1 reaches after 200, and at epoch 20 net1 is still near 5 pixels. Filters that look at
# neighbouring pixels, shared across the image, are the right prior for faces. Second for second
# it is the other way round on a CPU: a face costs the CNN about 44 million multiply-adds (four
# fifths of them in the convolutions), net1 under one million, and the table's training times
# differ even more. The CNN's curve is still falling steeply at epoch 20; net1's, slowly.
#
# ## Place it on the leaderboard
#
# Article A's network, trained on Kaggle's data and scored by Kaggle on its secret test set,
# reached an RMSE of **3.41** pixels — 41st on the leaderboard of the time. The winners were near
# **1.28**, with ensembles of larger networks. The numbers on this page are not comparable with
# those: they come from 100 validation faces of the stand-in (when built here), after 20 epochs.
# The benchmark's table (`benchmarks/results/accuracy.md`) scores every model on a test set.
#
# Article A's network has two weaknesses that chapter 6 works on: it uses only the 2140 complete
# rows, and it throws away *where* things are when it flattens its last feature map into a
# vector for `dense1`, which then holds 96 % of the weights.

# %% [markdown]
# ## Summary
#
# - Article A's network: three `VALID` convolutions (3×3×32, 2×2×64, 2×2×128), each followed by a
#   `SAME` 2×2 max-pool, take 96×96×1 down to 11×11×128 = 15488 values; then dense 500, dense 500,
#   dropout 0.5 and 30 outputs. Weights truncated-normal (0.1), biases 0.1.
# - On a GPU, training uses mixed precision with a float32 output layer; on several GPUs,
#   `MirroredStrategy`.
# - `make_dataset` shuffles, batches, scales the targets and prefetches.
# - `trained_run(X, y, TrainConfig("seed-cnn", complete_only=True, valid_rows=100, epochs=E,
#   patience=10))` trains with early stopping and an atomic best-model checkpoint, once; later
#   calls load the run.
# - Compare models on the same validation rows, in pixels.
#
# ## What's next
#
# [Chapter 5](05_predictions.ipynb) loads this run, predicts Kaggle's test faces, writes a
# submission file and looks at where the network goes wrong.
#
# ## Exercises
#
# 1. Train for 40 epochs (`dataclasses.replace(CNN_CONFIG, epochs=40)`). How much does the
#    validation RMSE improve after epoch 20, and does early stopping end the run?
# 2. Change the first convolution's padding to `SAME` in a copy of the network (see
#    `fkp_helpers.models.build_seed_cnn`). What is the flattened size now, and how many weights
#    does `dense1` get?
# 3. Build the network with `keras.initializers.GlorotUniform()` weights and zero biases, and
#    compare the first epoch's training RMSE with the one above.
# 4. Time one epoch with `batch_size=32` and with `batch_size=256`. Which trains more images per
#    second on your machine, and which reaches a lower validation RMSE after 5 epochs?
# 5. Shift the validation faces one pixel to the right (as in chapter 3's exercise) and compare the
#    error of net1 and of the CNN.
#
# ## Resources
#
# - [Keras: `Conv2D`](https://keras.io/api/layers/convolution_layers/convolution2d/) and
#   [`MaxPooling2D`](https://keras.io/api/layers/pooling_layers/max_pooling2d/)
# - [`tf.data`: build TensorFlow input pipelines](https://www.tensorflow.org/guide/data)
# - [Mixed precision](https://www.tensorflow.org/guide/mixed_precision)
# - [Distributed training with Keras](https://www.tensorflow.org/tutorials/distribute/keras)
