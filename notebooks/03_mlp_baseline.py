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
# # The MLP baseline
#
# [Open in Colab](https://colab.research.google.com/github/fkp-book/facial-keypoints-book/blob/main/notebooks/03_mlp_baseline.ipynb)
# | [Download the notebook](https://github.com/fkp-book/facial-keypoints-book/raw/main/notebooks/03_mlp_baseline.ipynb)
#
# The first network of article B, *net1*, is as simple as a network gets: the 9216
# pixels of a face go into one hidden layer of 100 units, and 30 numbers come out — the
# keypoints. This chapter writes net1 with Keras layers, trains it the article's way
# with `compile` and `fit`, reads its per-epoch table and learning curves from the
# `History` that `fit` returns, measures its error in pixels on faces it never saw, and
# finds out what such a network cannot see.

# %% [markdown]
# ## Overview
#
# 1. Load the training data and keep the rows with all 15 keypoints.
# 2. Scale the targets into [−1, 1] with `(y − 48) / 48`.
# 3. Hold out a random 20 % of the faces for validation.
# 4. Write net1 with Keras layers and count its weights.
# 5. Compile it with SGD, Nesterov momentum and the mean squared error; train it with
#    `fit`.
# 6. Read the per-epoch table and the learning curves from the `History`.
# 7. Measure the validation error in pixels, two ways, and beat the average face.
# 8. Look at validation faces with their predicted keypoints.
# 9. Shuffle every image's pixels and see that net1 does not notice.

# %% [markdown]
# ## Prerequisites
#
# | Concepts | Importance | Notes |
# | --- | --- | --- |
# | [Loading the data](02_loading_the_data.ipynb) | Necessary | `X`, `y`, full rows |
# | [Tensor basics](01_tensor_basics.ipynb) | Helpful | `compile`, `fit`, descent |
# | Dense layers and ReLU | Helpful | `relu(x @ W + b)` |
# | Mean squared error | Necessary | the loss, and its root in pixels |
#
# **Time to learn**: 30 minutes

# %% [markdown]
# ## Setup

# %%
# On Colab: install the book's helpers beside Colab's TensorFlow (nothing reinstalled).
import subprocess
import sys

if "google.colab" in sys.modules:
    package = "fkp-helpers @ git+https://github.com/fkp-book/facial-keypoints-book"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", package], check=True
    )

# %%
import fkp_helpers.nn.tensorflow_setup  # noqa: F401  loads TensorFlow quietly

import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from fkp_helpers import find_data, load_training, plot_faces, quick_mode
from fkp_helpers.figures.learning_curves import (
    compare_learning_curves,
    plot_learning_curves,
)
from fkp_helpers.keypoints import IMAGE_SIZE, NUM_PIXELS, NUM_TARGETS
from fkp_helpers.metrics import rmse_px

keras.utils.set_random_seed(0)  # seeds Python, NumPy and TensorFlow at once

# %%
QUICK = quick_mode()  # FKP_QUICK=1: a short training run, for the test suite
NUM_EPOCHS = 20 if QUICK else 400  # article B trains net1 for 400 epochs
EXERCISE_EPOCHS = 5 if QUICK else 100  # shorter runs in the exercises' solutions
HIDDEN_UNITS = 100  # net1's one hidden layer
BATCH_SIZE = 128  # nolearn's default batch size, which article B kept
VALID_FRACTION = 0.2  # article B's eval_size: 20 % of the faces held out
SEED = 0  # the validation split and the pixel shuffle
TABLE_EVERY = 50  # the per-epoch table shows every 50th epoch
NUM_FACES = 16  # validation faces drawn (4 x 4, like article B's plot_sample)
NUM_UNITS_SHOWN = 8  # hidden units whose weights are drawn

# %% [markdown]
# ## Load the data
#
# Read the training file as in chapter 2. Like article B, keep only the rows where all
# 15 keypoints are labelled: net1 predicts all 30 coordinates, and its plain mean
# squared error needs a true value for each of them.

# %%
source = find_data(download=True)
X, y = load_training(source.training_csv)
complete = np.isfinite(y).all(axis=1)
X, y = X[complete], y[complete]
print(f"complete rows: {len(X)} of {len(complete)}")
print("X:", X.shape, X.dtype, "| y:", y.shape, y.dtype, "(pixels)")

