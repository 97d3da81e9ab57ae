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
# # Loading the data
#
# [Open in Colab](https://colab.research.google.com/github/fkp-book/facial-keypoints-book/blob/main/notebooks/02_loading_the_data.ipynb)
# | [Download the notebook](https://github.com/fkp-book/facial-keypoints-book/raw/main/notebooks/02_loading_the_data.ipynb)
#
# Kaggle's *Facial Keypoints Detection* data comes as three CSV files: 7049 training
# faces with up to 15 labelled keypoints each, 1783 test faces without labels, and a
# lookup table that says which coordinates a submission must give. This chapter gets the
# files, reads them into the arrays of chapter 1 — images `(N, 96, 96, 1)` and targets
# `(N, 30)` — and looks hard at what they hold, above all at what they do *not* hold:
# most keypoints are missing from most rows.

# %% [markdown]
# ## Overview
#
# 1. Get Kaggle's files with the Kaggle command line, or use the generated stand-in.
# 2. Read `training.csv` into arrays, and check them against the articles' pandas way.
# 3. Count the missing keypoints and see how they sit in the file: two sources, one
#    after the other.
# 4. Look at faces with their keypoints, and name the 15 keypoints on one face.
# 5. Draw the average face shape and how far each keypoint strays from it.
# 6. Read the test set and the lookup table.
# 7. Scale pixels and targets the way the two articles do, and back to pixels.

# %% [markdown]
# ## Prerequisites
#
# | Concepts | Importance | Notes |
# | --- | --- | --- |
# | [Tensor basics](01_tensor_basics.ipynb) | Necessary | shapes, broadcasting |
# | NumPy indexing, masks | Necessary | `y[:, 0::2]`, `np.isfinite`, `.all(axis=1)` |
# | CSV files | Helpful | a header line, then comma-separated fields |
# | pandas | Helpful | only for the comparison with the articles' code |
#
# **Time to learn**: 25 minutes

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
import itertools
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from fkp_helpers import (
    find_data,
    flip_permutation,
    load_lookup,
    load_test,
    load_training,
)
from fkp_helpers.figures.faces import (
    plot_faces,
    plot_keypoint_spread,
    plot_labelled_counts,
    plot_labelled_mask,
    plot_mean_shape,
    plot_named_keypoints,
)
from fkp_helpers.keypoints import (
    FOUR_KEYPOINT_SOURCE,
    IMAGE_SIZE,
    KEYPOINT_COLUMNS,
    KEYPOINT_NAMES,
    NUM_PIXELS,
    keypoint_index,
)
from fkp_helpers.standin.dataset import KAGGLE_LABELLED_COUNTS

# %%
SEED = 0  # picks the faces of the sample grid
NUM_FACES = 16  # faces in the sample grid (4 x 4)
CLOSE_UP_ROW = 0  # the training row shown close up, every keypoint named
PANDAS_ROWS = 200  # rows read the articles' way, for the comparison
NUM_TEST_FACES = 8  # test faces shown

