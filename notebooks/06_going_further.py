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
# Article A stops at its CNN; article B's tutorial goes on with data augmentation,
# learning-rate schedules and specialist networks. This chapter writes, in Keras and
# TensorFlow, the ideas that pay most on this data: mirrored faces as a step of the
# `tf.data` pipeline, a loss that learns from every row instead of the complete third,
# a learning-rate schedule, and a network built for keypoints, with a heatmap head.
# It trains that network with `compile` and `fit`, measures what it is worth side by
# side with the networks of chapters 3 and 4, and sketches what lies beyond.

# %% [markdown]
# ## Overview
#
# 1. Flip faces horizontally with a `tf.data` map: mirror the image, send every x to
#    `95 − x`, and swap the left and right keypoints.
# 2. Write a loss that skips missing keypoints, and check its value and gradients.
# 3. Schedule the learning rate: warm-up, then cosine decay, as a Keras schedule.
# 4. Build a stronger CNN block by block, and run its heatmap and soft-argmax head on
#    one batch.
# 5. Train it on every row, with flips, using `compile`, `fit` and callbacks.
# 6. Compare the MLP, article A's CNN and the stronger CNN on the same faces and on
#    the test set.
# 7. Augment for real photos: a random affine map that moves the keypoints with the
#    face, and random light; look beyond: ensembles, specialists, pre-training.

# %% [markdown]
# ## Prerequisites
#
# | Concepts | Importance | Notes |
# | --- | --- | --- |
# | [The 3-layer CNN](04_cnn.ipynb) | Necessary | `tf.data`, `fit`, callbacks |
# | [Loading the data](02_loading_the_data.ipynb) | Necessary | the two sources |
# | [The MLP baseline](03_mlp_baseline.ipynb) | Helpful | targets `(y − 48) / 48` |
# | [Predictions](05_predictions.ipynb) | Helpful | errors per keypoint, submissions |
# | Gradients with `tf.GradientTape` | Helpful | chapter 1 |
#
# **Time to learn**: 45 minutes

# %% [markdown]
# ## Setup

# %%
# On Colab, install this book's helpers beside Colab's own TensorFlow (no reinstall).
import subprocess
import sys

if "google.colab" in sys.modules:
    package = "fkp-helpers @ git+https://github.com/fkp-book/facial-keypoints-book"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", package], check=True
    )

# %%
import fkp_helpers.nn.tensorflow_setup  # noqa: F401  loads TensorFlow quietly

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
from keras import layers

from fkp_helpers import find_data, load_lookup, load_test, load_training, quick_mode
from fkp_helpers.data.submission import score_submission, write_submission
from fkp_helpers.figures.benchmark_tables import accuracy_table, benchmark_details
from fkp_helpers.figures.error_analysis import (
    plot_error_per_keypoint,
    plot_keypoint_sides,
)
from fkp_helpers.figures.faces import plot_faces
from fkp_helpers.figures.learning_curves import history_table
from fkp_helpers.keypoints import (
    IMAGE_SIZE,
    KEYPOINT_COLUMNS,
    NUM_KEYPOINTS,
    keypoint_index,
)
from fkp_helpers.nn.devices import detect_plan, distribution_strategy
from fkp_helpers.nn.models import build_model
from fkp_helpers.nn.run_cache import run_metrics, trained_run
from fkp_helpers.nn.training import HISTORY_FILE, TrainConfig, split_rows

keras.utils.set_random_seed(0)  # seeds Python, NumPy and TensorFlow at once

# %%
QUICK = quick_mode()  # FKP_QUICK=1: short training runs on fewer rows, for the tests
NUM_EPOCHS = 1 if QUICK else 15  # the stronger CNN (its default is 40)
NUM_ROWS = 300 if QUICK else None  # rows of training.csv used (None: all of them)
VALID_ROWS = 100  # every network is scored on the first 100 complete rows
PATIENCE = 10  # article A's early stopping
SEED = 0  # the shuffled order and the flips
FLIP_ROW = 0  # the training row mirrored in the illustrations
IMAGE_SHAPE = (96, 96, 1)  # height, width, channels
CENTRE_PX = 48.0  # targets (y - 48) / 48 in [-1, 1], as article B's
BATCH_SIZE = 64
FILTERS = (16, 32, 64, 128)  # the stem, block 1, block 2 and block 3
HEATMAP_SIZE = 12  # one heatmap cell per 8 x 8 pixels
BATCH_NORM_MOMENTUM = 0.9  # Keras's default 0.99 is slow to follow a short run
PEAK_LEARNING_RATE = 2e-3  # reached after the first epoch's warm-up
FINAL_FRACTION = 0.01  # of the peak, at the last step
WEIGHT_DECAY = 1e-4  # AdamW
SCHEDULE_EPOCHS = 40  # epochs of the schedule drawn (the stronger CNN's default)
MLP_EPOCHS = 20 if QUICK else 200  # net1, as compared in chapter 4
SEED_CNN_EPOCHS = 2 if QUICK else 20  # chapter 4's run of article A's network
EXERCISE_STEPS = 5  # training steps in exercise 5's solution

# %% [markdown]
# Every number on this page that depends on trained weights comes from the stand-in
# when the book is built here — the next line says which data the page ran on.

# %%
source = find_data(download=True)
X, y = load_training(source.training_csv)
complete = ~np.isnan(y).any(axis=1)
print(f"{len(X)} training rows, {complete.sum()} of them complete")

# %% [markdown]
# ## Flip faces horizontally
#
# A face mirrored left to right is still a face, so every training image can be used
# twice: as it is, and mirrored. Its keypoints must move with it — and the pixel grid
# decides how. The pixel in column `i` has `x = i`, columns run from 0 to 95, and
# mirroring sends column `i` to column `95 − i`. So every x becomes `95 − x` (not
# `96 − x`: that slips one pixel on every flipped face); every y stays.
#
# Moving is not enough. The subject's left eye, on the image's right, lands on the
# image's left — where the *right* eye belongs. So a flip also renames: every left
# keypoint trades places with its right partner, while the nose tip and the lip centres
# stay. The names say which column goes where: swap "left" and "right" in a column's
# name, and look the new name up.


# %%
def mirrored_name(name: str) -> str:
    """The name a keypoint (or a column) takes in the mirror image."""
    return name.replace("left", "@").replace("right", "left").replace("@", "right")


# Column i of a flipped row holds column FLIP_ORDER[i] of the original.
FLIP_ORDER = [KEYPOINT_COLUMNS.index(mirrored_name(c)) for c in KEYPOINT_COLUMNS]
IS_X = tf.constant([column.endswith("_x") for column in KEYPOINT_COLUMNS])

for column in ["left_eye_center_x", "nose_tip_y", "mouth_right_corner_x"]:
    source_column = KEYPOINT_COLUMNS[FLIP_ORDER[KEYPOINT_COLUMNS.index(column)]]
    print(f"flipped {column:20s} <- original {source_column}")

# %% [markdown]
# The flip itself takes three TensorFlow operations: `tf.reverse` reverses the image's
# columns, `tf.gather` reorders the 30 keypoint columns, and `tf.where` maps the x
# columns to `95 − x` and keeps the y columns. The axes are counted from the end, so
# the same function flips one face or a batch. A missing keypoint is NaN, and
# `95 − NaN` is NaN: it stays missing, in its partner's column.