# %% [markdown]
# Every number below that depends on training comes from the stand-in when this book is
# built without Kaggle's files (the line above says which data the page ran on). On
# Kaggle's faces the numbers differ, and article B's are the ones quoted from Kaggle's
# data.

# %% [markdown]
# ## Scale the targets
#
# Article B centres the coordinates on the middle of the image and divides by half its
# width, `(y − 48) / 48`, so every target lies in [−1, 1]. The network learns these
# scaled targets; its answers go back to pixels with `× 48 + 48`.

# %%
y_scaled = (y - 48) / 48
print(f"scaled targets from {y_scaled.min():.3f} to {y_scaled.max():.3f}")
print("back to pixels:", np.allclose(y_scaled * 48 + 48, y))

# %% [markdown]
# ## Hold out validation faces
#
# Article B holds out 20 % of the faces (`eval_size=0.2`): it shuffles the rows once
# with a fixed seed and keeps the first fifth for validation. Keras's `fit` can split
# too: `validation_split=0.2` holds out the *last* 20 % of the arrays, as they come,
# without shuffling. Kaggle's file is not in random order (chapter 2 found its two
# sources one after the other), so nothing promises that its last rows are a fair
# sample. Draw the rows at random with a seed instead, and pass the validation
# faces to `fit` as `validation_data`. `fkp train mlp --complete-only` makes the same
# split, so the command line holds out the same faces as this chapter.


# %%
def split_rows_at_random(
    num_rows: int, valid_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row indices ``(train, valid)``, both sorted: a seeded random split."""
    num_valid = round(num_rows * valid_fraction)
    shuffled = np.random.default_rng(seed).permutation(num_rows)
    return np.sort(shuffled[num_valid:]), np.sort(shuffled[:num_valid])


train_rows, valid_rows = split_rows_at_random(len(X), VALID_FRACTION, SEED)
X_train, y_train = X[train_rows], y_scaled[train_rows]
X_valid, y_valid = X[valid_rows], y_scaled[valid_rows]
print(f"training faces: {len(X_train)}, validation faces: {len(X_valid)}")
print("first validation rows:", valid_rows[:8])

# %% [markdown]
# ## Build net1
#
# Net1 flattens the 96×96 image into a vector of 9216 numbers, passes it through a dense
# layer of 100 ReLU units, and ends with a dense layer of 30 linear outputs. Written
# with Keras's functional API, each line is one layer applied to the output of the one
# before:


# %%
def build_net1(hidden_units: int = HIDDEN_UNITS) -> keras.Model:
    """Article B's net1: images ``(batch, 96, 96, 1)`` → keypoints ``(batch, 30)``.

    Keras's default Glorot-uniform weights and zero biases, as in Lasagne.
    """
    inputs = keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, 1), name="image")
    x = keras.layers.Flatten()(inputs)  # (batch, 9216)
    x = keras.layers.Dense(hidden_units, activation="relu", name="hidden")(x)
    outputs = keras.layers.Dense(NUM_TARGETS, name="keypoints")(x)  # linear
    return keras.Model(inputs, outputs, name="net1")


model = build_net1()
model.summary()

# %% [markdown]
# Almost every weight sits in the hidden layer: each of its 100 units has one weight per
# pixel.

# %%
hidden_weights = NUM_PIXELS * HIDDEN_UNITS + HIDDEN_UNITS  # a weight per pixel and unit
output_weights = HIDDEN_UNITS * NUM_TARGETS + NUM_TARGETS
print(f"hidden: {NUM_PIXELS} x 100 + 100 = {hidden_weights:,}")
print(f"output: 100 x 30 + 30 = {output_weights:,}")
print(f"total: {hidden_weights + output_weights:,}")
print(f"model.count_params(): {model.count_params():,}")

# %% [markdown]
# ## Compile the model
#
# `compile` fixes how the model learns. Article B trains net1 with stochastic gradient
# descent and *Nesterov momentum*: every step moves the weights along a running average
# of the past gradients (`momentum=0.9` keeps 90 % of it from step to step), and
# Nesterov's variant takes the gradient where that average is about to carry the
# weights, which damps overshooting. The learning rate is 0.01, and the loss is the mean
# squared error of the scaled targets.


# %%
def compile_net1(model: keras.Model) -> None:
    """Article B's training rule: SGD with Nesterov momentum, mean squared error."""
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
        loss="mse",
    )


