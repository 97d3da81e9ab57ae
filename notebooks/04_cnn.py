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
# Net1 of chapter 3 treats a face as a list of 9216 unrelated numbers. A convolutional
# network looks at small neighbourhoods of pixels with filters that slide over the whole
# image. This chapter writes article A's network in Keras, layer by layer — three
# convolutions, two dense layers, dropout — follows its shapes, feeds it with a
# `tf.data` pipeline, trains it the article's way with `compile`, `fit` and three
# callbacks, and compares it with net1 on the same faces.

# %% [markdown]
# ## Overview
#
# 1. Write article A's network with `Conv2D`, `MaxPooling2D`, `Flatten`, `Dense` and
#    `Dropout`, and follow the image's shape through it, down to 11·11·128.
# 2. Write its loss (RMSE) and its optimizer (Adam).
# 3. Feed it shuffled batches with a `tf.data` pipeline, and check one batch.
# 4. Choose the device and the precision: mixed precision, a float32 output layer,
#    `MirroredStrategy` for several GPUs.
# 5. Train it with `fit`, early stopping, a best-only checkpoint and a CSV log.
# 6. Read its learning curves and its validation error in pixels; compare it with net1.
# 7. See what the book's helpers add to Keras's checkpoint, and place the result next to
#    Kaggle's leaderboard.

# %% [markdown]
# ## Prerequisites
#
# | Concepts | Importance | Notes |
# | --- | --- | --- |
# | [The MLP baseline](03_mlp_baseline.ipynb) | Necessary | `compile`, `fit`, `History`|
# | [Tensor basics](01_tensor_basics.ipynb) | Necessary | `conv2d`, `VALID` and `SAME` |
# | Convolution and max-pooling | Helpful | a filter sliding over an image |
# | Overfitting, dropout, early stopping | Helpful | validation decides when to stop |
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
import fkp_helpers.nn.tensorflow_setup  # noqa: F401  TensorFlow, without notices

import math
import tempfile
import time
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tensorflow as tf
from keras import layers

from fkp_helpers import find_data, load_training, plot_faces, quick_mode
from fkp_helpers.figures.learning_curves import (
    compare_learning_curves,
    history_table,
    plot_learning_curves,
)
from fkp_helpers.nn.devices import cpu_has_bfloat16, onednn_enabled
from fkp_helpers.nn.run_cache import run_metrics, trained_run
from fkp_helpers.nn.training import TrainConfig

keras.utils.set_random_seed(0)  # seeds Python, NumPy and TensorFlow at once

# %%
QUICK = quick_mode()  # FKP_QUICK=1: a short training run, for the test suite
NUM_EPOCHS = 2 if QUICK else 20  # article A allows up to 100, with early stopping
NUM_TRAIN_ROWS = 192 if QUICK else None  # training rows used (None: all of them)
VALID_ROWS = 100  # article A validates on the first 100 complete rows
IMAGE_SHAPE = (96, 96, 1)  # height, width, channels
NUM_TARGETS = 30  # 15 keypoints, x and y
PIXELS_PER_UNIT = 96.0  # article A's network predicts y / 96
BATCH_SIZE = 64
LEARNING_RATE = 1e-3
PATIENCE = 10  # early stopping: epochs without a lower validation loss
SEED = 0  # for the shuffled order of the batches
MLP_EPOCHS = 20 if QUICK else 200  # net1, for the comparison
MLP_CONFIG = TrainConfig(
    "mlp", complete_only=True, valid_rows=VALID_ROWS, epochs=MLP_EPOCHS
)
NUM_FACES = 8  # faces drawn with their predictions
EXERCISE_EPOCHS = 1 if QUICK else 2  # training runs of the exercises' solutions

# %% [markdown]
# ## Load the data
#
# Read the training file as before. Article A keeps the complete rows (2140 of Kaggle's
# 7049) and holds out the first 100 of them for validation:

# %%
source = find_data(download=True)
X, y = load_training(source.training_csv)
complete = np.flatnonzero(~np.isnan(y).any(axis=1))  # rows with all 15 keypoints
valid_rows, train_rows = complete[:VALID_ROWS], complete[VALID_ROWS:]
print(f"complete rows: {len(complete)} of {len(y)}")
print(
    f"training: {len(train_rows)} rows | validation: the first {len(valid_rows)}, "
    f"rows {valid_rows[0]} to {valid_rows[-1]} of the file"
)
X_train, y_train = X[train_rows][:NUM_TRAIN_ROWS], y[train_rows][:NUM_TRAIN_ROWS]
X_valid, y_valid = X[valid_rows], y[valid_rows]