# %% [markdown]
# ## Get the data
#
# ### Kaggle's files
#
# The competition's data needs a Kaggle account and may not be redistributed, so this
# book never ships it. To download it you need three things:
#
# 1. **The Kaggle command line**: `pip install kaggle`.
# 2. **An API token**: on kaggle.com, *Settings → API → Create New Token* downloads
#    `kaggle.json`. Put it at `~/.kaggle/kaggle.json` (readable by you only), or set the
#    environment variables `KAGGLE_USERNAME` and `KAGGLE_KEY` from the values inside it.
# 3. **The competition's rules accepted**: open
#    [the rules page](https://www.kaggle.com/c/facial-keypoints-detection/rules) and
#    click *I Understand and Accept*. Without it the download fails with
#    `403 - Forbidden`.
#
# Then, in a terminal:
#
# ```bash
# pip install kaggle
# mkdir -p ~/.kaggle
# mv ~/Downloads/kaggle.json ~/.kaggle/ && chmod 600 ~/.kaggle/kaggle.json
# kaggle competitions download facial-keypoints-detection -p data
# ```
#
# On Colab, upload the token from a code cell first (or store `KAGGLE_USERNAME` and
# `KAGGLE_KEY` as Colab *secrets* and copy them into `os.environ` with
# `google.colab.userdata.get`):
#
# ```ipython3
# from google.colab import files
# files.upload()  # choose kaggle.json
# !mkdir -p ~/.kaggle
# !mv kaggle.json ~/.kaggle/ && chmod 600 ~/.kaggle/kaggle.json
# ```
#
# The download, `data/facial-keypoints-detection.zip`, holds `training.zip` (60 MB),
# `test.zip` (16 MB), `IdLookupTable.csv` and `SampleSubmission.csv`. You need not
# unpack anything: the function below does.
#
# ### The stand-in
#
# Without Kaggle's files, every chapter runs on a **stand-in**: generated faces with
# known keypoints, written in exactly Kaggle's files and format — the same columns,
# the same number of rows, and the same number of labelled values per keypoint. It is
# generated once (in a minute or so) into a cache folder; `fkp synth --out DIR` writes
# it into a folder of your choice, and `fkp data info --data DIR` checks and
# summarises any data folder. The page [The stand-in dataset](../book/stand_in.md)
# shows how its faces are drawn.
#
# ### Find the data
#
# `find_data` takes the first of: a folder you pass it, `$FKP_DATA_DIR`, `./data` if it
# holds Kaggle's files, a fresh download into `./data` (with `download=True`, and only
# where a token and the `kaggle` command exist), and otherwise the stand-in. It prints
# one line saying which — the line below tells you what this page ran on. The
# `DataSource` it returns knows the paths of the files (`source.training_csv`,
# `source.test_csv`, `source.lookup_csv`) and their `kind`, `"kaggle"` or `"stand-in"`.

# %%
source = find_data(download=True)

# %% [markdown]
# ## Read the training file
#
# `load_training` reads `training.csv` into two arrays: `X`, the images as `float32` of
# shape `(N, 96, 96, 1)` with pixels divided by 255, and `y`, the 30 keypoint
# coordinates in pixels, NaN where a keypoint is missing. It keeps every row: which rows
# to drop is the caller's choice, made below. The parsed arrays are cached, so the next
# load of the same file takes a fraction of a second.

# %%
X, y = load_training(source.training_csv)
print("X:", X.shape, X.dtype, "| pixels from", X.min(), "to", X.max())
low, high = np.nanmin(y), np.nanmax(y)
print("y:", y.shape, y.dtype, f"| from {low:.2f} to {high:.2f} pixels")
missing = np.isnan(y)
print(f"missing in y: {missing.sum()} of {y.size} ({missing.mean():.0%})")
print("columns of y:", ", ".join(KEYPOINT_COLUMNS[:3]), "...")

# %% [markdown]
# ### A glance at the raw file
#
# Under the arrays there is plain text. The header names 31 columns; each row holds 30
# numbers (or empty fields) and then the `Image` field: 9216 integers from 0 to 255,
# separated by spaces, the 96×96 image row by row.

# %%
with open(source.training_csv, encoding="ascii") as file:
    header = file.readline().rstrip("\r\n").split(",")
    first_row = file.readline().rstrip("\r\n").split(",")
print(len(header), "columns:", header[:2], "...", header[-2:])
print("first row, first 4 fields:", first_row[:4])
image_text = first_row[-1]
print(f"Image field: {len(image_text)} characters: {image_text[:32]!r}...")
pixels = np.array(image_text.split(" "), dtype=np.float32)
print(f"values in it: {pixels.size} = {IMAGE_SIZE}² = {NUM_PIXELS}")
print("same as X[0]:", np.array_equal(pixels / 255, X[0].ravel()))

# %% [markdown]
# ### The articles' way
#
# Both articles read the file with pandas and turn each `Image` string into numbers with
# `np.fromstring`, one row at a time. Do the same on the first rows and compare: the
# arrays must be identical, pixel for pixel and NaN for NaN.