compile_net1(model)
optimizer = model.optimizer
print(
    f"{type(optimizer).__name__}: learning rate {float(optimizer.learning_rate):g}, "
    f"momentum {optimizer.momentum}, nesterov {optimizer.nesterov}"
)
print("loss:", model.loss)

# %% [markdown]
# ## Train the model
#
# `fit` runs the epochs. In each one it shuffles the training faces, cuts them into
# batches of 128, and takes one optimizer step per batch; after the epoch it computes
# the loss on `validation_data`. `verbose=0` keeps it quiet: the per-epoch numbers come
# back in the `History` object that `fit` returns.

# %% tags=["nbval-ignore-output"]
started = time.perf_counter()
history = model.fit(
    X_train,
    y_train,
    batch_size=BATCH_SIZE,
    epochs=NUM_EPOCHS,
    validation_data=(X_valid, y_valid),
    verbose=0,
)
print(f"{NUM_EPOCHS} epochs in {time.perf_counter() - started:.0f} s")

# %% [markdown]
# Article B's 400 epochs took under a minute on a GPU of 2014; net1 is small enough that
# two CPU cores train it in a couple of minutes.
#
# ## Read the per-epoch table
#
# `history.history` is a dict with one list per logged value, one number per epoch:
# `loss`, the mean of the batch losses over the epoch, and `val_loss`, the loss on the
# validation faces after the epoch.

# %%
print(list(history.history))
print("one value per epoch:", len(history.history["val_loss"]) == NUM_EPOCHS)

# %% [markdown]
# nolearn printed these as a table, `Epoch | Train loss | Valid loss | Train / Val`.
# Build the same table with pandas, with the validation error in pixels beside it (the
# next sections explain the `× 48`), and show the first epoch, every 50th and the last.

# %% tags=["nbval-ignore-output"]
per_epoch = pd.DataFrame(history.history)  # one row per epoch
table = pd.DataFrame(
    {
        "Epoch": per_epoch.index + 1,
        "Train loss": per_epoch["loss"],
        "Valid loss": per_epoch["val_loss"],
        "Train / Val": per_epoch["loss"] / per_epoch["val_loss"],
        "Valid RMSE (px)": (np.sqrt(per_epoch["val_loss"]) * 48).round(3),
    }
)
shown = (table["Epoch"] == 1) | (table["Epoch"] % TABLE_EVERY == 0)
print(table[shown | (table["Epoch"] == len(table))].round(6).to_string(index=False))

# %% [markdown]
# Both losses fall fast in the first epochs, then slowly, and the validation loss is
# still falling at epoch 400. In epoch 1 the training loss is far above the validation
# loss: it averages the batches of an epoch that started from random weights, while the
# validation loss is measured at its end. Within a few epochs *Train / Val* falls
# below 1 and keeps drifting down: net1 fits its training faces better than new ones,
# the sign of *overfitting*.
#
# ## Plot the learning curves
#
# Article B plots both losses by epoch on a logarithmic axis, where a slow, steady
# improvement still shows as a slope. `plot_learning_curves` draws the two lists of
# `history.history` that way, with a grid, a legend and a dot on the epoch with the
# lowest validation loss. `fit` keeps the weights of the *last* epoch, as article B did;
# chapter 4 keeps the best epoch's with a checkpoint.

# %%
plot_learning_curves(history.history, title="net1: mean squared error of (y − 48) / 48")
plt.show()

# %% [markdown]
# ## Measure the error in pixels
#
# The loss is a mean squared error in scaled units; Kaggle scores the root mean squared
# error in pixels. One scaled unit is 48 pixels, so an error of `e` units is `48 e`
# pixels, its square is `48²` times larger, and
#
# $$\text{RMSE}_\text{px} = \sqrt{\text{MSE}_\text{scaled}} \times 48 .$$
#
# Article B's final validation loss of 0.003255 is `sqrt(0.003255) × 48 = 2.74` pixels.

# %%
print(f"article B: sqrt(0.003255) * 48 = {np.sqrt(0.003255) * 48:.2f} px")

# %% [markdown]
# Check the rule on net1 three ways: the last validation loss in the history;
# `evaluate`, which computes the loss on the validation faces again; and the predictions
# themselves, turned back into pixels and compared with the labels in pixels.