# %% [markdown]
# Numbers below that depend on training come from the stand-in when this book is built
# without Kaggle's files (the line above says which data the page ran on).

# %% [markdown]
# ## Build the network
#
# Article A's network, written with Keras layers. Two small functions make its
# convolutions (`Conv2D`, `VALID` padding) and dense layers (`Dense`), each with ReLU and
# article A's initial values (explained below), so that every layer draws its own:


# %%
def initial_values() -> dict[str, keras.initializers.Initializer]:
    """Truncated-normal weights (stddev 0.1) and biases of 0.1, fresh for one layer."""
    return {
        "kernel_initializer": keras.initializers.TruncatedNormal(stddev=0.1),
        "bias_initializer": keras.initializers.Constant(0.1),
    }


def conv_relu(filters: int, size: int, name: str) -> layers.Conv2D:
    """``filters`` filters of ``size`` x ``size`` pixels, VALID padding, then ReLU."""
    return layers.Conv2D(
        filters, size, padding="valid", activation="relu", name=name, **initial_values()
    )


def dense_relu(units: int, name: str) -> layers.Dense:
    """A fully connected layer of ``units`` units, then ReLU."""
    return layers.Dense(units, activation="relu", name=name, **initial_values())


def build_article_a_cnn() -> keras.Model:
    """Article A's network: images (batch, 96, 96, 1) in [0, 1] -> (batch, 30), y / 96.

    Layers compute in Keras's global dtype policy, the output layer always in float32.
    """
    inputs = keras.Input(shape=IMAGE_SHAPE)
    x = conv_relu(32, 3, "conv1")(inputs)
    x = layers.MaxPooling2D(2, padding="same", name="pool1")(x)
    x = conv_relu(64, 2, "conv2")(x)
    x = layers.MaxPooling2D(2, padding="same", name="pool2")(x)
    x = conv_relu(128, 2, "conv3")(x)
    x = layers.MaxPooling2D(2, padding="same", name="pool3")(x)
    x = layers.Flatten(name="flatten")(x)
    x = dense_relu(500, "dense1")(x)
    x = dense_relu(500, "dense2")(x)
    x = layers.Dropout(0.5, name="dropout")(x)  # in training only
    outputs = layers.Dense(
        NUM_TARGETS, name="keypoints", dtype="float32", **initial_values()
    )(x)
    return keras.Model(inputs, outputs, name="article_a_cnn")


model = build_article_a_cnn()
model.summary()

# %% [markdown]
# `Conv2D(32, 3)` slides 32 filters of 3×3 pixels over the image; `MaxPooling2D(2)`
# keeps the largest value of each 2×2 block; `Flatten` lines the last feature map up
# into one vector for the dense layers. During training, `Dropout(0.5)` sets a random
# half of `dense2`'s outputs to zero and doubles the others (article A's
# `keep_prob=0.5`); at prediction time it passes everything through. `keypoints`, the
# output layer, has no activation: it predicts any number. Its `dtype="float32"` matters
# only with mixed precision, below.
#
# ### Follow the shapes
#
# The three convolutions use `VALID` padding: a filter is only placed where it fits
# inside the image, so a `k×k` filter turns a side of `n` pixels into `n − k + 1`. The
# 2×2 max-pools use `SAME` padding with stride 2: `ceil(n / 2)`, where a half window at
# an odd edge still counts. Follow the side of the image through the network, and check
# each step against Keras's shapes:

# %%
side = IMAGE_SHAPE[0]
print(f"input   {side}x{side}x1")
for conv_name, pool_name in [
    ("conv1", "pool1"),
    ("conv2", "pool2"),
    ("conv3", "pool3"),
]:
    conv = model.get_layer(conv_name)
    kernel = conv.kernel_size[0]
    side, before = side - kernel + 1, side  # VALID
    assert conv.output.shape[1:] == (side, side, conv.filters)
    print(
        f"{conv_name}   {side}x{side}x{conv.filters:<4} "
        f"{kernel}x{kernel} VALID: {before} - {kernel} + 1"
    )
    side, before = math.ceil(side / 2), side  # SAME, stride 2
    assert model.get_layer(pool_name).output.shape[1:] == (side, side, conv.filters)
    print(f"{pool_name}   {side}x{side}x{conv.filters:<4} 2x2 SAME: ceil({before} / 2)")
flat = side * side * conv.filters
print(f"flatten {flat} = {side}*{side}*{conv.filters}")
assert model.get_layer("flatten").output.shape[1] == flat == 15488

