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
# # Tensor basics
#
# [Open in Colab](https://colab.research.google.com/github/fkp-book/facial-keypoints-book/blob/main/notebooks/01_tensor_basics.ipynb)
# | [Download the notebook](https://github.com/fkp-book/facial-keypoints-book/raw/main/notebooks/01_tensor_basics.ipynb)
#
# Everything a network does to a face is arithmetic on *tensors*: the 96×96 image, its
# 30 keypoint coordinates and the weights in between. The tutorial this book retells was
# written for TensorFlow 1, which drew a graph first and ran it in a `Session` later.
# This chapter teaches TensorFlow 2, which runs code as you write it, and shows where
# each TensorFlow 1 idea went.

# %% [markdown]
# ## Overview
#
# 1. Create tensors and read their dtype, shape and rank.
# 2. Turn a flat row of 9216 pixels into a 96×96×1 image and a batch of images.
# 3. Keep weights in variables and update them in place.
# 4. Compute: elementwise operations, matrix products, reductions and a 2-D convolution.
# 5. Broadcast shapes to centre and scale keypoint targets.
# 6. Trace graphs with `tf.function`, where TensorFlow 1's placeholders and sessions
#    went.
# 7. Take gradients with `tf.GradientTape` and fit a line by gradient descent.

# %% [markdown]
# ## Prerequisites
#
# | Concepts | Importance | Notes |
# | --- | --- | --- |
# | Python and NumPy arrays | Necessary | indexing, `shape`, `reshape` |
# | Derivatives and gradient descent | Helpful | chain rule; step against the gradient |
# | Matrix multiplication | Helpful | rows times columns |
#
# **Time to learn**: 30 minutes

# %% [markdown]
# ## Setup

# %%
# On Colab, install this book's helpers next to Colab's own TensorFlow
# (nothing is reinstalled).
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "fkp-helpers @ git+https://github.com/fkp-book/facial-keypoints-book",
        ],
        check=True,
    )


# %%
import fkp_helpers.nn.tensorflow_setup  # noqa: F401

# Loads TensorFlow once, quietly (no start-up notices).
import re

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from fkp_helpers.keypoints import IMAGE_SIZE, NUM_PIXELS, NUM_TARGETS

keras.utils.set_random_seed(0)  # seeds Python, NumPy and TensorFlow at once

# %%
SEED = 0  # for the synthetic data below
NUM_STEPS = 20  # gradient-descent steps when fitting a line
LR = 0.5  # learning rate of those steps

# %% [markdown]
# ## Create tensors
#
# `tf.constant` turns a Python value into a tensor. Every tensor has a **dtype** (the
# type of its elements), a **shape** (the size along each axis) and a **rank** (the
# number of axes). Give a shape with a single value and the tensor is filled with it,
# like the tutorial's 2×2 array; `.numpy()` hands the values back as a NumPy array.
# Tensors never change dtype behind your back: adding an integer tensor to a float
# tensor is an error, so convert with `tf.cast`.

# %%
scalar = tf.constant(3.0)
print(scalar)
print("dtype:", scalar.dtype.name, "| shape:", scalar.shape, "| rank:", scalar.ndim)
filled = tf.constant(-1.0, shape=(2, 2))
print(filled)
print(type(filled.numpy()).__name__, filled.numpy().tolist())
counts = tf.constant([1, 2, 3])
print(counts.dtype.name, "->", tf.cast(counts, tf.float32) + 0.5)

# %% [markdown]
# ## Reshape pixels into images
#
# Kaggle stores each face as one row of 96·96 = 9216 numbers, row by row. Here a
# synthetic gradient (dark at the top left, bright at the bottom right) stands in for a
# face. NumPy's default dtype is `float64`; Keras layers compute in `float32`, so ask
# for that when converting.

# %%
flat = np.linspace(0.0, 1.0, NUM_PIXELS)
print("NumPy:", flat.shape, flat.dtype, "| as is:", tf.constant(flat).dtype.name)
pixels = tf.constant(flat, dtype=tf.float32)
print("tensor:", pixels.shape, pixels.dtype.name)