# %% tags=["nbval-ignore-output"]
last_val_loss = history.history["val_loss"][-1]
y_pred = model.predict(X_valid, verbose=0) * 48 + 48  # (faces, 30) in pixels
y_valid_px = y[valid_rows]
valid_mse = model.evaluate(X_valid, y_valid, verbose=0)
print(f"last val_loss (MSE, scaled):  {last_val_loss:.6f}")
print(f"evaluate (MSE, scaled):       {valid_mse:.6f}")
print(f"sqrt(val_loss) * 48:          {np.sqrt(last_val_loss) * 48:.3f} px")
print(f"RMSE of the predictions:      {rmse_px(y_valid_px, y_pred):.3f} px")

# %% [markdown]
# They agree up to float32 rounding. Is that good? Chapter 2's baseline ignores the
# image and always answers the average keypoints. Computed from the training rows and
# scored on the same validation rows, it is what net1 must beat:

# %%
mean_keypoints = y[train_rows].mean(axis=0)
baseline = np.broadcast_to(mean_keypoints, y_valid_px.shape)
print(f"average-face baseline: {rmse_px(y_valid_px, baseline):.3f} px")

# %% [markdown]
# ## Look at the predictions
#
# Article B's `plot_sample` draws test faces with the predicted keypoints as small
# crosses. Draw validation faces instead, where the truth is known: cyan dots are the
# labels, red crosses net1's answers; each title gives that face's RMSE.

# %%
face_errors = np.sqrt(np.mean((y_pred - y_valid_px) ** 2, axis=1))
titles = [f"{error:.1f} px" for error in face_errors[:NUM_FACES]]
fig = plot_faces(
    X_valid[:NUM_FACES],
    y_valid_px[:NUM_FACES],
    predicted=y_pred[:NUM_FACES],
    titles=titles,
)
fig.suptitle("net1 on validation faces", y=1.02)
plt.show()

# %% [markdown]
# Most crosses sit within a pixel or two of their dots; the larger misses are on faces
# that differ from the average one — turned, tilted, or with the mouth lower than usual
# — where net1's answer stays closer to the usual shape.
#
# ## See what an MLP cannot see
#
# Each hidden unit computes `relu(w · x + b)` over the whole image: its 9216 weights
# form a template as large as the face, red where a bright pixel raises the unit's
# output, blue where it lowers it. Training adds a smooth pattern to each unit's random
# starting weights; averaging 8×8 blocks of pixels washes out the noise and keeps the
# pattern, which finds the units that learned the most visible ones. Draw those:

# %%
kernel = model.get_layer("hidden").kernel.numpy()  # (9216, 100): one column per unit
blocks = kernel.reshape(IMAGE_SIZE // 8, 8, IMAGE_SIZE // 8, 8, -1).mean(axis=(1, 3))
most_pattern = np.argsort(blocks.std(axis=(0, 1)))[::-1][:NUM_UNITS_SHOWN]
fig, axes = plt.subplots(1, NUM_UNITS_SHOWN, figsize=(8, 1.7))
for unit, ax in zip(most_pattern, axes):
    template = kernel[:, unit].reshape(IMAGE_SIZE, IMAGE_SIZE)
    limit = np.abs(template).max()
    ax.imshow(template, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_title(f"unit {unit}", fontsize=8)
    ax.set_axis_off()
fig.suptitle("Weights of net1's hidden units, one per pixel")
plt.show()

# %% [markdown]
# Some templates show the blurred outline of eyes, nose and mouth, all of them speckled
# with noise: the weights of two neighbouring pixels have nothing to do with each other.
# Nothing in net1 tells it that pixel 1000 lies next to pixel 1001: to net1 the image is
# a list of 9216 numbers in an arbitrary order. Test that literally: shuffle the pixels
# of every image with one fixed random permutation — the same for all faces — and train
# a fresh net1 on the shuffled images, the same way.

# %%
permutation = np.random.default_rng(SEED).permutation(NUM_PIXELS)
X_shuffled = X.reshape(len(X), NUM_PIXELS)[:, permutation].reshape(X.shape)
fig = plot_faces(
    np.concatenate([X[:4], X_shuffled[:4]]),
    ncols=4,
    titles=["original"] * 4 + ["pixels shuffled"] * 4,
)
plt.show()

# %% tags=["nbval-ignore-output"]
shuffled_model = build_net1()
compile_net1(shuffled_model)
shuffled_history = shuffled_model.fit(
    X_shuffled[train_rows],
    y_train,
    batch_size=BATCH_SIZE,
    epochs=NUM_EPOCHS,
    validation_data=(X_shuffled[valid_rows], y_valid),
    verbose=0,
)
for label, run in (("in place", history), ("shuffled", shuffled_history)):
    print(f"pixels {label}: {np.sqrt(run.history['val_loss'][-1]) * 48:.3f} px")

# %%
compare_learning_curves(
    {"pixels in place": history.history, "pixels shuffled": shuffled_history.history},
    metric="loss",
    title="net1 learns shuffled faces as well as real ones",
)
plt.show()

# %% [markdown]
# We cannot find a face in the shuffled images; net1 learns them just as well, to the
# same fraction of a pixel. A shuffle of the inputs only reorders the rows of the hidden
# layer's weight matrix, so whatever net1 can learn on real faces it can learn on
# shuffled ones, and the other way round. (The curves differ a little because training
# starts from other random weights.)
#
# That is net1's weakness. An eye is a small pattern of neighbouring pixels, and it
# looks the same wherever it sits; net1 knows neither "neighbouring" nor "the same
# elsewhere", and must learn every position of every pattern from scratch, with a weight
# per pixel. A convolutional network knows both: each of its filters looks at a few
# neighbouring pixels, and the same filter slides over the whole image.

# %% [markdown]
# ## Summary
#
# - Net1 (article B) flattens the image and maps 9216 pixels through 100 ReLU units to
#   30 outputs: three Keras layers, 924,730 weights, nearly all in the hidden layer.
# - The targets are scaled to [−1, 1] by `(y − 48) / 48`; predictions go back to pixels
#   with `× 48 + 48`.
# - `compile(optimizer=SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
#   loss="mse")` is article B's training rule; `fit(..., validation_data=...,
#   verbose=0)` trains it and returns a `History` whose `history` dict holds `loss` and
#   `val_loss` for every epoch.
# - A seeded random 20 % of the faces is held out: Keras's `validation_split` would take
#   the last 20 % of the arrays, unshuffled.
# - `RMSE_px = sqrt(MSE_scaled) × 48`: article B's 0.003255 is 2.74 pixels.
# - Net1 beats the average face, but it sees the image as an unordered list of numbers:
#   it learns shuffled faces as well as real ones.
#
# ## What's next
#
# [Chapter 4](04_cnn.ipynb) trains article A's convolutional network, which looks at
# neighbouring pixels with filters shared across the image, and compares it with net1 on
# the same faces. The package keeps net1 too, for `fkp train mlp`; a test checks that it
# is the network and the training rule written here.
#
# ## Exercises

# %% [markdown]
# **Exercise 1.** Shift every validation face one pixel to the right (`np.roll(X_valid,
# 1, axis=2)`, with every x coordinate plus 1) and measure net1's RMSE again. How much
# does one pixel cost?

# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 1
X_moved = np.roll(X_valid, 1, axis=2)  # axis 2 is the image's x; the last column wraps
y_moved = y_valid_px.copy()
y_moved[:, 0::2] += 1  # x coordinates are the even columns
y_pred_moved = model.predict(X_moved, verbose=0) * 48 + 48
print(f"in place:        {rmse_px(y_valid_px, y_pred):.3f} px")
print(f"one pixel right: {rmse_px(y_moved, y_pred_moved):.3f} px")
# The error grows although every face moved by one pixel only: net1's weights are
# tied to pixel positions, and after the shift each face falls on other weights.

# %% [markdown]
# **Exercise 2.** Draw the eight validation faces with the largest errors
# (`np.argsort(face_errors)[-8:]`). What do they have in common?

# %% tags=["hide-cell"]
# Solution to exercise 2
worst = np.argsort(face_errors)[-8:][::-1]
fig = plot_faces(
    X_valid[worst],
    y_valid_px[worst],
    predicted=y_pred[worst],
    titles=[f"{face_errors[i]:.1f} px" for i in worst],
)
plt.show()
# They are the faces farthest from the average one: turned or tilted heads and shifted
# faces, where net1's crosses stay near the usual positions.

# %% [markdown]
# **Exercise 3.** Give the hidden layer 500 units instead of 100 (`build_net1(500)`,
# compiled with `compile_net1`). How many weights does it have? Train it as long as the
# solution does and compare its validation RMSE with net1's after as many epochs.

# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 3
wide = build_net1(500)
compile_net1(wide)
print(f"weights: {wide.count_params():,} (net1: {model.count_params():,})")
wide_history = wide.fit(
    X_train,
    y_train,
    batch_size=BATCH_SIZE,
    epochs=EXERCISE_EPOCHS,
    validation_data=(X_valid, y_valid),
    verbose=0,
)
for label, run in (("500 units", wide_history.history), ("100 units", history.history)):
    print(
        f"{label}, epoch {EXERCISE_EPOCHS}: "
        f"{np.sqrt(run['val_loss'][EXERCISE_EPOCHS - 1]) * 48:.3f} px"
    )
# Five times the weights buy only a little: the hidden layer's width is not what
# holds net1 back.

# %% [markdown]
# **Exercise 4.** Train a fresh net1 with Keras's own split, `fit(X, y_scaled,
# validation_split=VALID_FRACTION, ...)`. Which rows does it hold out? Compare its
# validation RMSE with net1's after as many epochs.

# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 4
keras_split = build_net1()
compile_net1(keras_split)
keras_history = keras_split.fit(
    X,
    y_scaled,
    batch_size=BATCH_SIZE,
    epochs=EXERCISE_EPOCHS,
    validation_split=VALID_FRACTION,
    verbose=0,
)
first_held_out = int(np.floor(len(X) * (1 - VALID_FRACTION)))  # Keras's rule
print(f"Keras holds out rows {first_held_out} to {len(X) - 1}, the last ones")
also_ours = np.isin(valid_rows, np.arange(first_held_out, len(X))).sum()
print(f"of them also in our validation set: {also_ours}")
for label, run in (("last 20 %", keras_history.history), ("random", history.history)):
    print(
        f"{label}, epoch {EXERCISE_EPOCHS}: "
        f"{np.sqrt(run['val_loss'][EXERCISE_EPOCHS - 1]) * 48:.3f} px"
    )
# The two validation sets hold different faces, so the numbers differ a little. On
# Kaggle's file, whose rows are not in random order, nothing promises that the last
# fifth is a fair sample of the faces.

# %% [markdown]
# **Exercise 5.** Train net1 on to 1000 epochs (`fit(..., initial_epoch=NUM_EPOCHS,
# epochs=1000)` continues from the weights it has). Does the validation loss keep
# falling, and where does *Train / Val* go?

# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 5
long_epochs = NUM_EPOCHS + EXERCISE_EPOCHS if QUICK else 1000
more = model.fit(
    X_train,
    y_train,
    batch_size=BATCH_SIZE,
    initial_epoch=NUM_EPOCHS,
    epochs=long_epochs,
    validation_data=(X_valid, y_valid),
    verbose=0,
)
longer = pd.DataFrame(
    {key: history.history[key] + more.history[key] for key in ("loss", "val_loss")}
)
longer.insert(0, "Epoch", longer.index + 1)
longer["Train / Val"] = longer["loss"] / longer["val_loss"]
longer["Valid RMSE (px)"] = (np.sqrt(longer["val_loss"]) * 48).round(3)
shown = (longer["Epoch"] >= NUM_EPOCHS) & (longer["Epoch"] % 100 == 0)
shown |= longer["Epoch"].isin([NUM_EPOCHS, long_epochs])
print(longer[shown].round(6).to_string(index=False))
# The validation loss still creeps down, ever more slowly, while Train / Val keeps
# falling: the training loss drops faster, so net1 overfits more and more.

# %% [markdown]
# ## Resources
#
# - [Using convolutional neural nets to detect facial keypoints](https://danielnouri.org/notes/2014/12/17/using-convolutional-neural-nets-to-detect-facial-keypoints-tutorial/) — article B
# - [Keras: the functional API](https://keras.io/guides/functional_api/)
# - [Keras: training and evaluation with the built-in methods](https://keras.io/guides/training_with_built_in_methods/)
#   — `compile`, `fit`, `validation_data`, `History`
# - [`keras.optimizers.SGD`](https://keras.io/api/optimizers/sgd/): momentum, Nesterov