# %% [markdown]
# Every pool here happens to get an even side (94, 46, 22), so `SAME` and `VALID`
# pooling would agree; with `VALID` convolutions they are what brings 96 down to 11.
#
# Where are the weights? A convolution has one small filter per output channel, shared
# by every position of the image; the first dense layer has one weight for each of the
# 15488 values of the flattened map and each of its 500 units.

# %%
weights = pd.Series(
    {layer.name: layer.count_params() for layer in model.layers if layer.count_params()}
)
print(weights.to_string())
print(f"total: {weights.sum():,}; dense1 holds {weights['dense1'] / weights.sum():.1%}")

# %% [markdown]
# The three convolutions together have about 41,000 weights; `dense1` alone has 7.7
# million.
#
# ### The initial weights
#
# Article A draws every weight from a normal distribution with standard deviation 0.1,
# *truncated*: a value further than two standard deviations from 0 is drawn again. That
# trims the spread to about 0.088. Every bias starts at 0.1, so that the ReLUs start out
# active.

# %%
dense1 = model.get_layer("dense1")
print(
    "kernels:",
    type(dense1.kernel_initializer).__name__,
    dense1.kernel_initializer.get_config(),
)
print(
    "biases: ",
    type(dense1.bias_initializer).__name__,
    dense1.bias_initializer.get_config(),
)
w = dense1.kernel.numpy()
print(f"dense1: std {w.std():.3f}, largest |w| {np.abs(w).max():.3f} (at most 0.2)")
biases = [layer.bias.numpy() for layer in model.layers if hasattr(layer, "bias")]
print("every bias 0.1:", all(np.allclose(bias, 0.1) for bias in biases))

# %% [markdown]
# A standard deviation of 0.1 is large for a layer that adds up 15488 inputs: Keras's
# default (Glorot) would use about 0.011 here. So the untrained network's answers are
# far off the image, and the first epoch's error is in the hundreds of pixels. Adam
# recovers from that within an epoch, as the learning curves below show.
#
# ## Write the loss and the optimizer
#
# Article A's loss is the root mean squared error (RMSE) of the targets in its units,
# `y / 96`: the square root of the mean of the squared differences over every value of
# the batch. Times 96 it is an error in pixels, which Keras will also report, as a
# *metric*: a number logged every epoch that training does not minimise.