# %%
df = pd.read_csv(source.training_csv, nrows=PANDAS_ROWS)
df["Image"] = df["Image"].apply(lambda im: np.fromstring(im, sep=" "))
X_pandas = np.vstack(df["Image"].values) / 255.0
X_pandas = X_pandas.astype(np.float32).reshape(-1, IMAGE_SIZE, IMAGE_SIZE, 1)
y_pandas = df[list(KEYPOINT_COLUMNS)].to_numpy(dtype=np.float32)
print("pandas:", X_pandas.shape, y_pandas.shape)
print("same images:", np.array_equal(X_pandas, X[:PANDAS_ROWS]))
same = np.array_equal(y_pandas, y[:PANDAS_ROWS], equal_nan=True)
print("same keypoints, NaN for NaN:", same)

# %% [markdown]
# Same result, so why not use pandas? Speed and strictness. Splitting 9216 numbers out
# of a string, row after row, is slow on the whole file; `load_training` decodes all
# rows at once with NumPy and checks every byte on the way — a damaged file stops with
# one line naming its file, line and column instead of giving a wrong array. The script
# `benchmarks/load_speed.py` times both ways on the same file and checks that they
# agree; where it last ran, `load_training` was about twenty times faster
# (`benchmarks/results/load_speed.md`). This page shows no timings: they depend on the
# machine.

# %% [markdown]
# ## Count the missing keypoints
#
# A keypoint is labelled in a row when its x and y are both there (they are missing
# together). The `(N, 15)` boolean array `labelled` says which keypoints each row
# labels.

# %%
labelled = np.isfinite(y[:, 0::2])
together = np.array_equal(labelled, np.isfinite(y[:, 1::2]))
print("x and y missing together:", together)
counts = pd.DataFrame(
    {
        "labelled": labelled.sum(axis=0),
        "missing": (~labelled).sum(axis=0),
        "labelled %": (100 * labelled.mean(axis=0)).round(1),
        "Kaggle's file": [KAGGLE_LABELLED_COUNTS[k] for k in KEYPOINT_NAMES],
    },
    index=pd.Index(KEYPOINT_NAMES, name="keypoint"),
)
counts

# %% [markdown]
# The last column holds the counts of Kaggle's own `training.csv`; the stand-in copies
# them exactly. Four keypoints are labelled in nearly every row; the other eleven in
# about a third.

# %%
plot_labelled_counts(y, title=f"Labelled rows per keypoint ({len(y)} rows)")
plt.show()

# %% [markdown]
# Both articles keep only the rows where every keypoint is labelled — `df.dropna()` in
# pandas, `np.isfinite(y).all(axis=1)` in NumPy. That throws away most of the data:

# %%
complete = labelled.all(axis=1)
print(f"complete rows: {complete.sum()} of {len(y)} ({complete.mean():.0%})")
agree = len(df.dropna()) == complete[:PANDAS_ROWS].sum()
print("pandas dropna agrees on the first rows:", agree)

# %% [markdown]
# ### Two sources, one after the other
#
# The counts hint at the reason: the training file mixes two sources. One labels all
# 15 keypoints; the other only the four of `FOUR_KEYPOINT_SOURCE` — the eye centres,
# the nose tip and the bottom lip. Count the rows that match each pattern exactly:

# %%
four = np.isin(KEYPOINT_NAMES, FOUR_KEYPOINT_SOURCE)
only_four = (labelled == four).all(axis=1)
other = ~complete & ~only_four
print("the four:", ", ".join(FOUR_KEYPOINT_SOURCE))
patterns = {
    "all 15 keypoints": complete,
    "exactly the four": only_four,
    "another pattern": other,
}
for what, which in patterns.items():
    print(f"rows with {what:17s} {which.sum():5d} ({which.mean():.0%})")
per_row = np.bincount(labelled.sum(axis=1), minlength=16)
print("rows with k keypoints:", {k: int(n) for k, n in enumerate(per_row) if n})

# %% [markdown]
# Where do they sit in the file? Draw `labelled` as an image — one column per row of
# the file, one line per keypoint. The rows of the 15-keypoint source come first, the
# four-keypoint rows after them: two blocks. The faint streaks in the first block are
# its few incomplete rows (often an eyebrow's outer end); in the second, the odd row
# without an eye centre or the bottom lip.