# %%
def flip_faces(
    images: tf.Tensor, keypoints_px: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """Mirror faces left to right: images (..., 96, 96, 1), keypoints (..., 30) px.

    Every x becomes 95 - x, every left keypoint trades places with its right
    partner, and NaN (missing) stays NaN. One face or a batch.
    """
    mirrored = tf.reverse(images, axis=[-2])  # axis -2: the columns
    swapped = tf.gather(keypoints_px, FLIP_ORDER, axis=-1)  # left <-> right
    moved = tf.where(IS_X, (IMAGE_SIZE - 1) - swapped, swapped)  # x -> 95 - x
    return mirrored, moved


# %% [markdown]
# Flip one face, and draw it three ways — colouring each keypoint by the side its
# *name* says: as it is, flipped, and flipped without the swap.

# %%
images, keypoints = X[FLIP_ROW : FLIP_ROW + 1], y[FLIP_ROW : FLIP_ROW + 1]
flipped_images, flipped_keypoints = (t.numpy() for t in flip_faces(images, keypoints))
moved_only = keypoints.copy()
moved_only[:, 0::2] = (IMAGE_SIZE - 1) - moved_only[:, 0::2]  # x -> 95 - x, no swap
titles = ["original", "flipped, pairs swapped", "flipped, not swapped (wrong)"]
plot_keypoint_sides(
    np.concatenate([images, flipped_images, flipped_images]),
    np.concatenate([keypoints, flipped_keypoints, moved_only]),
    titles=titles,
)
plt.show()

# %% [markdown]
# Both mirrored faces have their dots in the same places; only the names differ.
# Without the swap the network would learn that the left eye is sometimes on the
# image's right and sometimes on its left, and would settle in between. The numbers for
# the eye centres:

# %%
left, right = keypoint_index("left_eye_center"), keypoint_index("right_eye_center")
for name, k in [("left_eye_center", left), ("right_eye_center", right)]:
    before = keypoints[0, 2 * k : 2 * k + 2]
    after = flipped_keypoints[0, 2 * k : 2 * k + 2]
    print(
        f"{name:17s} ({before[0]:5.2f}, {before[1]:5.2f}) -> "
        f"({after[0]:5.2f}, {after[1]:5.2f})"
    )
partner_x = keypoints[0, 2 * right]
print(
    f"new left eye x = 95 - old right eye x = 95 - {partner_x:.2f} "
    f"= {95 - partner_x:.2f}"
)

# %% [markdown]
# ### Check that the keypoints still sit on the features
#
# A one-pixel slip is invisible in a figure. Test it instead: draw one bright pixel
# under every keypoint (rounded to whole pixels) on a black image, flip image and
# keypoints together with `flip_faces`, and check that each flipped keypoint lands on a
# bright pixel again. Then try `96 − x`.

# %%
points = np.round(keypoints)
marks = np.zeros_like(images)
marks[0, points[0, 1::2].astype(int), points[0, 0::2].astype(int), 0] = 1.0
flipped_marks, flipped_points = (t.numpy() for t in flip_faces(marks, points))
columns = flipped_points[0, 0::2].astype(int)
rows = flipped_points[0, 1::2].astype(int)
on_marks = flipped_marks[0, rows, columns, 0].all()
one_off = flipped_marks[0, rows, np.minimum(columns + 1, IMAGE_SIZE - 1), 0].all()
print("every flipped keypoint on its bright pixel (95 - x):", bool(on_marks))
print("with 96 - x instead:", bool(one_off))

# %% [markdown]
# And the missing keypoints? Most rows come from the four-keypoint source (chapter 2):
# 22 of their 30 values are NaN. After a flip they are still NaN — each in its
# partner's column:

# %%
labelled = ~np.isnan(y)
four_row = np.flatnonzero(labelled.sum(axis=1) == 8)[0]  # a four-keypoint row
_, flipped_four = flip_faces(X[four_row], y[four_row])
missing, missing_after = np.isnan(y[four_row]), np.isnan(flipped_four.numpy())
print(
    f"row {four_row}: {missing.sum()} missing values, {missing_after.sum()} "
    "after the flip"
)
print(
    "missing exactly where the partner was missing:",
    np.array_equal(missing_after, missing[FLIP_ORDER]),
)

# %% [markdown]
# ### Flip half of every batch
#
# In training, each face of a batch is flipped or not at random — half of them on
# average — with a new choice every epoch. That is one more step of chapter 4's
# `tf.data` pipeline: a `map` that draws one random number per face and flips the faces
# that drew less than 0.5. `tf.where` picks, face by face, the flipped or the original
# version.
#
# `map(..., num_parallel_calls=tf.data.AUTOTUNE)` prepares several batches at once, on
# several threads. A *stateful* random op such as `tf.random.uniform` would then hand
# out its numbers in whatever order the threads ask, and two runs would flip different
# faces. The *stateless* `tf.random.stateless_uniform` draws from an explicit seed
# instead: here the pair (`SEED`, batch number), from `enumerate`. Placed after
# `repeat`, the batch number keeps counting through every epoch, so each epoch flips
# other faces — and every run flips the same ones.
#
# The targets are scaled to `(y − 48) / 48` last, after the flip, which works in pixels.


# %%
def random_flip(
    step: tf.Tensor, images: tf.Tensor, keypoints_px: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """Flip each face of batch number `step` with probability 1/2 (seeded)."""
    draws = tf.random.stateless_uniform([tf.shape(images)[0]], seed=[SEED, step])
    chosen = draws < 0.5  # (batch,): which faces to flip
    mirrored, moved = flip_faces(images, keypoints_px)
    images = tf.where(chosen[:, tf.newaxis, tf.newaxis, tf.newaxis], mirrored, images)
    keypoints_px = tf.where(chosen[:, tf.newaxis], moved, keypoints_px)
    return images, keypoints_px


def to_model_units(keypoints_px: tf.Tensor) -> tf.Tensor:
    """Pixels -> the network's targets, (y - 48) / 48 (NaN stays NaN)."""
    return (keypoints_px - CENTRE_PX) / CENTRE_PX


def training_batches(images: np.ndarray, keypoints_px: np.ndarray) -> tf.data.Dataset:
    """Endless shuffled batches of (images, (y - 48) / 48), about half flipped."""
    dataset = tf.data.Dataset.from_tensor_slices((images, keypoints_px))
    dataset = dataset.shuffle(len(images), seed=SEED, reshuffle_each_iteration=True)
    dataset = dataset.batch(BATCH_SIZE).repeat()
    dataset = dataset.enumerate().map(
        lambda step, batch: random_flip(step, *batch),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    dataset = dataset.map(
        lambda x, keypoints: (x, to_model_units(keypoints)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    return dataset.prefetch(tf.data.AUTOTUNE)


# %% [markdown]
# Try `random_flip` on a batch of eight copies of one face: the left eye's x tells
# which copies were flipped.

# %%
copies = np.repeat(images, 8, axis=0), np.repeat(keypoints, 8, axis=0)
_, flipped_copies = random_flip(tf.constant(0, tf.int64), *copies)
print("left eye x:", np.round(flipped_copies[:, 2 * left].numpy(), 2))
print("flipped:   ", (flipped_copies[:, 2 * left] != keypoints[0, 2 * left]).numpy())

# %% [markdown]
# At prediction time a flip-trained network can also look twice: predict the face and
# its mirror image, mirror the second prediction back, and average. This chapter's
# `predict_px`, below, does that.
#
# ## Train on every row
#
# The articles drop every row with a missing keypoint: 2140 of Kaggle's 7049 faces
# survive. The other 4909 rows still label the eye centres, the nose tip and the bottom
# lip — most of what the file knows about those four keypoints.

# %%
print(f"labelled values in complete rows: {labelled[complete].sum():6d}")
print(
    f"labelled values in all rows:      {labelled.sum():6d} "
    f"({labelled.sum() / labelled[complete].sum():.1f} times as many)"
)

# %% [markdown]
# To learn from all of them, the loss must skip the missing values: the mean squared
# error over the *labelled* values of a batch only. Where a target is missing,
# `tf.where` puts the prediction itself in its place: the error there is zero, and so
# is its gradient. The mean then divides by the number of labelled values, not by all
# 30 per row.


# %%
def masked_mse(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    """Mean squared error over the labelled values of y_true (NaN: missing).

    y_true and y_pred (batch, 30) in the same units; a scalar (0 if nothing is
    labelled).
    """
    labelled = tf.logical_not(tf.math.is_nan(y_true))
    y_true = tf.where(labelled, y_true, y_pred)  # missing: no error
    squared_errors = tf.square(y_pred - y_true)
    count = tf.reduce_sum(tf.cast(labelled, squared_errors.dtype))
    return tf.reduce_sum(squared_errors) / tf.maximum(count, 1.0)


# %% [markdown]
# Try it on a tiny batch of two rows — one complete, the four-keypoint row from above —
# predicting the average face for both. Keras's plain mean squared error meets a NaN
# and becomes NaN; `masked_mse` does not:

# %%
y_batch = y[[FLIP_ROW, four_row]]
y_guess = np.broadcast_to(np.nanmean(y, axis=0), y_batch.shape).astype(np.float32)
print("labelled values per row:", labelled[[FLIP_ROW, four_row]].sum(axis=1))
plain = keras.losses.MeanSquaredError()(y_batch, y_guess)
masked = masked_mse(y_batch, y_guess)
print(f"plain MSE:  {float(plain)}")
print(f"masked MSE: {float(masked):.2f} px²")
by_hand = np.nanmean((y_guess - y_batch) ** 2)
print(
    "same as the mean over the labelled values:",
    bool(np.isclose(float(masked), by_hand)),
)

# %% [markdown]
# Why not simply multiply the squared errors by a 0/1 mask? Because `NaN × 0` is still
# NaN. The missing targets must be *replaced* before any arithmetic touches them:

# %%
mask = tf.cast(~np.isnan(y_batch), tf.float32)
multiplied = tf.reduce_sum(mask * (y_guess - y_batch) ** 2) / tf.reduce_sum(mask)
print(f"multiplying by the mask: {float(multiplied)}")

# %% [markdown]
# What matters for training is the gradient. Ask `tf.GradientTape` for the gradient of
# each loss with respect to the 60 predicted values:

# %%
guess = tf.Variable(y_guess)  # the predictions, as a variable the tape watches
loss_functions = {
    "plain MSE": keras.losses.MeanSquaredError(),
    "masked MSE": masked_mse,
}
for name, loss_function in loss_functions.items():
    with tf.GradientTape() as tape:
        loss = loss_function(y_batch, guess)
    gradient = tape.gradient(loss, guess).numpy()
    print(
        f"{name:10s}: of {gradient.size} gradient values, {np.isnan(gradient).sum()} "
        f"NaN, {(gradient == 0).sum()} zero"
    )

# %% [markdown]
# A network's weights get their gradients through these 60 values; each weight's is a
# sum over all of them, and one NaN in a sum makes it NaN. So after one step of plain
# MSE, every weight would be NaN. With the masked loss, the 22 missing values
# contribute exactly nothing: the four-keypoint rows teach their four keypoints and
# leave the others alone.
#
# ## Schedule the learning rate
#
# Articles A and B keep the learning rate constant (Adam 1e-3, SGD 0.01). Two common
# refinements:
#
# - **Reduce on plateau**: halve the rate when the validation error has not improved
#   for a few epochs, with the callback
#   `keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=5)`; how often it acts
#   depends on the run.
# - **A fixed schedule**: warm up linearly from 0 to 2e-3 over the first epoch — large
#   steps from random weights can throw batch normalisation off — and then follow half
#   a cosine down to 1 % of that by the last step: big steps while far from a good
#   solution, small ones to settle into it. It depends only on the step number, so a
#   run is repeatable.
#
# Keras has the second built in: `keras.optimizers.schedules.CosineDecay` with a
# warm-up. A schedule is an object the optimizer calls with the step number, before
# every step; it returns the learning rate.


# %%
def warmup_cosine_schedule(
    steps_per_epoch: int,
    epochs: int,
) -> keras.optimizers.schedules.LearningRateSchedule:
    """0 -> 2e-3 linearly over the first epoch, then a half cosine down to 2e-5."""
    warmup_steps = steps_per_epoch
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0,
        warmup_target=PEAK_LEARNING_RATE,
        warmup_steps=warmup_steps,
        decay_steps=max(1, steps_per_epoch * epochs - warmup_steps),
        alpha=FINAL_FRACTION,  # the last rate, as a fraction of the peak
    )


epoch_steps = math.ceil(len(X) / BATCH_SIZE)  # batches in one epoch over all rows
schedule = warmup_cosine_schedule(epoch_steps, SCHEDULE_EPOCHS)
steps = np.linspace(0, epoch_steps * SCHEDULE_EPOCHS, 241).astype(int)
rates = [float(schedule(int(step))) for step in steps]
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.plot(steps / epoch_steps, rates, label="warm-up, then cosine decay (AdamW)")
ax.axhline(1e-3, color="0.5", linestyle="--", label="article A: constant 1e-3 (Adam)")
ax.set_xlabel("epoch")
ax.set_ylabel("learning rate")
ax.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
ax.set_title(
    f"The learning-rate schedule over {SCHEDULE_EPOCHS} epochs "
    f"({epoch_steps} steps each)"
)
ax.legend()
plt.show()
for epoch in [0, 1, SCHEDULE_EPOCHS // 2 + 1, SCHEDULE_EPOCHS]:
    print(f"epoch {epoch:2d}: {float(schedule(epoch * epoch_steps)):.1e}")

# %% [markdown]
# The optimizer is AdamW: Adam, plus *weight decay* — at every step, each weight also
# shrinks by a small fraction of itself (`1e-4` times the learning rate), which keeps
# the weights small without touching the loss. It takes the schedule as its learning
# rate:


# %%
def stronger_cnn_optimizer(
    steps_per_epoch: int, epochs: int
) -> keras.optimizers.Optimizer:
    """AdamW (weight decay 1e-4) following the warm-up and cosine schedule."""
    schedule = warmup_cosine_schedule(steps_per_epoch, epochs)
    return keras.optimizers.AdamW(learning_rate=schedule, weight_decay=WEIGHT_DECAY)


# %% [markdown]
# ## Build the stronger CNN
#
# The book's stronger network differs from article A's in three ways:
#
# - **Batch normalisation** after every convolution keeps the activations in a steady
#   range, so it trains fast and with a larger learning rate.
# - **No huge dense layers.** Article A flattens an 11×11×128 map into 15 488 numbers
#   and feeds them to 500 units: 7.7 million weights in one layer, most of the network.
#   Here the convolutions shrink the image to a 12×12 grid and stop.
# - **Heatmaps instead of numbers.** A 1×1 convolution turns the 12×12 map into one
#   *heatmap* per keypoint; a softmax makes it a probability over the 144 cells, and
#   the keypoint is the probability-weighted mean of the cell centres (a
#   *soft-argmax*). The network keeps the convolutions' sense of *where*, instead of
#   having a dense layer learn it from scratch.
#
# Every convolution is the same block: 3×3 filters with `"same"` padding (the side
# stays), batch normalisation, ReLU. The convolution has no bias: batch normalisation
# subtracts the mean right after, and adds its own offset.


# %%
def conv_block(
    x: keras.KerasTensor, filters: int, name: str, strides: int = 1
) -> keras.KerasTensor:
    """3x3 convolution ("same", no bias) -> batch normalisation -> ReLU."""
    x = layers.Conv2D(
        filters, 3, strides=strides, padding="same", use_bias=False, name=f"{name}_conv"
    )(x)
    x = layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, name=f"{name}_norm")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


# %% [markdown]
# The soft-argmax needs the centre of every heatmap cell, in the network's units. A
# 12-cell row spans 96 pixels, 8 per cell; in pixel-index coordinates cell `i` has its
# centre at `8·(i + 0.5) − 0.5`: 3.5, 11.5, …, 91.5. That grid is symmetric under
# `x → 95 − x`, like the flip.


# %%
def cell_centres() -> np.ndarray:
    """(144, 2) float32: the (x, y) centre of each heatmap cell, row by row, in
    the network's units (y - 48) / 48."""
    pixels_per_cell = IMAGE_SIZE / HEATMAP_SIZE
    centres_px = (np.arange(HEATMAP_SIZE) + 0.5) * pixels_per_cell - 0.5
    grid_x, grid_y = np.meshgrid(centres_px, centres_px)  # grid_x[row, column]
    centres = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
    return ((centres - CENTRE_PX) / CENTRE_PX).astype(np.float32)


print("cell centres in pixels:", cell_centres()[:HEATMAP_SIZE, 0] * 48 + 48)

# %% [markdown]
# The head, in Keras layers. `Permute` and `Reshape` line up each keypoint's 144 cells
# in one row; `Softmax` turns each row into probabilities; a `Dense` layer without bias
# whose weights are the cell centres computes the expected position, `probabilities ·
# centres` — it is *frozen* (`trainable=False`): the centres are geometry, not
# something to learn. Everything in the head runs in float32, like chapter 4's output
# layer, whatever the precision of the convolutions.


# %%
def soft_argmax(heatmaps: keras.KerasTensor) -> keras.KerasTensor:
    """Heatmap logits (batch, 12, 12, 15) -> expected (x, y) of each keypoint,
    (batch, 30) in Kaggle's column order, in the network's units."""
    height, width, channels = heatmaps.shape[1:]
    x = layers.Permute((3, 1, 2), name="per_keypoint", dtype="float32")(heatmaps)
    x = layers.Reshape((channels, height * width), name="cells", dtype="float32")(x)
    x = layers.Softmax(axis=-1, name="probabilities", dtype="float32")(x)
    expected = layers.Dense(
        2, use_bias=False, trainable=False, name="expected_position", dtype="float32"
    )
    x = expected(x)  # (batch, 15, 2): x and y of each keypoint
    expected.set_weights([cell_centres()])
    return layers.Reshape((2 * channels,), name="keypoints", dtype="float32")(x)


def build_stronger_cnn() -> keras.Model:
    """Images (batch, 96, 96, 1) in [0, 1] -> keypoints (batch, 30), (y - 48) / 48.

    Convolutions compute in Keras's global dtype policy, the head in float32.
    """
    stem, first, second, third = FILTERS
    inputs = keras.Input(shape=IMAGE_SHAPE)
    x = conv_block(inputs, stem, "stem", strides=2)  # 96 -> 48
    x = conv_block(x, first, "block1")
    x = layers.MaxPooling2D(2, name="block1_pool")(x)  # 48 -> 24
    x = conv_block(x, second, "block2")
    x = layers.MaxPooling2D(2, name="block2_pool")(x)  # 24 -> 12
    x = conv_block(x, third, "block3a")
    x = conv_block(x, third, "block3b")
    heatmaps = layers.Conv2D(NUM_KEYPOINTS, 1, name="heatmaps", dtype="float32")(x)
    return keras.Model(inputs, soft_argmax(heatmaps), name="stronger_cnn")


model = build_stronger_cnn()
model.summary()

# %%
print(
    f"parameters: article A's network {build_model('seed-cnn').count_params():,}, "
    f"the stronger CNN {model.count_params():,}"
)

# %% [markdown]
# Thirty times fewer weights than article A's network. The 288 weights of
# `expected_position` (144 cells × 2) are the frozen cell centres.
#
# ### Run the head on one batch
#
# Before any training, check the head. Take one batch of faces through the untrained
# network, and look at its heatmaps, its probabilities and its keypoints — one model
# with three outputs, taken from the layers by name:

# %%
inside = keras.Model(
    model.input,
    [
        model.get_layer("heatmaps").output,
        model.get_layer("probabilities").output,
        model.output,
    ],
)
heatmaps, probabilities, predicted = inside(X[:BATCH_SIZE])
print("heatmaps:     ", heatmaps.shape, "(batch, rows, columns, keypoints)")
print("probabilities:", probabilities.shape, "(batch, keypoints, cells)")
print("keypoints:    ", predicted.shape)
sums = tf.reduce_sum(probabilities, axis=-1)
print("every keypoint's probabilities sum to 1:", np.allclose(sums, 1.0, atol=1e-5))

# %% [markdown]
# Untrained, the heatmaps are nearly flat, so every keypoint sits near the mean of all
# cell centres: the middle of the image, `(47.5, 47.5)`. Now a heatmap made by hand,
# run through the head alone: one cell far hotter than the others. The softmax puts
# almost all the probability on it, so the keypoint must land on that cell's centre.

# %%
head_input = keras.Input(shape=(HEATMAP_SIZE, HEATMAP_SIZE, NUM_KEYPOINTS))
head = keras.Model(head_input, soft_argmax(head_input))
print(
    "untrained network, mean keypoint:",
    np.round(predicted.numpy().reshape(-1, 2).mean(axis=0) * 48 + 48, 1),
)
row, column = 3, 8
logits = np.zeros((1, HEATMAP_SIZE, HEATMAP_SIZE, NUM_KEYPOINTS), np.float32)
logits[0, row, column, :] = 30.0  # every keypoint's heatmap: one hot cell
soft = head(logits).numpy()[0, :2] * CENTRE_PX + CENTRE_PX  # the first keypoint
print(
    f"cell (row {row}, column {column}): centre x = 8·{column + 0.5} − 0.5 = "
    f"{8 * (column + 0.5) - 0.5}, y = {8 * (row + 0.5) - 0.5}"
)
print(f"soft-argmax: ({soft[0]:.2f}, {soft[1]:.2f})")

# %% [markdown]
# One last check before training: the tiny batch of two rows through the whole
# network, and the gradient of both losses with respect to every weight:

# %%
targets = to_model_units(y_batch)
for name, loss_function in loss_functions.items():
    with tf.GradientTape() as tape:
        loss = loss_function(targets, model(X[[FLIP_ROW, four_row]], training=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    finite = all(bool(tf.reduce_all(tf.math.is_finite(g))) for g in gradients)
    print(
        f"{name:10s}: loss finite {bool(tf.math.is_finite(loss))}, "
        f"every gradient finite {finite}"
    )

# %% [markdown]
# ## Train the stronger CNN
#
# Every network in this chapter is scored on the same faces, never trained on: the
# first 100 complete rows, article A's validation set. The stronger CNN trains on every
# other row — complete or not — with the masked loss and flips; it holds out all the
# first rows of the file up to the 100th complete one, which contain those 100 faces,
# and validates on them (the masked loss skips what they lack).

# %% tags=["nbval-ignore-output"]
rows = np.arange(len(X))[:NUM_ROWS]
holdout = int(np.flatnonzero(complete)[VALID_ROWS - 1]) + 1
train_rows, held_out_rows = rows[holdout:], rows[:holdout]
print(f"the first {VALID_ROWS} complete rows lie within the first {holdout} rows")
print(
    f"training rows: {len(train_rows)}, {complete[train_rows].sum()} of them complete"
)

train_data = training_batches(X[train_rows], y[train_rows])
steps_per_epoch = math.ceil(len(train_rows) / BATCH_SIZE)
valid_data = tf.data.Dataset.from_tensor_slices(
    (X[held_out_rows], to_model_units(y[held_out_rows]))
).batch(len(held_out_rows))

# %% [markdown]
# The recipe is chapter 4's, with this chapter's pieces: the precision this machine
# computes fastest in (from `fkp_helpers.nn.devices`, which makes chapter 4's choice), the
# model built and compiled in the strategy's scope, AdamW with the schedule, the masked
# loss, and the error in pixels as a metric — the root of the masked loss times 48.
# The same three callbacks: early stopping that restores the best epoch's weights, a
# best-only checkpoint, a CSV log. The validation loss decides which epoch is best.


# %%
def rmse_px(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    """Root of the masked MSE of targets (y - 48) / 48, in pixels (a metric)."""
    return tf.sqrt(masked_mse(y_true, y_pred)) * CENTRE_PX


# %% tags=["nbval-ignore-output"]
plan = detect_plan()
keras.mixed_precision.set_global_policy(plan.dtype_policy)  # for the rest of the page
print(plan.describe())
run_folder = tempfile.TemporaryDirectory(prefix="stronger-cnn-")  # removed at exit
run_dir = Path(run_folder.name)
callbacks = [
    keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=PATIENCE, restore_best_weights=True, verbose=1
    ),
    keras.callbacks.ModelCheckpoint(
        run_dir / "model.keras", monitor="val_loss", save_best_only=True
    ),
    keras.callbacks.CSVLogger(run_dir / HISTORY_FILE),
]
with distribution_strategy(plan).scope():
    model = build_stronger_cnn()
    model.compile(
        optimizer=stronger_cnn_optimizer(steps_per_epoch, NUM_EPOCHS),
        loss=masked_mse,
        metrics=[rmse_px],
        steps_per_execution=steps_per_epoch,
    )
started = time.perf_counter()
history = model.fit(
    train_data,
    epochs=NUM_EPOCHS,
    steps_per_epoch=steps_per_epoch,
    validation_data=valid_data,
    callbacks=callbacks,
    shuffle=False,
    verbose=2,
)
train_seconds = time.perf_counter() - started
images_per_second = len(history.epoch) * len(train_rows) / train_seconds
print(
    f"{len(history.epoch)} epochs in {train_seconds:.0f} s, {images_per_second:.0f} "
    "training images/s (tracing and validation included)"
)

# %% [markdown]
# On the 2 CPU cores this page is built on (with bfloat16 instructions), an epoch over
# all rows takes about half a minute; a CPU that trains in float32 takes two to four
# times longer, and a GPU is many times faster. This run stops after 15 epochs: enough
# to see the difference, not to reach the network's best; the benchmark below trains
# it for 40. The per-epoch table, from the `History`:

# %% tags=["nbval-ignore-output"]
print(history_table(history.history).to_string(index=False))

# %% [markdown]
# ### Look at a heatmap
#
# The trained network's probabilities for one validation face: where it believes the
# subject's left eye centre is. Each of the 144 cells covers 8×8 pixels; the keypoint
# is the probabilities' weighted mean of the cell centres, so it can fall between them.

# %%
face = X[held_out_rows[:1]]
probability_model = keras.Model(model.input, model.get_layer("probabilities").output)
left_eye_map = probability_model(face).numpy()[0, left].reshape(HEATMAP_SIZE, -1)
point = model.predict(face, verbose=0)[0, 2 * left : 2 * left + 2] * 48 + 48
fig, axes = plt.subplots(1, 2, figsize=(8, 4))
axes[0].imshow(face[0, :, :, 0], cmap="gray")
axes[0].imshow(
    left_eye_map,
    cmap="magma",
    alpha=0.55,
    extent=(-0.5, IMAGE_SIZE - 0.5, IMAGE_SIZE - 0.5, -0.5),
)
axes[0].plot(*point, "c+", markersize=14, markeredgewidth=2)
axes[0].set_title("face, left-eye heatmap, soft-argmax (+)")
image = axes[1].imshow(left_eye_map, cmap="magma")
axes[1].set_title("the 12×12 probabilities")
fig.colorbar(image, ax=axes[1], fraction=0.046)
for ax in axes:
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()

# %% [markdown]
# ## Compare with the networks of chapters 3 and 4
#
# Chapters 3 and 4 wrote net1 and article A's network out and trained them; the book's
# helpers hold the same networks and recipes (a test checks that they are the same),
# and `trained_run` trains each configuration once and loads it afterwards — chapter 5
# already asked for article A's run. Both train on the complete rows, without the first
# 100.

# %% tags=["nbval-ignore-output"]
configs = {
    "MLP": TrainConfig(
        "mlp", complete_only=True, valid_rows=VALID_ROWS, epochs=MLP_EPOCHS
    ),
    "article A's CNN": TrainConfig(
        "seed-cnn",
        complete_only=True,
        valid_rows=VALID_ROWS,
        epochs=SEED_CNN_EPOCHS,
        patience=PATIENCE,
    ),
}
runs = {
    name: trained_run(X[:NUM_ROWS], y[:NUM_ROWS], config)
    for name, config in configs.items()
}
for name, run in runs.items():
    m = run_metrics(run)
    print(
        f"{name:16s} {m['train_rows']:5d} training rows, {m['epochs_run']:3d} "
        f"epochs, {m['train_seconds']:5.0f} s, "
        f"{m['images_per_second']:5.0f} images/s"
    )

# %% [markdown]
# The validation error after every epoch, from each run's `history.csv` (the stronger
# CNN's is measured on all its held-out rows):

# %%
histories = {name: run.run_dir / HISTORY_FILE for name, run in runs.items()}
histories["stronger CNN"] = run_dir / HISTORY_FILE
fig, ax = plt.subplots(figsize=(8, 4))
for name, path in histories.items():
    history_csv = pd.read_csv(path)
    ax.plot(
        history_csv["epoch"] + 1,
        history_csv["val_rmse_px"],
        marker="o",
        markersize=3,
        label=name,
    )
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
# Predict the 100 validation faces with each network and score them; then predict the
# test set, write a submission for each, and score it like Kaggle — where the true
# values are known, as on the stand-in. The average face of chapter 5 is the baseline.
# The stronger CNN looks twice, at each face and at its mirror image:


# %%
def predict_px(network: keras.Model, images: np.ndarray) -> np.ndarray:
    """Keypoints (N, 30) in pixels: the mean of the predictions for the faces
    and for their mirror images (mirrored back)."""
    direct = network.predict(images, verbose=0) * CENTRE_PX + CENTRE_PX
    mirrored = images[:, :, ::-1]  # the columns reversed, as in flip_faces
    from_mirror = network.predict(mirrored, verbose=0) * CENTRE_PX + CENTRE_PX
    _, mirrored_back = flip_faces(mirrored, from_mirror)
    return (direct + mirrored_back.numpy()) / 2


# %%
valid_rows = split_rows(y, configs["MLP"].resolved())[1]
X_valid, y_valid = X[valid_rows], y[valid_rows]
image_ids, X_test = load_test(source.test_csv)
lookup = load_lookup(source.lookup_csv, image_ids=image_ids)
mean_face = np.nanmean(y[train_rows], axis=0)
predictions = {
    "average face": {
        "valid": np.broadcast_to(mean_face, y_valid.shape),
        "test": np.broadcast_to(mean_face, (len(X_test), len(mean_face))),
    },
}
for name, run in runs.items():
    predictions[name] = {
        "valid": run.predict_px(X_valid),
        "test": run.predict_px(X_test),
    }
predictions["stronger CNN"] = {
    "valid": predict_px(model, X_valid),
    "test": predict_px(model, X_test),
}

# %% tags=["nbval-ignore-output"]
workdir = Path(tempfile.mkdtemp(prefix="fkp-chapter6-"))
table = []
for name, predicted in predictions.items():
    if name in runs:
        metrics = run_metrics(runs[name])
        rows_used, epochs = metrics["train_rows"], metrics["epochs_run"]
    elif name == "stronger CNN":
        rows_used, epochs = len(train_rows), len(history.epoch)
    else:
        rows_used, epochs = len(train_rows), 0
    test_rmse = np.nan
    if source.solution_csv is not None:
        submission_csv = workdir / "submission.csv"
        write_submission(submission_csv, lookup, image_ids, predicted["test"])
        test_rmse = score_submission(submission_csv, source.solution_csv)
    table.append(
        {
            "model": name,
            "training rows": rows_used,
            "epochs": epochs,
            "validation RMSE (px)": float(
                tf.sqrt(masked_mse(y_valid, predicted["valid"]))
            ),
            "test RMSE (px)": test_rmse,
        }
    )
shutil.rmtree(workdir)
results = pd.DataFrame(table).set_index("model")
results.round(2)

# %% [markdown]
# The validation RMSE is `masked_mse` in pixels, rooted (these rows are complete). Where
# the test column is empty, the data is Kaggle's and its true values are secret: upload
# each model's submission as in chapter 5. The validation column is measured on only
# 100 faces, which also chose each run's best epoch, so it flatters every model a
# little; the test column is the fair one.
#
# Which keypoints gain? All of them, from the better network and the flips. The eye
# centres, the nose tip and the bottom lip also gain the extra rows, which label little
# else; the eyebrow ends and the mouth corners, labelled only in the complete rows, stay
# the hardest.

# %%
plot_error_per_keypoint(
    y_valid,
    {
        name: predicted["valid"]
        for name, predicted in predictions.items()
        if name != "average face"
    },
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
# Its latest table ships with the helpers (`fkp_helpers.figures.benchmark_tables`), so it shows here wherever the
# chapter runs:

# %%
print(benchmark_details("accuracy"))
accuracy_table()

# %% [markdown]
# ## The same recipe from the package
#
# `fkp train --model cnn` trains this network from the helpers' copy of it
# (`fkp_helpers.nn.models.build_model("cnn")`, with the same flip, loss and schedule in
# `fkp_helpers.nn.tf_data`, `fkp_helpers.nn.losses` and `fkp_helpers.nn.models`; a test checks
# that they compute what this chapter's functions compute), and so does `trained_run`,
# which the next chapter uses:
#
# ```python
# holdout = int(np.flatnonzero(complete)[VALID_ROWS - 1]) + 1
# run = trained_run(X, y, TrainConfig("cnn", valid_rows=holdout, epochs=15))
# ```

# %% [markdown]
# ## Augment for real photos
#
# A flip is one change a face survives. A face cut out of a photo differs from a
# training face in many more: the detector frames it a little larger or smaller, higher
# or lower; the head is tilted; exposure, contrast and noise are the camera's. A network
# that only ever saw one framing and one kind of light learns those too, as if they were
# part of a face. *Domain randomisation* changes at random everything the network should
# ignore, so it cannot lean on it (Tobin et al., 2017).
#
# The geometric part is an affine map about the image's centre `c = (47.5, 47.5)`,
# `p' = c + s·R(θ)·(p − c) + t`: turn by `θ`, zoom by `s`, move by `t`. TensorFlow's
# `ImageProjectiveTransformV3` resamples a batch of images, each by its own map — given
# the *inverse* one, because it asks, for every output pixel, which input point to read.
# The keypoints go through the forward map, and a point pushed out of the image becomes
# NaN, which the masked loss skips.

# %%
CENTRE = (IMAGE_SIZE - 1) / 2  # 47.5: the middle of the pixel-index range
MAX_TURN = math.radians(18.0)  # turn by up to 18 degrees either way
ZOOM = (0.85, 1.2)  # zoom by a factor in this range (log-uniform)
MAX_SHIFT_PX = 7.0  # move by up to 7 px in x and in y


def affine_maps(
    turn: tf.Tensor, zoom: tf.Tensor, shift_x: tf.Tensor, shift_y: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """Per-face maps about the centre, (forward, inverse), each (batch, 2, 3)."""
    cos, sin = tf.cos(turn) * zoom, tf.sin(turn) * zoom
    tx = CENTRE + shift_x - (cos * CENTRE - sin * CENTRE)
    ty = CENTRE + shift_y - (sin * CENTRE + cos * CENTRE)
    forward = tf.reshape(tf.stack([cos, -sin, tx, sin, cos, ty], axis=1), [-1, 2, 3])
    # the inverse: p = c + R(-turn) / zoom · (p' - c - shift)
    inv_cos, inv_sin = tf.cos(turn) / zoom, tf.sin(turn) / zoom
    ox, oy = CENTRE + shift_x, CENTRE + shift_y
    itx = CENTRE - (inv_cos * ox + inv_sin * oy)
    ity = CENTRE - (-inv_sin * ox + inv_cos * oy)
    inverse = tf.stack([inv_cos, inv_sin, itx, -inv_sin, inv_cos, ity], axis=1)
    return forward, tf.reshape(inverse, [-1, 2, 3])


def move_faces(
    images: tf.Tensor, keypoints_px: tf.Tensor, forward: tf.Tensor, inverse: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """Resample images (batch, 96, 96, 1) and move keypoints (batch, 30) px."""
    batch = tf.shape(images)[0]
    flat = tf.concat([tf.reshape(inverse, [-1, 6]), tf.zeros([batch, 2])], axis=1)
    moved_images = tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=flat,
        output_shape=[IMAGE_SIZE, IMAGE_SIZE],
        interpolation="BILINEAR",
        fill_mode="NEAREST",  # outside the face: repeat the edge
        fill_value=0.0,
    )
    points = tf.reshape(keypoints_px, [-1, NUM_KEYPOINTS, 2])  # (batch, 15, x y)
    moved = tf.einsum("bij,bkj->bki", forward[:, :, :2], points)
    moved += forward[:, tf.newaxis, :, 2]
    inside = tf.reduce_all((moved >= 0) & (moved <= IMAGE_SIZE - 1), axis=-1)
    moved = tf.where(inside[..., tf.newaxis], moved, np.nan)  # left the image
    return moved_images, tf.reshape(moved, [-1, 2 * NUM_KEYPOINTS])


# %% [markdown]
# The light changes need no map: contrast about each face's mean, a gamma curve, a
# brightness offset and sensor noise, each drawn per face. Both steps draw from one
# stateless seed per batch, as `random_flip` does.


# %%
def random_photo_look(
    step: tf.Tensor, images: tf.Tensor, keypoints_px: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """Batch number `step`, reframed and relit at random (seeded), keypoints moved."""
    batch = tf.shape(images)[0]
    u = tf.random.stateless_uniform([batch, 8], seed=[SEED + 1, step])  # in [0, 1)
    zoom = tf.exp(math.log(ZOOM[0]) + u[:, 1] * math.log(ZOOM[1] / ZOOM[0]))
    forward, inverse = affine_maps(
        MAX_TURN * (2 * u[:, 0] - 1),
        zoom,
        MAX_SHIFT_PX * (2 * u[:, 2] - 1),
        MAX_SHIFT_PX * (2 * u[:, 3] - 1),
    )
    images, keypoints_px = move_faces(images, keypoints_px, forward, inverse)
    per_face = [-1, 1, 1, 1]
    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    contrast = tf.reshape(0.6 + 0.8 * u[:, 4], per_face)  # 0.6 .. 1.4
    images = tf.clip_by_value(mean + (images - mean) * contrast, 0.0, 1.0)
    gamma = tf.reshape(tf.exp(math.log(0.7) + u[:, 5] * math.log(1.45 / 0.7)), per_face)
    images = tf.pow(images + 1e-6, gamma)  # 0.7 .. 1.45
    images += tf.reshape(0.3 * u[:, 6] - 0.15, per_face)  # brightness -0.15 .. 0.15
    noise = tf.random.stateless_normal(tf.shape(images), seed=[SEED + 2, step])
    images += noise * tf.reshape(0.04 * u[:, 7], per_face)  # noise up to 0.04
    return tf.clip_by_value(images, 0.0, 1.0), keypoints_px


# %% [markdown]
# Eight versions of one face, each drawn for another batch number:

# %%
steps = tf.range(8, dtype=tf.int64)
looks = [random_photo_look(step, images, keypoints) for step in steps]
plot_faces(
    np.concatenate([look[0].numpy() for look in looks]),
    np.concatenate([look[1].numpy() for look in looks]),
    ncols=4,
    titles=[f"batch {int(step)}" for step in steps],
    size=2.4,
)
plt.show()

# %% [markdown]
# As for the flip, check it to the pixel: a face that is one bright pixel under its
# keypoint keeps the bright spot's centre on the moved keypoint.


# %%
def bright_spot_centre(image: np.ndarray) -> tuple[float, float]:
    """The brightness-weighted centre (x, y) of one image (96, 96, 1)."""
    weights = image[..., 0] / image[..., 0].sum()
    grid_y, grid_x = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE]
    return float((weights * grid_x).sum()), float((weights * grid_y).sum())


spot = np.zeros((1, IMAGE_SIZE, IMAGE_SIZE, 1), np.float32)
spot[0, 30, 64, 0] = 1.0  # row (y) 30, column (x) 64
spot_keypoints = np.full((1, 2 * NUM_KEYPOINTS), np.nan, np.float32)
spot_keypoints[0, :2] = (64.0, 30.0)
for turn_degrees in (-17.0, 0.0, 17.0):
    turn = tf.constant([math.radians(turn_degrees)])
    zoom, shift = tf.constant([1.15]), tf.constant([5.0])
    forward, inverse = affine_maps(turn, zoom, shift, -shift)
    moved_spot, moved_point = move_faces(spot, spot_keypoints, forward, inverse)
    x, y_ = bright_spot_centre(moved_spot.numpy()[0])
    print(
        f"turn {turn_degrees:+5.1f} deg: keypoint ({moved_point[0, 0]:.2f}, "
        f"{moved_point[0, 1]:.2f}), bright spot ({x:.2f}, {y_:.2f})"
    )

# %% [markdown]
# The helpers hold the same maps (`fkp_helpers.nn.augment`, kept equal to these by a
# test), and add a random blur and a cut-out — a grey rectangle somewhere on the face,
# for the hand or the microphone in front of it. `TrainConfig("cnn", augment=True)` and
# `fkp train --augment` train with them. This chapter's network trains without them:
# its validation faces are framed and lit like its training faces, so there is nothing
# for the randomisation to win there. Whether it wins on real photos is a measurement,
# not a belief: `benchmarks/real_faces.py` scores networks on real faces (chapter 7
# shows its table), and in the runs measured so far augmentation did *not* bring a
# stand-in network closer to real faces — what separates the stand-in from a photo is
# less its framing and light than how its faces look.

# %% [markdown]
# ## Beyond
#
# Kaggle's best scores on this competition were about **1.28** pixels RMSE, against
# article A's 3.41. What got there, roughly in order of what it is worth:
#
# - **Ensembles.** Train several networks — different seeds, architectures or data
#   orders — and average their predictions. Their errors partly cancel; the winning
#   entries averaged many networks. Averaging a face's prediction with its mirror
#   image's, as `predict_px` does, is the cheapest ensemble of all.
# - **Specialists.** Article B's tutorial trains one network per group of keypoints
#   (eye centres, eye corners, eyebrows, nose, mouth …), each on the rows that label its
#   group, starting from the weights of a general network. It was the answer to missing
#   labels before masked losses; the masked loss gets most of the benefit with one
#   network.
# - **Pre-training.** Start from a network trained on far more faces, or on a large
#   image collection, and fine-tune it here. With 7049 faces, features learned
#   elsewhere help — and a model pretrained on landmarks of millions of faces does
#   better still.
# - **Larger inputs and more augmentation.** The random framing and light above teach
#   the network the faces that chapter 5 found hardest — turned, tilted, off-centre —
#   and more of them (elastic warps, mixing two faces) help longer runs.

# %% [markdown]
# ## Summary
#
# - A horizontal flip maps `x → 95 − x` *and* swaps every left/right keypoint pair
#   (`tf.reverse`, `tf.gather`, `tf.where`); a bright pixel under each keypoint checks
#   it to the pixel. In the pipeline it is a `map` over batches, drawing with a
#   stateless seed so that parallel calls stay repeatable.
# - A loss that averages over the labelled values only — replacing missing targets with
#   `tf.where` before any arithmetic — keeps loss and gradients finite and trains on
#   all 7049 rows instead of 2140.
# - `keras.optimizers.schedules.CosineDecay` with a warm-up takes large steps early and
#   small ones late; `ReduceLROnPlateau` reacts to the validation error instead.
# - The stronger CNN — batch normalisation, a heatmap head with a soft-argmax, flips,
#   the masked loss — has 30 times fewer parameters than article A's network and beats
#   it within a few epochs.
# - Compare models on the same held-out faces, and on the test set with Kaggle's
#   metric; `benchmarks/compare_accuracy.py` does it at length.
# - For photos, randomise what the network should ignore: an affine map about the
#   centre (`ImageProjectiveTransformV3` with the inverse map, the keypoints through the
#   forward one, NaN once outside), contrast, gamma, brightness and noise.
#
# ## What's next
#
# [Chapter 7](07_your_own_photo.ipynb) runs a trained network on photos of your own:
# find the face, crop it to 96×96, predict, and draw the keypoints on the picture.
#
# ## Exercises

# %% [markdown]
# **Exercise 1.** Break the flip on purpose: write a copy of `flip_faces` that mirrors
# the images and maps `x → 95 − x` but leaves the names unswapped. Where does the "left
# eye centre" sit, on average over the rows, in the original faces, after the right
# flip and after the broken one? What would a network trained on half-flipped batches
# learn from the broken one?


# %% tags=["hide-cell"]
# Solution to exercise 1
def flip_faces_unswapped(
    images: tf.Tensor, keypoints_px: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """Like flip_faces, without the left/right swap (wrong)."""
    mirrored = tf.reverse(images, axis=[-2])
    return mirrored, tf.where(IS_X, (IMAGE_SIZE - 1) - keypoints_px, keypoints_px)


# Images and keypoints are flipped independently: one image is enough to flip all rows.
versions = {
    "original": y,
    "flipped": flip_faces(X[:1], y)[1].numpy(),
    "flipped unswapped": flip_faces_unswapped(X[:1], y)[1].numpy(),
}
for name, keypoints_px in versions.items():
    mean_x = np.nanmean(keypoints_px[:, 2 * left])
    print(f"{name:17s}: left eye centre at x = {mean_x:.1f} on average")
# The right flip keeps the left eye on the image's right (at 95 minus the right eye's
# x); the broken one moves it to the image's left. Trained on batches that mix both,
# a network is told that the left eye is on either side, and learns to put it in
# between, near the nose: wrong on every face, flipped or not.

# %% [markdown]
# **Exercise 2.** A soft-argmax can point *between* cell centres. Make a heatmap by
# hand whose first keypoint comes out at `x = 50`, on the row of cells whose centres
# have `y = 43.5`, and check it with `head`. (Hint: two neighbouring cells, with
# centres 43.5 and 51.5, and all others far colder.)

# %% tags=["hide-cell"]
# Solution to exercise 2
# 43.5 + 8 w = 50 with w the probability of the right cell: w = 0.8125. The softmax of
# two logits a and b gives w = e^b / (e^a + e^b), so b - a = log(w / (1 - w)).
weight = (50 - 43.5) / 8
logits = np.zeros((1, HEATMAP_SIZE, HEATMAP_SIZE, NUM_KEYPOINTS), np.float32)
logits[0, 5, 5, 0] = 30.0  # row 5: y = 43.5; column 5: x = 43.5
logits[0, 5, 6, 0] = 30.0 + np.log(weight / (1 - weight))  # column 6: x = 51.5
soft = head(logits).numpy()[0, :2] * CENTRE_PX + CENTRE_PX
print(f"soft-argmax: ({soft[0]:.2f}, {soft[1]:.2f})")
# A trained network does the same with blurred heatmaps: its keypoints fall anywhere,
# to a fraction of a pixel, although each cell covers 8 x 8 pixels.

# %% [markdown]
# **Exercise 3.** Write the schedule yourself, as a subclass of
# `keras.optimizers.schedules.LearningRateSchedule` whose `__call__(step)` computes the
# warm-up and the cosine, and check that it gives what `warmup_cosine_schedule` gives
# at a few steps.


# %% tags=["hide-cell"]
# Solution to exercise 3
class WarmupCosine(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up from 0 to the peak, then a half cosine down to a fraction."""

    def __init__(self, warmup_steps: int, total_steps: int) -> None:
        self.warmup_steps = warmup_steps
        self.decay_steps = max(1, total_steps - warmup_steps)

    def __call__(self, step: tf.Tensor) -> tf.Tensor:
        step = tf.cast(step, tf.float32)
        warming = PEAK_LEARNING_RATE * step / self.warmup_steps
        progress = tf.clip_by_value((step - self.warmup_steps) / self.decay_steps, 0, 1)
        cosine = 0.5 * (1 + tf.cos(math.pi * progress))  # 1 -> 0
        decaying = PEAK_LEARNING_RATE * (FINAL_FRACTION + (1 - FINAL_FRACTION) * cosine)
        return tf.where(step < self.warmup_steps, warming, decaying)


mine = WarmupCosine(epoch_steps, epoch_steps * SCHEDULE_EPOCHS)
keras_schedule = warmup_cosine_schedule(epoch_steps, SCHEDULE_EPOCHS)
for step in [
    0,
    epoch_steps // 2,
    epoch_steps,
    10 * epoch_steps,
    SCHEDULE_EPOCHS * epoch_steps,
]:
    print(
        f"step {step:5d}: mine {float(mine(step)):.4e}, "
        f"Keras {float(keras_schedule(step)):.4e}"
    )
# `keras.optimizers.AdamW(learning_rate=mine)` would train with it. To save the model
# with its optimizer, the class would also need get_config().

# %% [markdown]
# **Exercise 4.** Average the predictions of the three networks on the validation faces
# (an ensemble). Does it beat the best single network? Try giving the stronger CNN more
# weight.

# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 4
networks = ["MLP", "article A's CNN", "stronger CNN"]
for weights in [(1, 1, 1), (1, 1, 2), (1, 1, 4), (0, 1, 2)]:
    ensemble = sum(w * predictions[name]["valid"] for w, name in zip(weights, networks))
    ensemble = ensemble / sum(weights)
    print(f"weights {weights}: {float(tf.sqrt(masked_mse(y_valid, ensemble))):.2f} px")
best_alone = results.loc["stronger CNN", "validation RMSE (px)"]
print(f"stronger CNN alone: {best_alone:.2f} px")
# An equal average is pulled back by the weaker networks; with most of the weight on
# the best one, the others' errors partly cancel its own. Choosing weights on the
# validation faces flatters them, though: judge the choice on the test set.

# %% [markdown]
# **Exercise 5.** Compile a fresh `build_stronger_cnn()` with Keras's plain `"mse"`
# loss instead of `masked_mse`, and train it for a few steps on `train_data`. What
# happens to the loss and to the weights?

# %% tags=["hide-cell"]
# Solution to exercise 5
plain_model = build_stronger_cnn()
plain_model.compile(optimizer=stronger_cnn_optimizer(EXERCISE_STEPS, 1), loss="mse")
plain_history = plain_model.fit(
    train_data, epochs=1, steps_per_epoch=EXERCISE_STEPS, shuffle=False, verbose=0
)
weights_nan = all(
    np.isnan(w).all() for w in plain_model.get_layer("stem_conv").get_weights()
)
print("loss:", plain_history.history["loss"])
print("every weight of the stem NaN:", weights_nan)
# The batches hold rows with missing keypoints, so the plain MSE is NaN from the
# first step, its gradients are NaN, and after one update every trainable weight is
# NaN: the network predicts NaN for every face from then on.

# %% [markdown]
# ## Resources
#
# - [Using convolutional neural nets to detect facial keypoints][nouri] — article B's
#   full tutorial: flips, schedules, dropout, specialists, pre-training
# - [`tf.data`: build TensorFlow input pipelines](https://www.tensorflow.org/guide/data)
#   and [random number generation][random] (stateless random ops)
# - [Integral human pose regression](https://arxiv.org/abs/1711.08229) — the
#   soft-argmax head
# - [SGDR: stochastic gradient descent with warm restarts][sgdr] — cosine
#   learning-rate schedules
# - [Keras learning-rate schedules](https://keras.io/api/optimizers/learning_rate_schedules/)
#   and [AdamW](https://keras.io/api/optimizers/adamw/)
#
# [nouri]: https://danielnouri.org/notes/2014/12/17/using-convolutional-neural-nets-to-detect-facial-keypoints-tutorial/
# [random]: https://www.tensorflow.org/guide/random_numbers
# [sgdr]: https://arxiv.org/abs/1608.03983