# %%
def rmse(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    """Article A's loss: sqrt(mean((y_pred - y_true)²)) over the batch; a scalar."""
    return tf.sqrt(tf.reduce_mean(tf.square(y_pred - y_true)))


def rmse_px(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    """The same error in pixels, for targets in units of 96 pixels (a metric)."""
    return rmse(y_true, y_pred) * PIXELS_PER_UNIT


def article_a_optimizer() -> keras.optimizers.Optimizer:
    """Adam, learning rate 0.001, TF 1's epsilon (1e-8; Keras's default is 1e-7)."""
    return keras.optimizers.Adam(learning_rate=LEARNING_RATE, epsilon=1e-8)


# %% [markdown]
# Try the loss on two faces of one keypoint each, every coordinate one pixel off, and on
# the untrained network:

# %%
y_true = np.array([[0.5, 0.5], [0.25, 0.75]], dtype=np.float32)
y_guess = y_true + np.float32(1 / 96)
print(
    f"rmse {float(rmse(y_true, y_guess)):.6f} (1 / 96 = {1 / 96:.6f}), "
    f"rmse_px {float(rmse_px(y_true, y_guess)):.2f}"
)
start = model.predict(X_valid, verbose=0)
print(
    f"untrained network on the validation faces: "
    f"{float(rmse_px(y_valid / PIXELS_PER_UNIT, start)):.0f} px"
)

# %% [markdown]
# ## Build the input pipeline
#
# Article A fed each batch by hand (`feed_dict`), shuffling the rows every epoch. A
# `tf.data` pipeline does the same, and prepares the next batch while the model trains
# on this one:
#
# - `from_tensor_slices` cuts the arrays into examples: one image and its 30 targets,
#   scaled to `y / 96`;
# - `shuffle` draws them in random order, from a buffer as large as the data set (a full
#   shuffle), repeatable for a `seed`, and in a new order at each pass
#   (`reshuffle_each_iteration`);
# - `batch` groups 64 examples into one tensor (the last batch of a pass is smaller);
# - `repeat` starts the next pass when one ends, forever; `fit` then needs to know how
#   many batches make an epoch (`steps_per_epoch`). This keeps one iterator for the
#   whole run: measured here, a fresh iterator every epoch sometimes stalled for
#   seconds;
# - `prefetch(tf.data.AUTOTUNE)` prepares batches ahead, on other threads.
#
# Pipelines that read files or decode images often add `cache()` to do that work only
# once; these arrays are already in memory, so there is nothing to cache.


# %%
def training_batches(
    images: np.ndarray, keypoints_px: np.ndarray, batch_size: int
) -> tf.data.Dataset:
    """Endless shuffled batches of (images, keypoints / 96), a new order every pass."""
    targets = keypoints_px / PIXELS_PER_UNIT
    dataset = tf.data.Dataset.from_tensor_slices((images, targets))
    dataset = dataset.shuffle(len(images), seed=SEED, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).repeat().prefetch(tf.data.AUTOTUNE)


train_data = training_batches(X_train, y_train, BATCH_SIZE)
steps_per_epoch = math.ceil(len(X_train) / BATCH_SIZE)  # batches in one pass
valid_data = tf.data.Dataset.from_tensor_slices((X_valid, y_valid / PIXELS_PER_UNIT))
valid_data = valid_data.batch(VALID_ROWS)  # one batch: the loss is the RMSE of all 100

# %% [markdown]
# Take one batch and check it, then draw a few of its faces with their targets (back in
# pixels):

# %%
images, targets = next(iter(train_data))
assert images.shape == (BATCH_SIZE, *IMAGE_SHAPE) and images.dtype == tf.float32
assert targets.shape == (BATCH_SIZE, NUM_TARGETS) and targets.dtype == tf.float32
assert 0 <= float(tf.reduce_min(images)) and float(tf.reduce_max(images)) <= 1
assert 0 <= float(tf.reduce_min(targets)) and float(tf.reduce_max(targets)) <= 1
print(
    "images:",
    images.shape,
    images.dtype.name,
    "| targets:",
    targets.shape,
    targets.dtype.name,
)
print("endless:", bool(train_data.cardinality() == tf.data.INFINITE_CARDINALITY))

# %%
fig = plot_faces(images[:4].numpy(), targets[:4].numpy() * PIXELS_PER_UNIT)
fig.suptitle("A training batch, as the network sees it", y=1.04)
plt.show()

# %% [markdown]
# ## Choose the device and the precision
#
# TensorFlow runs on a GPU when it sees one. On a GPU, *mixed precision* trains several
# times faster: layers compute in float16 while the weights stay float32. float16 has a
# small range, so the optimizer multiplies the loss before taking gradients, so that
# small ones do not round to zero, and divides them back (*loss scaling*; `compile` does
# that by itself under `mixed_float16`). Some recent CPUs (Intel Xeon and AMD EPYC with
# the `avx512_bf16` or `amx_bf16` instructions) compute natively in *bfloat16*, which
# has float32's range and needs no scaling: there `mixed_bfloat16` roughly doubles this
# network's speed; elsewhere it is emulated, and much slower, so float32 stays.
# `fkp_helpers.nn.devices` reads the CPU's instruction flags (it does the same for
# `fkp train`). With several GPUs, `MirroredStrategy` keeps a copy of the model on each,
# splits every batch between them and averages their gradients. This cell's answer
# depends on the machine that ran it:

# %% tags=["nbval-ignore-output"]
gpus = tf.config.list_physical_devices("GPU")
if gpus:
    precision = "mixed_float16"
elif cpu_has_bfloat16() and onednn_enabled():
    precision = "mixed_bfloat16"
else:
    precision = "float32"
if len(gpus) > 1:
    strategy = tf.distribute.MirroredStrategy()  # all GPUs, in step
else:
    strategy = tf.distribute.get_strategy()  # the default: one device
print(
    f"GPUs: {len(gpus)} | precision: {precision} | "
    f"model copies in step: {strategy.num_replicas_in_sync}"
)

# %% [markdown]
# A precision is a Keras *dtype policy*: `set_global_policy` sets the one that every
# layer built afterwards takes, unless the layer names its own — as the output layer
# does with `dtype="float32"`, so the keypoints and the loss keep full precision. Here
# is the network as a GPU builds it; then this machine's policy is set **for the rest of
# this notebook** (`set_global_policy("float32")` would switch back):

# %%
keras.mixed_precision.set_global_policy("mixed_float16")  # what a GPU gets
gpu_model = build_article_a_cnn()
for name in ["conv1", "dense2", "keypoints"]:
    layer = gpu_model.get_layer(name)
    print(
        f"{name:9s} computes in {layer.compute_dtype}, keeps weights in "
        f"{layer.variable_dtype}"
    )
keras.mixed_precision.set_global_policy(precision)  # this machine's, from here on

# %% [markdown]
# ## Train the network
#
# Article A's recipe, with three Keras callbacks — objects that `fit` calls after every
# epoch:
#
# - `EarlyStopping(patience=10, restore_best_weights=True)`: if the validation loss has
#   not improved for 10 epochs, training stops, and at the end the model gets back the
#   weights of its best epoch;
# - `ModelCheckpoint(..., save_best_only=True)`: whenever the validation loss improves,
#   the model is saved to `model.keras` — the best model so far, with the optimizer's
#   state;
# - `CSVLogger`: one line per epoch in `history.csv`.
#
# The model is built and compiled inside `strategy.scope()`, so that on several GPUs its
# weights are mirrored. `steps_per_execution` runs a whole epoch's batches per call into
# TensorFlow's compiled graph instead of returning to Python after each one (measured
# here: about twice the images per second). `shuffle=False` because the pipeline
# shuffles by itself. `verbose=2` prints one line per epoch.

# %% tags=["nbval-ignore-output"]
run_folder = tempfile.TemporaryDirectory(prefix="article-a-cnn-")  # removed at exit
run_dir = Path(run_folder.name)
callbacks = [
    keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=PATIENCE, restore_best_weights=True, verbose=1
    ),
    keras.callbacks.ModelCheckpoint(
        run_dir / "model.keras", monitor="val_loss", save_best_only=True
    ),
    keras.callbacks.CSVLogger(run_dir / "history.csv"),
]
with strategy.scope():
    model = build_article_a_cnn()
    model.compile(
        optimizer=article_a_optimizer(),
        loss=rmse,
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
print(
    f"{len(history.epoch)} epochs in {train_seconds:.0f} s, "
    f"{len(history.epoch) * len(X_train) / train_seconds:.0f} training images/s "
    f"(tracing and validation included)"
)

# %% [markdown]
# The 2-core CPU this book is built on trains article A's network at about 600 to 700
# faces a second in bfloat16 and about 380 in float32 (`benchmarks/results/speed.md`,
# which also times article A's own TF 1 loop); a CPU without bfloat16 instructions, such
# as many cloud notebooks', trains at the float32 rate or slower. An epoch of 2040 faces
# takes 3 to 20 seconds, and this page stops after 20 epochs: progress is obvious, but
# not finished. The project's benchmark (`benchmarks/compare_accuracy.py`) trains the
# same network for up to 40 epochs and scores it on a test set
# (`benchmarks/results/accuracy.md`); article A allowed up to 100, with early stopping.
#
# The run folder holds the best model and the log:

# %%
print(sorted(path.name for path in run_dir.iterdir()))

# %% [markdown]
# ## Read the learning curves
#
# `fit` returns a `History`, whose `history` dict holds one list per logged value; the
# CSV log holds the same. As in chapter 3, the per-epoch table (from the `History`) and
# the curves (from the CSV file). The loss is the RMSE of `y / 96`; `rmse_px` is the
# same in pixels.

# %% tags=["nbval-ignore-output"]
print(history_table(history.history).to_string(index=False))

# %%
plot_learning_curves(
    run_dir / "history.csv", metric="rmse_px", title="Article A's CNN: RMSE in pixels"
)
plt.show()

# %% [markdown]
# Unlike net1's, the training error stays *above* the validation error (*Train / Val*
# above 1): during training, dropout switches off half of `dense2`'s outputs, which
# makes the training answers worse; validation uses the whole network. The first epoch's
# training error is huge — the large initial weights — but Adam brings the validation
# error under 10 pixels within that epoch. The validation curve is noisy from epoch to
# epoch, one reason to keep the best epoch's weights rather than the last. Both curves
# are still falling at epoch 20: this run ends because of its epoch budget, not because
# early stopping found no more progress.
#
# ## Measure the error in pixels
#
# `model` now holds the best epoch's weights (`restore_best_weights`). Predict the
# validation faces, scale back to pixels (× 96), score them with the same `rmse`, and
# draw a few:

# %% tags=["nbval-ignore-output"]
y_pred = model.predict(X_valid, verbose=0) * PIXELS_PER_UNIT
best_epoch = int(np.argmin(history.history["val_loss"])) + 1
print(
    f"article A's CNN, epoch {best_epoch}, on the {len(X_valid)} validation faces: "
    f"{float(rmse(y_valid, y_pred)):.2f} px"
)

# %%
fig = plot_faces(X_valid[:NUM_FACES], y_valid[:NUM_FACES], predicted=y_pred[:NUM_FACES])
fig.suptitle("Article A's CNN on validation faces", y=1.04)
plt.show()

# %% [markdown]
# ## Compare with net1
#
# Chapter 3 validated net1 on a random 20 % of the faces. For a fair comparison, train
# net1 on the same training rows and score it on the same 100 validation faces — here
# for 200 epochs, a minute or so (chapter 3's 400 would take it a little further).
# Chapter 3 showed its Keras code; `trained_run` from the book's helpers trains the same
# net1 once and keeps the run in a cache, so that later chapters load it instead of
# training again. Add the average-face baseline of chapter 2.

# %% tags=["nbval-ignore-output"]
mlp_run = trained_run(X, y, MLP_CONFIG)
mlp_metrics = run_metrics(mlp_run)
mean_keypoints = np.broadcast_to(y_train.mean(axis=0), y_valid.shape)
predictions = [mean_keypoints, mlp_run.predict_px(X_valid), y_pred]
results = pd.DataFrame(
    {
        "model": ["average face", "net1 (MLP)", "article A's CNN"],
        "weights": [0, mlp_run.model.count_params(), model.count_params()],
        "epochs": [0, mlp_metrics["epochs_run"], len(history.epoch)],
        "train time (s)": [0, mlp_metrics["train_seconds"], train_seconds],
        "valid RMSE (px)": [
            float(rmse(y_valid, prediction)) for prediction in predictions
        ],
    }
)
print(results.round(2).to_string(index=False))

# %% [markdown]
# Both networks beat the average face clearly, and after 20 epochs the CNN is about
# where net1 is after 200. On one plot, in pixels — on a logarithmic epoch axis, since
# net1 runs ten times as many epochs:

# %%
compare_learning_curves(
    {"net1 (MLP)": mlp_run.run_dir, "article A's CNN": run_dir},
    log_x=True,
    title="Validation (solid) and training (dashed) RMSE",
)
plt.show()

# %% [markdown]
# Epoch for epoch, the CNN learns far faster: at epoch 20 net1 is still near 5 pixels,
# and the CNN's curve is still falling steeply where net1's has slowed down. Filters
# that look at neighbouring pixels, shared across the image, are the right prior for
# faces. Second for second it is the other way round on a CPU: a face costs the CNN
# about 44 million multiply-adds (four fifths of them in the convolutions), net1 under
# one million.
#
# ## The same recipe from the package
#
# The book's command line trains this network too, from the helpers' copy of it
# (`fkp_helpers.nn.models.build_model("seed-cnn")`; a test checks that it is the same
# network as `build_article_a_cnn`, with the same loss and optimizer):
#
# ```bash
# fkp train --model seed-cnn --complete-only --valid-rows 100 --epochs 20 --out runs/cnn
# ```
#
# and so does `trained_run` in Python, which chapter 5 uses: it trains the recipe once
# and afterwards loads the run from a cache:
#
# ```python
# config = TrainConfig("seed-cnn", complete_only=True, valid_rows=100, epochs=20,
#                      patience=10)
# run = trained_run(X, y, config)  # trains once, then loads the run from a cache
# ```
#
# Both add what a long run needs beyond this chapter's cell, in
# `fkp_helpers/training.py`:
#
# - **An atomic checkpoint.** Keras's `ModelCheckpoint` writes `model.keras` in place,
#   piece by piece (a zip archive of 93 MB here, with the optimizer's state); a crash, a
#   full disk or a Ctrl-C in the middle leaves a truncated file, and the best model so
#   far is lost with it. The helpers' `AtomicBestCheckpoint` saves to a temporary file
#   beside the old one and then renames it over it (`os.replace`, one atomic step within
#   a file system): at any moment `model.keras` is either the previous best model or the
#   new one, never half of one.
# - **Resume.** The run folder also gets `run.json` (the configuration and a fingerprint
#   of the data, written before the first epoch), and the log is appended to; so
#   `fkp train --resume --out runs/cnn` continues an interrupted run from its intact
#   best checkpoint, with the optimizer's state, and refuses other data or other
#   settings.
#
# ## Place it on the leaderboard
#
# Article A's network, trained on Kaggle's data and scored by Kaggle on its secret test
# set, reached an RMSE of **3.41** pixels — 41st on the leaderboard of the time. The
# winners were near **1.28**, with ensembles of larger networks. The numbers on this
# page are not comparable with those: they come from 100 validation faces of the
# stand-in (when built here), after 20 epochs. The benchmark's table
# (`benchmarks/results/accuracy.md`) scores every model on a test set.
#
# Article A's network has two weaknesses that chapter 6 works on: it uses only the 2140
# complete rows, and it throws away *where* things are when it flattens its last feature
# map into a vector for `dense1`, which then holds 96 % of the weights.

# %% [markdown]
# ## Summary
#
# - Article A's network in Keras: three `VALID` convolutions (3×3×32, 2×2×64, 2×2×128),
#   each followed by a `SAME` 2×2 max-pool, take 96×96×1 down to 11×11×128 = 15488
#   values; then `Dense(500)`, `Dense(500)`, `Dropout(0.5)` and `Dense(30)`. Weights
#   `TruncatedNormal(stddev=0.1)`, biases `Constant(0.1)`.
# - A loss is a function of `(y_true, y_pred)`; so is a metric.
# - `tf.data`: `from_tensor_slices` → `shuffle` → `batch` → `repeat` → `prefetch`; check
#   one batch with `assert`s.
# - On a GPU, `mixed_float16` with a float32 output layer; on several GPUs,
#   `MirroredStrategy`, with the model built and compiled in `strategy.scope()`.
# - `compile(optimizer, loss, metrics)`, then `fit` with callbacks:
#   `EarlyStopping(restore_best_weights=True)`, `ModelCheckpoint(save_best_only=True)`,
#   `CSVLogger`.
# - Compare models on the same validation rows, in pixels.
#
# ## What's next
#
# [Chapter 5](05_predictions.ipynb) predicts Kaggle's test faces with this network,
# writes a submission file and looks at where the network goes wrong.
#
# ## Exercises

# %% [markdown]
# **Exercise 1.** Change the first `Conv2D`'s padding in `build_article_a_cnn` to
# `"same"`. What is the flattened size now, and how many weights does `dense1` get? Work
# it out, then check it with Keras.


# %% tags=["hide-cell"]
# Solution to exercise 1
# 96 -> conv1 SAME 96 -> pool 48 -> conv2 47 -> pool 24 -> conv3 23 -> pool 12:
# 12 * 12 * 128 = 18432 values, and dense1 gets 18432 * 500 + 500 = 9,216,500 weights.
# Instead of editing a copy of the function, clone the network with conv1 changed:
def with_same_padding_first(layer: keras.layers.Layer) -> keras.layers.Layer:
    """A new layer like `layer`; conv1 with padding="same"."""
    config = layer.get_config()
    if layer.name == "conv1":
        config["padding"] = "same"
    return type(layer).from_config(config)


variant = keras.models.clone_model(
    build_article_a_cnn(), clone_function=with_same_padding_first
)
print(
    "flatten:",
    variant.get_layer("flatten").output.shape[1],
    "| dense1 weights:",
    f"{variant.get_layer('dense1').count_params():,}",
)

# %% [markdown]
# **Exercise 2.** Give the network Keras's default initial values — Glorot-uniform
# weights and zero biases — and compare the first epoch's training RMSE with the run
# above.

# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 2
glorot = build_article_a_cnn()
for layer in glorot.layers:
    if hasattr(layer, "kernel"):
        layer.kernel.assign(keras.initializers.GlorotUniform()(layer.kernel.shape))
        layer.bias.assign(tf.zeros_like(layer.bias))
glorot.compile(
    optimizer=article_a_optimizer(),
    loss=rmse,
    metrics=[rmse_px],
    steps_per_execution=steps_per_epoch,
)
first = glorot.fit(
    train_data,
    epochs=1,
    steps_per_epoch=steps_per_epoch,
    validation_data=valid_data,
    shuffle=False,
    verbose=0,
)
print(
    f"first epoch, training RMSE: {history.history['rmse_px'][0]:.1f} px with "
    f"article A's values, {first.history['rmse_px'][0]:.1f} px with Glorot and zeros"
)
# Far lower with Glorot: its weights shrink with the number of inputs, so the untrained
# network's answers start near the image instead of hundreds of pixels away.

# %% [markdown]
# **Exercise 3.** Train with `batch_size=32` and with `batch_size=256` for a few epochs.
# Which trains more images per second on your machine, and which reaches a lower
# validation RMSE after the same number of epochs?

# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 3
for batch_size in [32, 256]:
    steps = math.ceil(len(X_train) / batch_size)
    trial = build_article_a_cnn()
    trial.compile(
        optimizer=article_a_optimizer(),
        loss=rmse,
        metrics=[rmse_px],
        steps_per_execution=steps,
    )
    started = time.perf_counter()
    trial_history = trial.fit(
        training_batches(X_train, y_train, batch_size),
        epochs=EXERCISE_EPOCHS,
        steps_per_epoch=steps,
        validation_data=valid_data,
        shuffle=False,
        verbose=0,
    )
    rate = EXERCISE_EPOCHS * len(X_train) / (time.perf_counter() - started)
    print(
        f"batch {batch_size:3d}: {rate:4.0f} images/s (with tracing), valid RMSE "
        f"after {EXERCISE_EPOCHS} epochs "
        f"{trial_history.history['val_rmse_px'][-1]:.2f} px"
    )
print(
    f"batch  64: valid RMSE after {EXERCISE_EPOCHS} epochs "
    f"{history.history['val_rmse_px'][EXERCISE_EPOCHS - 1]:.2f} px (the run above)"
)
# After the same number of epochs the smaller batches have learned more: they took more
# steps. On a CPU the images per second differ little (these rates include the first
# epoch's tracing); a GPU runs large batches much faster.

# %% [markdown]
# **Exercise 4.** Shift the validation faces one pixel to the right (as in chapter 3's
# exercise, keypoints `x + 1`) and compare the error of net1 and of the CNN before and
# after.

# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 4
for shift in [0, 1, 5]:
    X_shifted = np.roll(X_valid, shift, axis=2)  # axis 2: columns; the last ones wrap
    y_shifted = y_valid.copy()
    y_shifted[:, 0::2] += shift  # the x columns
    cnn_shifted = model.predict(X_shifted, verbose=0) * PIXELS_PER_UNIT
    print(
        f"shifted {shift} px: net1 "
        f"{float(rmse(y_shifted, mlp_run.predict_px(X_shifted))):.2f} px, "
        f"CNN {float(rmse(y_shifted, cnn_shifted)):.2f} px"
    )
# Both get worse by about as much. The convolutions respond to a face wherever it is,
# but dense1 reads the flattened map position by position: that part of the CNN is as
# tied to pixel positions as net1. Chapter 6's network keeps the positions to the end.

# %% [markdown]
# **Exercise 5.** Load the best checkpoint, `run_dir / "model.keras"`, with
# `keras.models.load_model` and check that it predicts what `model` predicts. Why are
# they the same? (Hint: the model was compiled with the chapter's own `rmse` and
# `rmse_px`.)

# %% tags=["hide-cell"]
# Solution to exercise 5
# Keras saves the names of custom functions; `custom_objects` maps them back to code.
best = keras.models.load_model(
    run_dir / "model.keras", custom_objects={"rmse": rmse, "rmse_px": rmse_px}
)
same = np.allclose(best.predict(X_valid, verbose=0), model.predict(X_valid, verbose=0))
print("the checkpoint predicts what the restored model predicts:", same)
# Both hold the best epoch's weights: ModelCheckpoint saved them when the validation
# loss last improved, and EarlyStopping(restore_best_weights=True) put them back at the
# end.

# %% [markdown]
# **Exercise 6.** Continue training `model` for a few more epochs, from where it stopped
# (`fit(..., initial_epoch=len(history.epoch), epochs=...)`, with the same callbacks).
# Does the validation RMSE keep improving?

# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 6
# A new CSVLogger with append=True adds to history.csv instead of starting it again.
more_callbacks = [
    *callbacks[:2],
    keras.callbacks.CSVLogger(run_dir / "history.csv", append=True),
]
done = len(history.epoch)
more = model.fit(
    train_data,
    initial_epoch=done,
    epochs=done + EXERCISE_EPOCHS,
    steps_per_epoch=steps_per_epoch,
    validation_data=valid_data,
    callbacks=more_callbacks,
    shuffle=False,
    verbose=0,
)
print(
    f"valid RMSE: {min(history.history['val_rmse_px']):.2f} px before, "
    f"{min(more.history['val_rmse_px']):.2f} px at best in the next "
    f"{EXERCISE_EPOCHS} epochs"
)
# A few epochs are hard to judge in the noise of the validation curve; the benchmark's
# run goes on improving often enough that early stopping never ends its 40 epochs.
# Careful: EarlyStopping starts afresh in every `fit`, so `model` now holds the best of
# these epochs only, even if it is worse than before; ModelCheckpoint remembers its best
# across calls, so model.keras still holds the best of all.

# %% [markdown]
# ## Resources
#
# - [Keras: `Conv2D`](https://keras.io/api/layers/convolution_layers/convolution2d/) and
#   [`MaxPooling2D`](https://keras.io/api/layers/pooling_layers/max_pooling2d/)
# - [Keras callbacks](https://keras.io/api/callbacks/): `EarlyStopping`,
#   `ModelCheckpoint`, `CSVLogger`
# - [`tf.data`: build TensorFlow input pipelines](https://www.tensorflow.org/guide/data)
#   and [better performance with `tf.data`][data-performance]
# - [Mixed precision](https://www.tensorflow.org/guide/mixed_precision)
# - [Distributed training with Keras][distribute]
#
# [data-performance]: https://www.tensorflow.org/guide/data_performance
# [distribute]: https://www.tensorflow.org/tutorials/distribute/keras