# %%
plot_labelled_mask(y, title="Labelled and missing keypoints in training.csv")
plt.show()

# %% [markdown]
# In the text of the file a missing keypoint is an empty field, so a row of the second
# block starts with a run of commas where eleven keypoints would be:

# %%
last_full_row = np.flatnonzero(labelled.sum(axis=1) > 4).max()
first_four_row = np.flatnonzero(only_four)[0]
with open(source.training_csv, encoding="ascii") as file:
    line = next(itertools.islice(file, first_four_row + 1, None))  # 1: header
fields = line.split(",")[:30]  # the keypoint fields, before the Image field
print("last row with more than four keypoints:", last_full_row)
print("first row with exactly the four:       ", first_four_row)
print(f"row {first_four_row}, keypoints 1-8, then 9-15:")
print(",".join(fields[:16]) + ",")
print(",".join(fields[16:]) + ",...")

# %% [markdown]
# Dropping incomplete rows keeps the articles' code simple, but it discards about two
# thirds of the faces, and with them most of what the data says about the eyes, nose and
# mouth. A later chapter trains on every row instead, with a loss that ignores missing
# keypoints.

# %% [markdown]
# ## Look at the faces
#
# `plot_faces` draws a grid of faces with their labelled keypoints; missing ones are
# simply not drawn. A random sample shows both sources:

# %%
rng = np.random.default_rng(SEED)
rows = np.sort(rng.choice(len(X), size=NUM_FACES, replace=False))
titles = [f"row {row}: {labelled[row].sum()} keypoints" for row in rows]
fig = plot_faces(X[rows], y[rows], ncols=4, titles=titles)
fig.suptitle("Training faces and their labelled keypoints", y=1.02)
plt.show()

# %% [markdown]
# ### One face, every keypoint named
#
# Which keypoint is which? On a complete row, name them all. Notice that
# `left_eye_center` is on the **right** of the image: "left" and "right" are the
# *subject's*, as when you look at a person facing you. It matters later, when flipping
# faces horizontally must also swap every left keypoint with its right partner.

# %%
assert complete[CLOSE_UP_ROW], "pick a complete row for the close-up"
face, keypoints = X[CLOSE_UP_ROW], y[CLOSE_UP_ROW]
title = f"Row {CLOSE_UP_ROW}: left is the subject's left"
plot_named_keypoints(face, keypoints, title=title)
plt.show()
for name in ["left_eye_center", "right_eye_center"]:
    x = keypoints[2 * keypoint_index(name)]
    print(f"{name}: x = {x:.1f} (0 at the image's left edge, 95 at its right)")

# %% [markdown]
# Coordinates are pixel indices: the pixel in column `i` and row `j` has `x = i` and
# `y = j`, with y growing downwards, as in the image.

# %% [markdown]
# ## Draw the average face
#
# Average every image pixel by pixel, and every keypoint over the rows that label it
# (`np.nanmean` skips the NaNs). On the left, the mean keypoints on the mean image, each
# with its ellipse of one standard deviation in every direction (for a bell-shaped
# spread it holds about 40 % of the labelled positions). On the right, every labelled
# position of the four keypoints that both sources label.

# %%
fig, (ax_mean, ax_spread) = plt.subplots(1, 2, figsize=(8, 4.2))
plot_mean_shape(X, y, ax=ax_mean, title=f"Average of all {len(X)} faces")
plot_keypoint_spread(y, ax=ax_spread, title="Every labelled position")
fig.tight_layout()
plt.show()

# %%
mean_keypoints = np.nanmean(y, axis=0).reshape(-1, 2)
std_keypoints = np.nanstd(y, axis=0).reshape(-1, 2)
print(" " * 24, "mean x, y   std x, y (pixels)")
for name in FOUR_KEYPOINT_SOURCE:
    k = keypoint_index(name)
    (mx, my), (sx, sy) = mean_keypoints[k], std_keypoints[k]
    print(f"{name:24s} {mx:4.1f}, {my:4.1f}   {sx:.1f}, {sy:.1f}")

# %% [markdown]
# Faces are centred and of similar size, so every keypoint stays within a few pixels of
# its average place. That makes the average shape a real baseline: a "model" that
# ignores the image and always answers the mean keypoints is already only a few pixels
# off. Any network must beat it.