# %% [markdown]
# `tf.reshape` changes the shape, never the order of the values: the first 96 values
# become the first row of the image. Images carry a last *channel* axis (1 for
# grayscale, 3 for colour). A model takes a **batch** of images, shaped
# `(N, 96, 96, 1)`; pass `-1` for the one axis that TensorFlow should work out
# itself — here the number of images.

# %%
image = tf.reshape(pixels, (IMAGE_SIZE, IMAGE_SIZE, 1))
print("image:", image.shape, "rank", image.ndim)
print("row 1, column 0 is flat value 96:", bool(image[1, 0, 0] == pixels[96]))
# 3 images, 9216 pixels each
flat_batch = np.stack([flat, flat[::-1], 0.5 * flat]).astype("float32")
images = tf.reshape(flat_batch, (-1, IMAGE_SIZE, IMAGE_SIZE, 1))
print(flat_batch.shape, "->", images.shape)

# %% [markdown]
# ## Keep weights in variables
#
# Tensors are immutable. A `tf.Variable` is built from a tensor and holds a value that
# *can* be updated in place — which is what training does to every weight, thousands
# of times.

# %%
v = tf.Variable(tf.zeros((2, 2)))
v.assign(filled)  # replace the value
v.assign_add(tf.ones((2, 2)) * 3)  # add to it in place
print(v.numpy().tolist(), "| trainable:", v.trainable)

# %% [markdown]
# The tutorial starts its convolution filters as small random numbers, truncated-normal
# with standard deviation 0.1: values further than two standard deviations from 0 are
# redrawn. A filter bank has shape `(height, width, in_channels, out_channels)`.

# %%
kernel = tf.Variable(tf.random.truncated_normal((3, 3, 1, 32), stddev=0.1))
print(kernel.shape, kernel.dtype.name)
print("every |weight| <= 0.2:", bool(tf.reduce_max(tf.abs(kernel)) <= 0.2))

# %% [markdown]
# Keras layers keep their weights in variables too. Chapter 3 builds models from layers
# like this:

# %%
layer = keras.layers.Dense(100)
layer.build((None, NUM_PIXELS))  # inputs: a batch of flat images
print([(weight.path, tuple(weight.shape)) for weight in layer.weights])

# %% [markdown]
# ## Compute with operations
#
# Arithmetic operators work element by element; `tf.matmul` (or `@`) is the matrix
# product. Reductions collapse axes: without `axis` they reduce everything; with `axis`
# they keep the rest — here one mean brightness per image of the batch.

# %%
a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
b = tf.constant([[0.0, 1.0], [1.0, 0.0]])
print("a * b =", (a * b).numpy().tolist())
print("a @ b =", tf.matmul(a, b).numpy().tolist())
print("mean of everything:", round(float(tf.reduce_mean(images)), 4))
print("mean per image:", tf.reduce_mean(images, axis=[1, 2, 3]).numpy().round(4))

# %% [markdown]
# ## Convolve an image with a filter
#
# A convolution slides a small filter over the image and, at each position, sums the
# products of the filter and the pixels under it. Take a 5×5 image, dark on the left
# and bright on the right, and a 3×3 filter that responds to left-to-right increases in
# brightness. `tf.nn.conv2d` wants the image as a batch `(N, height, width, channels)`
# and the filter as `(height, width, in, out)`.

# %%
edge_image = np.array([[0, 0, 1, 1, 1]] * 5, dtype="float32")
edge_filter = np.array([[-1, 0, 1]] * 3, dtype="float32")
x = edge_image.reshape(1, 5, 5, 1)
f = edge_filter.reshape(3, 3, 1, 1)
for padding in ["VALID", "SAME"]:
    out = tf.nn.conv2d(x, f, strides=1, padding=padding)
    print(padding, out.shape)
    print(out.numpy()[0, :, :, 0].astype(int))

# %% [markdown]
# `VALID` only places the filter where it fits: a k×k filter shrinks each side from n
# to n − k + 1 (5 → 3). `SAME` pads the border with zeros so the output keeps the
# input's size — and the zeros create a false edge at the right border. The tutorial's
# network uses `VALID` convolutions and 2×2 max-pooling with `SAME` padding, which
# halves each side, rounding up. Follow one 96×96 image through it to see where
# chapter 4's flattened size 11·11·128 comes from:

# %%
x = tf.zeros((1, IMAGE_SIZE, IMAGE_SIZE, 1))
for size, channels in [(3, 32), (2, 64), (2, 128)]:
    filters = tf.zeros((size, size, x.shape[-1], channels))
    x = tf.nn.conv2d(x, filters, strides=1, padding="VALID")
    print(f"conv {size}x{size}x{channels}: {x.shape}", end="  ->  ")
    x = tf.nn.max_pool2d(x, ksize=2, strides=2, padding="SAME")
    print(f"max-pool: {x.shape}")
print("flattened:", x.shape[1] * x.shape[2] * x.shape[3], "=", "11*11*128")

# %% [markdown]
# ## Broadcast shapes
#
# The targets of a batch of N faces form an `(N, 30)` tensor: x and y of 15 keypoints,
# in pixels. An operation between tensors of different shapes **broadcasts**: TensorFlow
# lines the shapes up from the right, and an axis of size 1 (or a missing one) is
# stretched to match. Subtracting the `(30,)` mean of each column from `(N, 30)` targets
# therefore centres every column. A scalar broadcasts against anything: `(y - 48) / 48`
# scales pixel coordinates 0…96 into −1…1, as the classic Lasagne tutorial does.

# %%
rng = np.random.default_rng(SEED)
y = tf.constant(rng.uniform(20.0, 76.0, size=(4, NUM_TARGETS)), dtype=tf.float32)
column_mean = tf.reduce_mean(y, axis=0)
centred = y - column_mean
print(y.shape, "-", column_mean.shape, "->", centred.shape)
new_means = tf.reduce_mean(centred, axis=0)
print("column means now ≈ 0:", bool(tf.reduce_all(tf.abs(new_means) < 1e-5)))
y_scaled = (y - 48.0) / 48.0
low, high = float(tf.reduce_min(y)), float(tf.reduce_max(y))
print("pixels:", round(low, 2), "to", round(high, 2))
low, high = float(tf.reduce_min(y_scaled)), float(tf.reduce_max(y_scaled))
print("scaled:", round(low, 3), "to", round(high, 3))

# %% [markdown]
# Shapes that do not line up raise an error instead of guessing:

# %%
try:
    y - tf.zeros(NUM_TARGETS // 2)
except tf.errors.InvalidArgumentError as err:
    shapes = re.search(r"Incompatible shapes: \S+ vs\. \S+", err.message).group()
    print(type(err).__name__ + ":", shapes)

# %% [markdown]
# ## Trace graphs with `tf.function`
#
# In TensorFlow 1 — the tutorial's version — code only *described* a computation.
# `a * (b + c)` returned a symbolic handle; a `Session` evaluated it later (lazy
# evaluation), with values fed into placeholders:
#
# ```python
# # TensorFlow 1.x: does not run in TensorFlow 2
# a = tf.placeholder(tf.float32)
# b = tf.placeholder(tf.float32)
# c = tf.placeholder(tf.float32)
# result = a * (b + c)  # nothing computed yet
# with tf.Session() as sess:
#     print(sess.run(result, feed_dict={a: 6.0, b: 3.0, c: 5.0}))  # 48.0
# ```
#
# TensorFlow 2 runs **eagerly**: each operation computes its value at once.

# %%
print(6 * (tf.constant(3.0) + 5))

# %% [markdown]
# Graphs are still there — they are faster, and they can be saved and run without
# Python. `tf.function` *traces* a Python function into one: the placeholders became the
# function's arguments, described by a `tf.TensorSpec`, and `Session.run` became a plain
# call.

# %%
scalar_spec = tf.TensorSpec(shape=(), dtype=tf.float32)
graph_fn = tf.function(lambda a, b, c: a * (b + c), input_signature=[scalar_spec] * 3)
concrete = graph_fn.get_concrete_function()
for op in concrete.graph.get_operations():
    print(f"{op.name:9} {op.type:12} inputs: {[t.name for t in op.inputs]}")
print(graph_fn(6.0, 3.0, 5.0))

# %% [markdown]
# The graph is the tutorial's drawing of `6*(3+5)`: three inputs, an addition, a
# multiplication.
#
# | TensorFlow 1 | TensorFlow 2 |
# | --- | --- |
# | `tf.placeholder` | a function argument; `tf.TensorSpec` in an `input_signature` |
# | `sess.run(result, feed_dict=...)` | call the function |
# | lazy evaluation of a graph | eager by default; graphs traced by `tf.function` |
# | `tf.global_variables_initializer()` | a `tf.Variable` is initialised when created |
#
# Without an `input_signature`, `tf.function` traces once per new input shape and dtype.
# Python code such as `print` runs only while tracing, which makes the traces visible:


# %%
@tf.function
def double(x):
    print("  tracing for", x.shape, x.dtype.name)
    return 2 * x


values = [tf.constant(1.0), tf.constant(2.0), tf.constant([1.0, 2.0]), tf.constant(1)]
for value in values:
    print("call with", value.numpy(), "->", double(value).numpy())
print("traces:", double.experimental_get_tracing_count())

# %% [markdown]
# The second call reused the first graph; a new shape and a new dtype each traced a
# new one. Pass tensors rather than Python numbers — each new Python number traces
# again — and use `tf.print` for output that should appear on every call. Keras traces
# its training step for you.

# %% [markdown]
# ## Take gradients with `tf.GradientTape`
#
# Training needs the derivative of a loss with respect to every weight. A `GradientTape`
# records the operations run inside its block and then applies the chain rule backwards
# through them. It watches trainable variables automatically.

# %%
w = tf.Variable(3.0)
with tf.GradientTape() as tape:
    loss = (2 * w - 4) ** 2
print("loss:", float(loss), "| dloss/dw:", float(tape.gradient(loss, w)))
print("by hand: d/dw (2w - 4)^2 = 4 * (2w - 4) =", 4 * (2 * 3.0 - 4))

# %% [markdown]
# ## Fit a line by gradient descent
#
# Now the whole recipe of training on a tiny problem: 100 points on the line
# y = 3x − 0.5 plus a little noise. Start with w = b = 0, and at each step compute the
# mean squared error, take its gradient and step each variable against it.

# %%
X = rng.uniform(-1.0, 1.0, size=(100, 1)).astype("float32")
y = 3.0 * X - 0.5 + rng.normal(0.0, 0.1, size=(100, 1)).astype("float32")
w = tf.Variable(0.0)
b = tf.Variable(0.0)
losses = []
print(" step    loss      w       b")
for step in range(NUM_STEPS):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((w * X + b - y) ** 2)
    if step % 4 == 0 or step == NUM_STEPS - 1:
        print(f"{step:5d}  {float(loss):.4f}  {float(w):6.3f}  {float(b):6.3f}")
    losses.append(float(loss))
    dw, db = tape.gradient(loss, [w, b])
    w.assign_sub(LR * dw)
    b.assign_sub(LR * db)

# %%
plt.figure(figsize=(8, 4))
plt.semilogy(losses, marker="o")
plt.title("Fitting y = 3x − 0.5 by gradient descent")
plt.xlabel("step")
plt.xticks(range(0, NUM_STEPS, 2))
plt.ylabel("mean squared error (log scale)")
plt.grid(True, which="both", alpha=0.3)
plt.show()

# %% [markdown]
# The loss levels off near the variance of the noise (0.1² = 0.01) as w and b
# approach 3 and −0.5. That loop — forward pass, loss, gradient, update — is all
# of training. Keras's `fit` runs it for us: a one-unit `Dense` layer is the same
# line, and plain SGD on the whole data set at once takes the very same steps.

# %%
model = keras.Sequential(
    [keras.Input(shape=(1,)), keras.layers.Dense(1, kernel_initializer="zeros")]
)
model.compile(optimizer=keras.optimizers.SGD(learning_rate=LR), loss="mse")
history = model.fit(X, y, batch_size=len(X), epochs=NUM_STEPS, shuffle=False, verbose=0)
kernel_fit, bias_fit = model.get_weights()
w_keras, b_keras = kernel_fit[0, 0], bias_fit[0]
loss_keras = history.history["loss"][-1]
print(f"Keras:     w = {w_keras:.3f}, b = {b_keras:.3f}, last loss {loss_keras:.4f}")
print(f"our loop:  w = {float(w):.3f}, b = {float(b):.3f}, last loss {losses[-1]:.4f}")

# %% [markdown]
# ## Summary
#
# - A tensor has a dtype, a shape and a rank; a face is 9216 numbers reshaped to
#   `(96, 96, 1)`, a batch is `(N, 96, 96, 1)`.
# - Weights live in `tf.Variable`s, updated in place with `assign`, `assign_add`,
#   `assign_sub`.
# - `VALID` convolutions shrink each side by k − 1, `SAME` ones keep it; 2×2 `SAME`
#   pooling halves it.
# - Broadcasting lines shapes up from the right: `(N, 30) - (30,)` centres targets.
# - TensorFlow 2 is eager; `tf.function` traces graphs, with arguments for placeholders
#   and a call for `Session.run`.
# - `tf.GradientTape` gives gradients; forward, loss, gradient, update is the loop
#   Keras's `fit` runs.
#
# ## What's next
#
# The next chapter loads Kaggle's faces and keypoints into exactly the tensors of this
# one: `(N, 96, 96, 1)` images and `(N, 30)` targets. Chapter 3 trains a first network
# on them with `fit`.

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by a worked solution; click to show it.

# %% [markdown]
# **Exercise 1.** Which rank does `tf.nn.conv2d` need for its input? Turn `image` into a
# batch of one (hint: `tf.newaxis` or `tf.expand_dims`) and convolve it with
# `edge_filter`.

# %% tags=["hide-cell"]
# Solution to exercise 1
# tf.nn.conv2d needs rank 4, (batch, height, width, channels); `image` has rank 3.
batch_of_one = image[tf.newaxis]  # the same as tf.expand_dims(image, axis=0)
print("image:", image.shape, "-> batch of one:", batch_of_one.shape)
filter_bank = edge_filter.reshape(3, 3, 1, 1)  # (height, width, in, out)
response = tf.nn.conv2d(batch_of_one, filter_bank, strides=1, padding="VALID")
print("response:", response.shape)
# The gradient brightens by 1/9215 per pixel to the right, so the filter sees the
# same small rise everywhere: 3 rows x (2 pixels apart) / 9215.
low, high = float(tf.reduce_min(response)), float(tf.reduce_max(response))
print(f"from {low:.6f} to {high:.6f}")
print(f"expected 3 * 2 / 9215 = {3 * 2 / 9215:.6f}")

# %% [markdown]
# **Exercise 2.** Rotate `edge_filter` by 90° (`np.rot90`) and convolve `edge_image.T`.
# What do you expect?

# %% tags=["hide-cell"]
# Solution to exercise 2
# np.rot90 turns the filter counter-clockwise: its +1s move to the top row, so it
# responds to brightness that *falls* from top to bottom. edge_image.T is dark at
# the top and bright below: expect the same edge, transposed, with the sign flipped.
rotated_filter = np.rot90(edge_filter)
print(rotated_filter.astype(int))


def convolve_valid(image_2d: np.ndarray, filter_2d: np.ndarray) -> np.ndarray:
    """`VALID` convolution of an (h, w) image with a (k, k) filter: (h-k+1, w-k+1)."""
    batch = image_2d.reshape(1, *image_2d.shape, 1)
    filters = np.ascontiguousarray(filter_2d).reshape(*filter_2d.shape, 1, 1)
    return tf.nn.conv2d(batch, filters, strides=1, padding="VALID").numpy()[0, :, :, 0]


rotated_response = convolve_valid(edge_image.T, rotated_filter)
print(rotated_response.astype(int))
original_response = convolve_valid(edge_image, edge_filter)
same_edge = np.array_equal(rotated_response, -original_response.T)
print("minus the original, transposed:", same_edge)

# %% [markdown]
# **Exercise 3.** Work out by hand the flattened size of the convolution stack above
# when the three convolutions use `SAME` padding, then check it with the loop.

# %% tags=["hide-cell"]
# Solution to exercise 3
# By hand: SAME convolutions keep the size, each 2x2 pool halves it (rounding up):
# 96 -> 48 -> 24 -> 12, so the flattened size is 12 * 12 * 128 = 18432.
x = tf.zeros((1, IMAGE_SIZE, IMAGE_SIZE, 1))
for size, channels in [(3, 32), (2, 64), (2, 128)]:
    filters = tf.zeros((size, size, x.shape[-1], channels))
    x = tf.nn.conv2d(x, filters, strides=1, padding="SAME")
    x = tf.nn.max_pool2d(x, ksize=2, strides=2, padding="SAME")
    print(f"conv {size}x{size}x{channels} and max-pool: {x.shape}")
print("flattened:", x.shape[1] * x.shape[2] * x.shape[3], "=", 12 * 12 * 128)

# %% [markdown]
# **Exercise 4.** Call `double` with the Python number 1.0. Why does it fail? Write a
# copy of `double` that prints `x` itself, and call it with the Python numbers 1.0, 2.0,
# 3.0 and 2.0. How many traces are there, and why?

# %% tags=["hide-cell"]
# Solution to exercise 4
# A Python number reaches the traced function as itself, not as a tensor, so it has
# no `.shape`:
try:
    double(1.0)
except AttributeError as err:  # the message's last line; the rest points into the code
    print(str(err).strip().splitlines()[-1].strip())


@tf.function
def double_anything(x):
    print("  tracing for", repr(x))
    return 2 * x


for number in [1.0, 2.0, 3.0, 2.0]:
    print("call with", number, "->", double_anything(number).numpy())
print("traces:", double_anything.experimental_get_tracing_count())
# Three: each new Python number is baked into its own graph as a constant, so each
# new value traces again; only the repeated 2.0 reuses a graph. Tensors of the same
# shape and dtype share one graph, whatever their values.

# %% [markdown]
# **Exercise 5.** Fit the line with `LR = 1.1` and with `LR = 0.05`. What happens to the
# loss table?


# %% tags=["hide-cell"]
# Solution to exercise 5
def fit_line(lr: float) -> list[float]:
    """Gradient descent on the line's MSE from w = b = 0: the loss before each step."""
    w, b = tf.Variable(0.0), tf.Variable(0.0)
    losses = []
    for _ in range(NUM_STEPS):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((w * X + b - y) ** 2)
        losses.append(float(loss))
        dw, db = tape.gradient(loss, [w, b])
        w.assign_sub(lr * dw)
        b.assign_sub(lr * db)
    return losses


rates = [1.1, LR, 0.05]
curves = {lr: fit_line(lr) for lr in rates}
print(" step" + "".join(f"   LR = {lr:<5}" for lr in rates))
for step in [*range(0, NUM_STEPS, 4), NUM_STEPS - 1]:
    print(f"{step:5d}" + "".join(f"  {curves[lr][step]:11.4f}" for lr in rates))

plt.figure(figsize=(8, 4))
for lr, curve in curves.items():
    plt.semilogy(curve, marker="o", label=f"LR = {lr}")
plt.title("The same fit with three learning rates")
plt.xlabel("step")
plt.xticks(range(0, NUM_STEPS, 2))
plt.ylabel("mean squared error (log scale)")
plt.legend()
plt.grid(True, which="both", alpha=0.3)
plt.show()
# LR = 1.1 overshoots: the loss falls at first, then grows step after step. The
# bias b sees a loss curved three times as sharply as w (its second derivative is
# 2, w's is 2 * mean(x^2), about 2/3), and any LR above 2 / 2 = 1 makes b's steps
# grow.
# LR = 0.05 is stable but slow: after 20 steps the loss is still far above the
# noise level of 0.01.

# %% [markdown]
# ## Resources
#
# - [Introduction to tensors](https://www.tensorflow.org/guide/tensor) and
#   [Introduction to variables](https://www.tensorflow.org/guide/variable)
# - [Better performance with tf.function](https://www.tensorflow.org/guide/function)
# - [Introduction to gradients and automatic
#   differentiation](https://www.tensorflow.org/guide/autodiff)
# - [Migrate from TensorFlow 1 to
#   TensorFlow 2](https://www.tensorflow.org/guide/migrate)