# %% [markdown]
# ## Read the test set and the lookup table
#
# `test.csv` holds images and their `ImageId`s, and no keypoints: Kaggle keeps those
# secret and scores a submission against them. `load_test` returns the ids and the
# images, scaled like `X`.

# %%
image_ids, X_test = load_test(source.test_csv)
print("test images:", X_test.shape, X_test.dtype)
print("ImageIds:", image_ids[:3], "...", image_ids[-1])
titles = [f"ImageId {i}" for i in image_ids[:NUM_TEST_FACES]]
fig = plot_faces(X_test[:NUM_TEST_FACES], ncols=4, titles=titles)
fig.suptitle("The first test faces (no keypoints given)", y=1.04)
plt.show()

# %% [markdown]
# A submission does not give all 30 coordinates of every test image: `IdLookupTable.csv`
# lists the ones Kaggle asks for, one per row, each with the `RowId` under which its
# answer goes into `submission.csv` (`RowId,Location`); the file's own `Location` column
# is empty. `load_lookup` reads it into three arrays and checks that every `ImageId` is
# a test image. A later chapter writes the submission.

# %%
with open(source.lookup_csv, encoding="ascii") as file:
    print("".join(itertools.islice(file, 3)), end="")  # the header and two rows
lookup = load_lookup(source.lookup_csv, image_ids=image_ids)
asked_images, asked_values = np.unique(lookup.image_ids, return_counts=True)
print(f"lookup rows: {len(lookup.row_ids)} for {len(asked_images)} test images")
for r in range(3):
    row_id, image_id = lookup.row_ids[r], lookup.image_ids[r]
    print(f"  RowId {row_id}: ImageId {image_id}, {lookup.feature_names[r]}")
values, images = np.unique(asked_values, return_counts=True)
for value_count, image_count in zip(values, images, strict=True):
    print(f"{image_count} images ask for {value_count} values")
last = image_ids[-1]
asked = [f for f, i in zip(lookup.feature_names, lookup.image_ids) if i == last]
keypoints_asked = dict.fromkeys(name[:-2] for name in asked)  # drop _x, _y
print(f"ImageId {last} asks for x and y of:", ", ".join(keypoints_asked))

# %% [markdown]
# The test set mirrors the training set's two sources: most images ask either for all 30
# values or only for the 8 coordinates of the four keypoints. A model still predicts all
# 30 for every image; the lookup table picks the ones that are scored.

# %% [markdown]
# ## Scale inputs and targets
#
# Networks learn best when inputs and targets are small numbers around 0 to 1.
# `load_training` already divided the pixels by 255. The targets are scaled by the
# articles, each its own way:
#
# - article A divides by 96: `y / 96` lies in [0, 1];
# - article B centres and divides by 48: `(y - 48) / 48` lies in [−1, 1].
#
# Predictions come out in the same units, and are turned back into pixels by the
# inverse.

# %%
whole = np.array_equal(X * 255, np.round(X * 255))
print("X * 255 gives whole numbers back:", whole)
y_a = y / 96
y_b = (y - 48) / 48
for name, s in [("y / 96", y_a), ("(y - 48) / 48", y_b)]:
    low, high, mean = np.nanmin(s), np.nanmax(s), np.nanmean(s)
    print(f"{name:13s} from {low:6.3f} to {high:5.3f}, mean {mean:6.3f}")
error_a = np.nanmax(np.abs(y_a * 96 - y))
error_b = np.nanmax(np.abs(y_b * 48 + 48 - y))
print(f"back to pixels, largest error: {error_a:.0e} and {error_b:.0e} pixels")

# %% [markdown]
# The round trip loses only float32 rounding, far below a pixel. The same rule carries
# errors back to pixels. If a prediction is off by `e` in scaled units, it is off by
# `scale * e` pixels, so its squared error is `scale²` times larger, and the root mean
# squared error
#
# $$\text{RMSE}_\text{pixels} = \sqrt{\text{MSE}_\text{scaled}} \times \text{scale},$$
#
# with scale 96 for article A and 48 for article B. Article B's final validation MSE of
# 0.003255 is `sqrt(0.003255) * 48 = 2.74` pixels. Check the rule on the average-face
# baseline: predict the mean keypoints for every complete row and measure its error
# three ways.

# %%
y_complete = y[complete].astype(np.float64)
guess = np.broadcast_to(np.nanmean(y, axis=0), y_complete.shape)
rmse_pixels = np.sqrt(np.mean((guess - y_complete) ** 2))
mse_a = np.mean((guess / 96 - y_complete / 96) ** 2)
mse_b = np.mean(((guess - 48) / 48 - (y_complete - 48) / 48) ** 2)
print(f"RMSE in pixels:            {rmse_pixels:.3f}")
print(f"article A: sqrt({mse_a:.6f}) * 96 = {np.sqrt(mse_a) * 96:.3f}")
print(f"article B: sqrt({mse_b:.6f}) * 48 = {np.sqrt(mse_b) * 48:.3f}")
print(f"article B's final MSE: sqrt(0.003255) * 48 = {0.003255**0.5 * 48:.2f}")

# %% [markdown]
# The same error, whatever the units. (It is measured on the very rows the mean came
# from; chapter 3 measures on faces the model never saw.) Kaggle scores RMSE in pixels,
# so always convert back before comparing numbers.

# %% [markdown]
# ## Summary
#
# - `find_data()` finds Kaggle's files (or downloads them, given a token and the rules
#   accepted), and otherwise uses the stand-in, a generated copy of Kaggle's format; it
#   prints which.
# - `load_training` gives `X`, float32 `(N, 96, 96, 1)` in [0, 1], and `y`, float32
#   `(N, 30)` in pixels with NaN for missing keypoints — the same arrays as the
#   articles' pandas code, faster and with clear errors for damaged files.
# - The training file mixes two sources: about a third of the rows label all
#   15 keypoints, the rest only the eye centres, nose tip and bottom lip. Dropping
#   incomplete rows keeps 2140 of 7049.
# - "Left" is the subject's left: `left_eye_center` is on the image's right.
# - Keypoints stay within a few pixels of the average face shape.
# - Targets are scaled by `/ 96` or `(y − 48) / 48`; errors go back to pixels as
#   `sqrt(mse) × scale`.
#
# ## What's next
#
# Chapter 3 trains a first network on these arrays — on the complete rows, with scaled
# targets — and measures its error in pixels on faces it never saw, against the
# average-face baseline.

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by a worked solution; click to show it.

# %% [markdown]
# **Exercise 1.** Count the rows that label `left_eyebrow_outer_end` but not
# `right_eyebrow_outer_end`, and the other way round. Are the missing eyebrow ends
# mostly on one side?

# %% tags=["hide-cell"]
# Solution to exercise 1
left = labelled[:, keypoint_index("left_eyebrow_outer_end")]
right = labelled[:, keypoint_index("right_eyebrow_outer_end")]
print("left end only: ", (left & ~right).sum())
print("right end only:", (right & ~left).sum())
print("labelled in all:", left.sum(), "left ends,", right.sum(), "right ends")
# Both happen, a few dozen rows each: the missing ends are not all on one side. The
# difference of the two counts is the difference of the two columns' totals, a little
# in favour of the right end (2236 against 2225 labels in Kaggle's file).

# %% [markdown]
# **Exercise 2.** Some rows label exactly three keypoints. Which keypoint is missing
# from them, and from which source do they come?

# %% tags=["hide-cell"]
# Solution to exercise 2
three = labelled.sum(axis=1) == 3
print("rows with exactly three keypoints:", three.sum())
missing_from_three = (~labelled[three]).sum(axis=0)
for name in FOUR_KEYPOINT_SOURCE:
    print(f"  missing {name}: {missing_from_three[keypoint_index(name)]} rows")
print("any keypoint outside the four:", labelled[three][:, ~four].any())
after_last_full = (np.flatnonzero(three) > last_full_row).all()
print("all after the last row with more than four:", after_last_full)
# They come from the four-keypoint source: they label nothing outside the four and
# sit in its block. Most miss the bottom lip, the rest one eye centre; the nose tip,
# labelled in every row of the file, is never the missing one.

# %% [markdown]
# **Exercise 3.** Plot the same 16 faces with `plot_faces`, flipped left to right
# (`X[rows, :, ::-1]`), with every x coordinate mapped to `95 - x`. Which labels are now
# wrong, and how does `fkp_helpers.flip_permutation()` fix them?

# %% tags=["hide-cell"]
# Solution to exercise 3
X_flipped = X[rows, :, ::-1]  # axis 2 is the image's columns: x
y_flipped = y[rows].copy()
y_flipped[:, 0::2] = 95 - y_flipped[:, 0::2]  # x = i becomes x = 95 - i
fig = plot_faces(X_flipped, y_flipped, ncols=4, titles=[f"row {row}" for row in rows])
fig.suptitle("The sample faces, flipped", y=1.02)
plt.show()
# The dots sit on the right places, but every left/right name is now wrong: the point
# named left_eye_center is on the image's left, which is the subject's right eye. The
# fix swaps the columns of each left/right pair; build it from the names and compare:
swapped = {"left": "right", "right": "left"}
swapped_columns = [
    re.sub("left|right", lambda m: swapped[m.group()], column)
    for column in KEYPOINT_COLUMNS
]
swap = tuple(KEYPOINT_COLUMNS.index(column) for column in swapped_columns)
print("the same as flip_permutation():", swap == flip_permutation())
face_flipped = X[CLOSE_UP_ROW, :, ::-1]
named_flipped = y[CLOSE_UP_ROW].copy()
named_flipped[0::2] = 95 - named_flipped[0::2]
named_fixed = named_flipped[list(flip_permutation())]
plot_named_keypoints(face_flipped, named_flipped, title="Flipped: names wrong")
plt.show()
plot_named_keypoints(face_flipped, named_fixed, title="Flipped, swapped: right")
plt.show()

# %% [markdown]
# **Exercise 4.** Compute the RMSE in pixels of the average-face baseline on all rows,
# ignoring missing values (`np.nanmean`). Is it higher or lower than on the complete
# rows?

# %% tags=["hide-cell"]
# Solution to exercise 4
# NaN where a keypoint is missing
squared_errors = (np.nanmean(y, axis=0) - y.astype(np.float64)) ** 2
rmse_all_rows = np.sqrt(np.nanmean(squared_errors))
print(f"all rows, labelled values only: {rmse_all_rows:.3f} pixels")
print(f"complete rows:                  {rmse_pixels:.3f} pixels")
print("higher" if rmse_all_rows > rmse_pixels else "lower", "on all rows")
# The two numbers average different mixtures: on all rows most labelled values belong to
# the four keypoints that both sources label, so the four dominate the mean.

# %% [markdown]
# **Exercise 5.** Read `test.csv` the articles' way (pandas + `np.fromstring`) and check
# that it gives the same images as `load_test`.

# %% tags=["hide-cell"]
# Solution to exercise 5
# The first PANDAS_ROWS rows, like the comparison above; drop `nrows` for all of them.
df_test = pd.read_csv(source.test_csv, nrows=PANDAS_ROWS)
print("columns:", list(df_test.columns))
pixels_test = np.vstack(df_test["Image"].apply(lambda im: np.fromstring(im, sep=" ")))
X_test_pandas = (pixels_test / 255.0).astype(np.float32)
X_test_pandas = X_test_pandas.reshape(-1, IMAGE_SIZE, IMAGE_SIZE, 1)
print("same ImageIds:", np.array_equal(df_test["ImageId"], image_ids[:PANDAS_ROWS]))
print("same images:", np.array_equal(X_test_pandas, X_test[:PANDAS_ROWS]))

# %% [markdown]
# ## Resources
#
# - [Facial Keypoints
#   Detection](https://www.kaggle.com/c/facial-keypoints-detection/data) — the
#   competition's data page
# - [Kaggle's command line](https://github.com/Kaggle/kaggle-api) — install, token,
#   downloads
# - [Working with missing
#   data](https://pandas.pydata.org/docs/user_guide/missing_data.html) in pandas
