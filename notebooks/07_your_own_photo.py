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
# # Your own photo
#
# [Open in Colab](https://colab.research.google.com/github/fkp-book/facial-keypoints-book/blob/main/notebooks/07_your_own_photo.ipynb)
# | [Download the notebook](https://github.com/fkp-book/facial-keypoints-book/raw/main/notebooks/07_your_own_photo.ipynb)
#
# Article A ended by trying its network on a real photo: "looks about right". The
# network only ever saw 96×96 grayscale faces, framed the same way, so a photo has to be
# brought to that form first: find the face, cut a square around it, shrink it to 96×96,
# predict, and carry the 15 points back to the photo's own pixels. This chapter writes
# that path with OpenCV, one call at a time, checks it against the book's helpers and
# where the truth is known, and saves the network in two forms you can ship.

# %% [markdown]
# ## Overview
#
# 1. Take a first look with the network the package ships; then find the face in a
#    photo with OpenCV's Haar cascade (`cv2.CascadeClassifier`,
#    `detectMultiScale`).
# 2. Cut a square around it, framed like Kaggle's faces, and shrink it to 96×96
#    grayscale with an affine transform (`cv2.warpAffine`).
# 3. Predict, map the keypoints back to the photo with the inverse transform
#    (`cv2.invertAffineTransform`), and check it all against the book's helpers and
#    `fkp detect`.
# 4. Measure stand-in networks, the shipped one among them, on real faces against a
#    landmark model's points, and use a network trained on Kaggle's data.
# 5. Measure the whole path on generated scenes where the true keypoints are known.
# 6. Export the network as a Keras file and a TFLite file, and check that they agree.

# %% [markdown]
# ## Prerequisites
#
# | Concepts | Importance | Notes |
# | --- | --- | --- |
# | [Going further](06_going_further.ipynb) | Necessary | the stronger CNN used here |
# | [Predictions](05_predictions.ipynb) | Helpful | RMSE in pixels |
# | [Loading the data](02_loading_the_data.ipynb) | Helpful | pixel-index coordinates |
# | Affine transforms | Helpful | scale, shift and rotation as a 2×3 matrix |
#
# **Time to learn**: 35 minutes

# %% [markdown]
# ## Setup

# %%
# On Colab, install this book's helpers next to Colab's own TensorFlow and OpenCV
# (nothing is reinstalled). Elsewhere, `pip install "fkp-helpers[photo]"` also
# installs OpenCV.
import subprocess
import sys

if "google.colab" in sys.modules:
    package = "fkp-helpers @ git+https://github.com/fkp-book/facial-keypoints-book"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", package], check=True
    )

# %%
import fkp_helpers.nn.tensorflow_setup  # noqa: F401  loads TensorFlow quietly

import json
import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from matplotlib.cbook import get_sample_data
from matplotlib.patches import Rectangle

from fkp_helpers import find_data, load_training, photo, quick_mode
from fkp_helpers.figures.benchmark_tables import (
    benchmark_details,
    file_size_table,
    latency_table,
    real_faces_detector,
    real_faces_models,
    real_faces_table,
)
from fkp_helpers.metrics import rmse_px
from fkp_helpers.nn.export import TFLiteKeypoints, export_run
from fkp_helpers.nn.pretrained import load_pretrained
from fkp_helpers.nn.run_cache import run_metrics, trained_run
from fkp_helpers.nn.training import TrainConfig
from fkp_helpers.standin.faces import render_faces
from fkp_helpers.standin.scenes import Scene, make_scene, matching_box

# %%
QUICK = quick_mode()  # FKP_QUICK=1: a short training run on fewer rows, for the tests
VALID_ROWS = 100  # chapter 6's held-out faces
NUM_ROWS = 300 if QUICK else None  # rows of training.csv used (None: all), as chapter 6
CNN_EPOCHS = 1 if QUICK else 15  # chapter 6's run of the stronger CNN (from the cache)
# Grace Hopper's portrait ships with matplotlib; it is in the public domain.
PHOTO = Path(get_sample_data("grace_hopper.jpg", asfileobj=False))
CASCADE_FILE = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
MIN_FACE_PX = 48  # smallest face looked for: half the network's input
FACE_MARGIN = 0.03  # the square is 1 + 2·0.03 times as wide as the Haar box
FACE_SHIFT = -0.01  # and its centre 1 % of the box's height above the box's centre
CROP_SIZE = 96  # the network's input: 96×96 pixels
SCENE_SEED = 7  # stand-in faces drawn with this seed were never trained on (seed 0 was)
NUM_SCENES = 8 if QUICK else 40  # generated scenes for the end-to-end measurement
TILT_DEGREES = 30  # exercises 1 and 3: faces tilted by this much

# %% [markdown]
# ## A first look
#
# Where this chapter is going, before it trains anything: the helpers' one-call photo
# path, `photo.detect_keypoints`, with the network the package ships (trained on
# generated faces only; more about it below), on Grace Hopper's portrait. The rest of
# the chapter writes that path step by step, and measures it.

# %%
pretrained = load_pretrained()  # the package's network; more about it below
portrait = photo.read_image(PHOTO)
first_look = photo.detect_keypoints(portrait, pretrained.predict_px)
plt.figure(figsize=(4, 4.7))
plt.imshow(photo.draw_keypoints(portrait, first_look))
plt.axis("off")
plt.show()

# %% [markdown]
# ## Load the trained network
#
# The network is chapter 6's stronger CNN, asked for with the same configuration, so it
# comes straight from the cache (on a fresh machine it trains first). The next line says
# which data it learned from.

# %%
source = find_data(download=True)
X, y = load_training(source.training_csv)
complete = ~np.isnan(y).any(axis=1)
holdout = int(np.flatnonzero(complete)[VALID_ROWS - 1]) + 1
config = TrainConfig("cnn", valid_rows=holdout, epochs=CNN_EPOCHS)

# %% tags=["nbval-ignore-output"]
run = trained_run(X[:NUM_ROWS], y[:NUM_ROWS], config)
metrics = run_metrics(run)
print(
    f"{metrics['model']}: {metrics['epochs_run']} epochs, validation RMSE "
    f"{metrics['valid_rmse_px']:.2f} px on {metrics['valid_rows']} held-out faces"
)

# %% [markdown]
# ## Find the face
#
# The photo is Grace Hopper's official US Navy portrait, in the public domain;
# matplotlib ships it as sample data, so it is on every machine that runs this book. The
# helpers' `read_image` gives its RGB pixels (and refuses, in one line, files that are
# not images or are too large to be sensible); OpenCV turns them into the grayscale that
# both the face detector and the network work on:

# %%
image = photo.read_image(PHOTO)  # (H, W, 3) uint8, RGB
gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)  # (H, W) uint8
print(
    f"{PHOTO.name}: {image.shape[1]}×{image.shape[0]} pixels, {image.dtype}; "
    f"grayscale {gray.shape}"
)

# %% [markdown]
# OpenCV's Haar cascade finds frontal faces without downloading anything: the trained
# cascade is an XML file inside the OpenCV wheel, in the folder `cv2.data.haarcascades`
# (OpenCV 5 dropped it; the book asks for OpenCV 4). `cv2.CascadeClassifier` loads it,
# and `detectMultiScale` slides it over the photo at window sizes growing by 10 %
# (`scaleFactor=1.1`), from `MIN_FACE_PX` up, keeping a face where at least 3
# overlapping windows agree (`minNeighbors=3`). It returns one box `(x, y, w, h)` per
# face, in the photo's pixels:


# %%
def find_faces(gray: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The faces in a grayscale photo `(H, W)` uint8, largest first.

    A face is a box `(x, y, w, h)` in the photo's pixels: columns `x` to `x + w − 1`,
    rows `y` to `y + h − 1`.
    """
    cascade = cv2.CascadeClassifier(CASCADE_FILE)
    if cascade.empty():
        raise RuntimeError(f"{CASCADE_FILE}: OpenCV could not load its face cascade")
    found = cascade.detectMultiScale(
        gray, scaleFactor=1.1, minNeighbors=3, minSize=(MIN_FACE_PX, MIN_FACE_PX)
    )
    boxes = [tuple(int(v) for v in box) for box in np.reshape(found, (-1, 4))]
    return sorted(boxes, key=lambda b: (-b[2] * b[3], b[1], b[0]))


print("the cascade:", Path(CASCADE_FILE).relative_to(Path(cv2.__file__).parents[1]))
boxes = find_faces(gray)
print("faces found:", boxes)
box = boxes[0]

# %% [markdown]
# ## Cut the square and shrink it
#
# Kaggle's faces fill their frame: the eyes sit about 38 pixels from the top, the mouth
# about 76. The Haar box is a little tighter, so the square is 1.06 times as wide as the
# box (`FACE_MARGIN` on each side), its centre nudged up by 1 % of the box's height
# (`FACE_SHIFT`; measured on this photo and on generated faces, see the docstring of
# `fkp_helpers.photo`):


# %%
def square_around(
    box: tuple[int, int, int, int], margin: float = FACE_MARGIN
) -> tuple[float, float, float]:
    """The square `(left, top, side)` cut around a face's box `(x, y, w, h)`, in pixels.

    `left` and `top` are the square's outer edges (pixel `x` spans `x` to `x + 1`);
    the square may reach outside the photo.
    """
    x, y, w, h = box
    side = (1 + 2 * margin) * max(w, h)
    centre_x, centre_y = x + w / 2, y + h / 2 + FACE_SHIFT * h
    return centre_x - side / 2, centre_y - side / 2, side


# %% [markdown]
# Shrinking that square to 96×96 is a scale and a shift. With `s = side / 96` photo
# pixels per crop pixel, crop pixel `i` covers the photo from `left + i·s` to
# `left + (i + 1)·s`. Coordinates in this book are pixel indices (a pixel's centre sits
# at its index), so the centre of crop pixel `i` is at
# `x_photo = left + (i + 0.5)·s − 0.5`. Solved for the crop:
#
# $$x_\text{crop} = \frac{x_\text{photo}}{s} + \frac{0.5 - \text{left}}{s} - 0.5,$$
#
# and the same for `y` with `top`. OpenCV's affine functions take this as a 2×3 matrix
# `[A | b]`, mapping a point `(x, y)` to `A·(x, y) + b`:


# %%
def crop_matrix(left: float, top: float, side: float) -> np.ndarray:
    """The 2×3 affine matrix from photo pixels `(x, y)` to the 96×96 crop's pixels."""
    s = side / CROP_SIZE  # photo pixels per crop pixel
    return np.array(
        [[1 / s, 0.0, (0.5 - left) / s - 0.5], [0.0, 1 / s, (0.5 - top) / s - 0.5]]
    )


# %% [markdown]
# `cv2.warpAffine` then fills each of the 96×96 output pixels: it carries the pixel back
# through the inverse of the matrix and reads the photo there, between its four nearest
# pixels (`INTER_LINEAR`); outside the photo it repeats the edge (`BORDER_REPLICATE`).
# Reading one spot per crop pixel when shrinking 2.5 times would skip most of the
# photo's pixels, and thin lines would break up (aliasing), so a Gaussian blur first
# spreads each photo pixel over about half a crop pixel:


# %%
def crop_face(gray: np.ndarray, to_crop: np.ndarray) -> np.ndarray:
    """The 96×96 crop `(96, 96)` float32 in [0, 1] of a grayscale photo `(H, W)` uint8.

    `to_crop` is the `crop_matrix` from photo pixels to crop pixels.
    """
    pixels = gray.astype(np.float32) / 255
    scale = 1 / math.hypot(*to_crop[:, 0])  # photo pixels per crop pixel
    if scale > 1:  # blur to σ = 0.5 crop px, counting a pixel's own width as σ = 0.5
        sigma = math.sqrt(scale**2 - 1) / 2
        pixels = cv2.GaussianBlur(
            pixels, (0, 0), sigmaX=sigma, borderType=cv2.BORDER_REPLICATE
        )
    face = cv2.warpAffine(
        pixels,
        to_crop,
        (CROP_SIZE, CROP_SIZE),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.clip(face, 0.0, 1.0)


left, top, side = square_around(box)
to_crop = crop_matrix(left, top, side)
face = crop_face(gray, to_crop)
print(
    f"square: left {left:.2f}, top {top:.2f}, side {side:.2f} px "
    f"({side / CROP_SIZE:.3f} photo pixels per crop pixel)"
)
print("photo → crop matrix:", np.round(to_crop, 4).tolist())
print(f"crop: {face.shape} {face.dtype}, values {face.min():.3f} to {face.max():.3f}")

# %% [markdown]
# The check: the photo with the box and the square, and the crop beside a training face,
# each with the average keypoint positions of the training set. If the framing is right,
# the crop's eyes and mouth fall near the same marks.

# %%
mean_shape = np.nanmean(y, axis=0)
fig, axes = plt.subplots(1, 3, figsize=(10, 3.8), width_ratios=[1.1, 1, 1])
axes[0].imshow(image)
x_box, y_box, w_box, h_box = box
axes[0].add_patch(
    Rectangle(
        (x_box - 0.5, y_box - 0.5),
        w_box,
        h_box,
        fill=False,
        color="gold",
        lw=2,
        label="Haar box",
    )
)
axes[0].add_patch(
    Rectangle(
        (left - 0.5, top - 0.5),
        side,
        side,
        fill=False,
        color="cyan",
        lw=2,
        ls="--",
        label="square",
    )
)
axes[0].legend(loc="lower right", fontsize=8)
axes[0].set_title("the face the cascade found")
for ax, picture, title in [
    (axes[1], face, "the photo's crop"),
    (axes[2], X[0, ..., 0], "a training face"),
]:
    ax.imshow(picture, cmap="gray", vmin=0, vmax=1)
    ax.scatter(
        mean_shape[0::2],
        mean_shape[1::2],
        marker="+",
        s=60,
        c="cyan",
        label="average keypoints",
    )
    ax.set_title(f"{title}, {picture.shape[1]}×{picture.shape[0]}")
axes[1].legend(loc="lower center", fontsize=8)
for ax in axes:
    ax.set_axis_off()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Predict and map back
#
# `run.predict_px` is chapter 6's prediction: the network's answer for a batch of crops
# `(N, 96, 96, 1)`, scaled back to crop pixels `(N, 30)`. The inverse transform carries
# the 15 points back to the photo: `cv2.invertAffineTransform` inverts the 2×3 matrix
# (here: scale by `s` and shift back), and each point `(x, y)` becomes `A·(x, y) + b`
# again.


# %%
def to_photo(points: np.ndarray, to_crop: np.ndarray) -> np.ndarray:
    """Keypoints `(30,)` as x, y pairs in crop pixels → the same in photo pixels."""
    back = cv2.invertAffineTransform(to_crop)  # crop pixels → photo pixels
    xy = np.reshape(points, (-1, 2))  # one row per keypoint
    return (xy @ back[:, :2].T + back[:, 2]).reshape(-1)


# %% tags=["nbval-ignore-output"]
predicted_in_crop = run.predict_px(face[np.newaxis, ..., np.newaxis])[0]  # (30,)
keypoints_px = to_photo(predicted_in_crop, to_crop)
# And forward again with OpenCV's own point transform: the same crop points come back.
back_in_crop = cv2.transform(keypoints_px.reshape(-1, 1, 2), to_crop).reshape(-1)
np.testing.assert_allclose(back_in_crop, predicted_in_crop, atol=1e-4)
print(
    "left eye centre: crop",
    np.round(predicted_in_crop[:2], 1),
    "→ photo",
    np.round(keypoints_px[:2], 1),
)

# %% [markdown]
# The whole path for one face, from its box to keypoints in the photo's pixels, fits in
# one short function; the exercises reuse it:


# %%
def keypoints_in_photo(
    gray: np.ndarray,
    box: tuple[int, int, int, int],
    predict_px: Callable[[np.ndarray], np.ndarray],
    margin: float = FACE_MARGIN,
) -> np.ndarray:
    """The 15 keypoints `(30,)` of the face in `box`, as x, y pairs in photo pixels.

    `predict_px` maps crops `(N, 96, 96, 1)` to keypoints `(N, 30)` in crop pixels.
    """
    to_crop = crop_matrix(*square_around(box, margin))
    face = crop_face(gray, to_crop)
    predicted = predict_px(face[np.newaxis, ..., np.newaxis])[0]
    return to_photo(predicted, to_crop)


# %% [markdown]
# ## The same with the book's helpers
#
# Every step above is also in the helpers' `fkp_helpers.photo`, which `fkp detect` uses;
# they add what a command needs around it (photos longer than 2048 pixels are searched
# at a smaller size, bad files get a one-line error, the blur covers only the square).
# Before leaning on them, check that they do what this chapter wrote:
# `photo.detect_keypoints` finds the faces, crops, predicts and maps back in one call.

# %%
faces = photo.detect_keypoints(image, run.predict_px)
helpers_box = faces[0].box
assert (helpers_box.x, helpers_box.y, helpers_box.w, helpers_box.h) == box
np.testing.assert_allclose(photo.crop_face(gray, faces[0].crop), face, atol=1e-6)
np.testing.assert_allclose(faces[0].keypoints_px, keypoints_px, atol=0.01)
np.testing.assert_allclose(keypoints_in_photo(gray, box, run.predict_px), keypoints_px)
print(f"faces: {len(faces)}; the helpers' box, crop and keypoints are this chapter's")

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 5))
axes[0].imshow(photo.draw_keypoints(image, faces))
axes[0].set_title("15 keypoints on the photo")
axes[1].imshow(face, cmap="gray", vmin=0, vmax=1)
axes[1].scatter(
    predicted_in_crop[0::2], predicted_in_crop[1::2], marker="x", s=40, c="red"
)
axes[1].set_title("the same points on the 96×96 crop")
for ax in axes:
    ax.set_axis_off()
plt.tight_layout()
plt.show()

# %% [markdown]
# In the drawing, points on the subject's left (the image's right) are cyan, those on
# her right magenta, the nose tip and lips green.
#
# The command line does the same in one go, for every face it finds, and writes the
# points in the photo's pixels to a JSON file:
#
# ```bash
# fkp detect photo.jpg --model RUN_DIR --out annotated.png --json points.json
# ```

# %% tags=["nbval-ignore-output"]
with tempfile.TemporaryDirectory() as folder:
    out_png, out_json = Path(folder) / "annotated.png", Path(folder) / "points.json"
    command = [
        sys.executable,
        "-m",
        "fkp_helpers",
        "detect",
        str(PHOTO),
        "--model",
        str(run.run_dir),
        "--out",
        str(out_png),
        "--json",
        str(out_json),
        "--max-faces",
        "1",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    print(done.stdout.replace(folder, "TMP").replace(str(run.run_dir), "RUN_DIR"))
    points = json.loads(out_json.read_text())
print(json.dumps(points["faces"][0]["box"]), "and, of 15 keypoints:")
for name in ["left_eye_center", "right_eye_center", "nose_tip"]:
    print(f"  {name}: {points['faces'][0]['keypoints'][name]}")

# %% [markdown]
# ## The network the package ships
#
# The helpers ship one trained network, so that `fkp detect photo.jpg` works without
# `--model` and code opened on its own can show keypoints before it trains anything: the
# same stronger CNN, trained once on generated faces only — none of Kaggle's, no real
# face — with every keypoint labelled: half of them the stand-in's painted faces, half
# *lit* faces, 3D surfaces lit and turned at random, drawn for photographs
# (`fkp_helpers.standin.lit_faces`; the stand-in page shows both kinds). Its record says
# what it learnt from, down to the SHA-256 of its training images and keypoints, and how
# to make it again (`make pretrained`):

# %%
record = pretrained.record  # loaded for the first look
print(pretrained.label)
for name, value in record["recipe"].items():
    print(f"  {name:15s} {value}")
print(f"training data sha256 {record['training_data_sha256'][:16]}…")
print(f"validation RMSE {record['valid_rmse_px']:.2f} px; test RMSE on")
print(f"  {record['test_faces']} unseen painted faces: {record['test_rmse_px']:.2f} px")
print(f"  {record['test_faces']} unseen lit faces: {record['test_rmse_px_lit']:.2f} px")

# %% [markdown]
# On the portrait, beside this chapter's network:

# %%
shipped_faces = photo.detect_keypoints(image, pretrained.predict_px)
face_box = shipped_faces[0].box
fig, axes = plt.subplots(1, 2, figsize=(9, 5))
for ax, found, title in [
    (axes[0], faces, f"this chapter's network ({metrics['epochs_run']} epochs)"),
    (axes[1], shipped_faces, "the package's pretrained network"),
]:
    ax.imshow(photo.draw_keypoints(image, found))
    ax.set_xlim(face_box.x - 10, face_box.x + face_box.w + 10)  # the face, close up
    ax.set_ylim(face_box.y + face_box.h + 10, face_box.y - 10)
    ax.set_title(title)
    ax.set_axis_off()
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Measure it on real faces
#
# "Looks about right" is not a measurement. `benchmarks/real_faces.py` runs the photo
# path on real faces that Python packages ship — this portrait, the NASA portrait of
# Eileen Collins in scikit-image, group photos inside two other wheels and White House
# photos among face_recognition's tests, read from there and never copied into the
# book — and scores the keypoints against reference points from MediaPipe's face mesh,
# a landmark model trained on real faces. The score is the NME: the mean distance of
# the 15 points from the reference, divided by the distance between the reference eye
# centres, so 10 % on a face with eyes 60 pixels apart is 6 pixels. Beside the
# networks stands a baseline with no network at all: the stand-in's mean keypoints
# placed in the same crop. One command regenerates the table, which ships with the
# helpers:
#
# ```bash
# python benchmarks/real_faces.py
# ```

# %%
print(benchmark_details("real_faces"))
print(real_faces_detector())
print(real_faces_models())
real_faces_table()

# %% [markdown]
# Read it as it is. The crop's framing is fair — the mean shape alone lands near the
# features. A network trained on the stand-in's painted faces (`cnn`) does little
# better than the mean shape, and the random framing and light of chapter 6
# (`cnn + augment`) made it worse: what it learnt to look for, the drawn eyes, brows
# and lips, is not what a photo shows. Faces that look more like photographs help: the
# same number of faces, half of them lit 3D ones (`cnn + lit`), bring the points a
# little nearer, and the shipped network, trained on more of both, nearer still: on
# most faces it beats the mean shape.
#
# The two `aligned` columns tell framing from reading. They crop each face where its
# reference points say it is — turned, scaled and shifted to sit best on the mean
# shape — so the detector's box plays no part. The mean shape in those crops is what a
# network that placed the face perfectly but read nothing of it would score: it is
# well below the detector's column, so part of every error above is framing. The
# shipped network in the same crops does *worse* than that mean shape: on more real
# faces than not it moves the points off the features rather than onto them (glasses'
# rims taken for eyes, a wide smile for lips). What a network must add is reading each
# face's own shape, and that is what faces that merely look like faces do not teach.
# Closing that gap takes faces that look real (the approach of Wood et al., "Fake it
# till you make it", 2021, with rendered 3D scans); training on Kaggle's photos, as the
# next section shows, closes it directly.

# %% [markdown]
# ## What a stand-in network can and cannot do
#
# The pages of this book are built on the stand-in: cartoon faces drawn by a program. A
# network that learned from them has never seen skin, hair, glasses or a real smile. On
# this portrait it puts the points in the arrangement of a face, on the right face, at
# roughly the right height — which says the crop is framed well — but they miss the real
# features by several pixels (her glasses' rims, for instance, look like the cartoon's
# dark eye outlines), as the table above measured on every face.
#
# For a photo of your own, train on Kaggle's data instead — real faces, framed like this
# crop (the rules must be accepted on Kaggle first):
#
# ```bash
# kaggle competitions download facial-keypoints-detection -p data
# fkp train --data data --model cnn --out runs/kaggle-cnn
# fkp detect my_photo.jpg --model runs/kaggle-cnn --out annotated.png --json points.json
# ```
#
# or, in Python, with this chapter's functions and
# `load_run("runs/kaggle-cnn").predict_px`. Nothing else changes: the data folder is all
# that tells the two networks apart. Frontal faces work best — that is both what the
# cascade looks for and what Kaggle's faces are.

# %% [markdown]
# ## Measure the whole path where the truth is known
#
# A photo with known keypoints lets the path be checked end to end. `make_scene` pastes
# a stand-in face the network never trained on into a large generated scene (1600×1200
# pixels), at a random position and a size between 150 and 450 pixels, and returns the
# true keypoints in the scene's pixels. The path runs as on the photo, now with the
# helpers; where the cascade misses the face (a hit is a box that overlaps the true one
# by at least 30 %, intersection over union), the scene's known box stands in, so that
# the keypoint error can still be measured.

# %% tags=["nbval-ignore-output"]
scene_faces, scene_truth = render_faces(NUM_SCENES, seed=SCENE_SEED)
results = []
for i in range(NUM_SCENES):
    scene = make_scene(scene_faces[i], scene_truth[i], seed=SCENE_SEED * 1000 + i)
    boxes_found = photo.find_faces(photo.to_gray(scene.image))
    found = matching_box(boxes_found, scene.box)  # None where the cascade missed
    detected = found is not None
    (result,) = photo.detect_keypoints(
        scene.image, run.predict_px, boxes=[found if detected else scene.box]
    )
    error_scene_px = rmse_px(
        scene.keypoints_px[np.newaxis], result.keypoints_px[np.newaxis]
    )
    results.append(
        {
            "scene": scene,
            "result": result,
            "detected": detected,
            "error_scene_px": error_scene_px,
            "error_crop_px": error_scene_px / result.crop.scale,
        }
    )
found_count = sum(r["detected"] for r in results)
print(f"the cascade found the face in {found_count} of {NUM_SCENES} scenes")

# %% [markdown]
# The cascade was trained on photographs, not on drawings, and finds only some of these
# faces; it is not a property of the keypoint network. Here is one scene, whole and
# close up, with the true keypoints and the predicted ones:

# %%
shown = next((r for r in results if r["detected"]), results[0])
scene, result = shown["scene"], shown["result"]
fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), width_ratios=[4, 3])
axes[0].imshow(scene.image)
b = result.box
axes[0].add_patch(
    Rectangle((b.x - 0.5, b.y - 0.5), b.w, b.h, fill=False, color="gold", lw=1.5)
)
which_box = "box from the cascade" if shown["detected"] else "known box"
height, width = scene.image.shape[:2]
axes[0].set_title(f"a {width}×{height} scene ({which_box})")
c = result.crop
axes[1].imshow(scene.image)
axes[1].set_xlim(c.left - 0.1 * c.side, c.left + 1.1 * c.side)
axes[1].set_ylim(c.top + 1.1 * c.side, c.top - 0.1 * c.side)
axes[1].scatter(
    scene.keypoints_px[0::2],
    scene.keypoints_px[1::2],
    s=40,
    facecolors="none",
    edgecolors="lime",
    label="truth",
)
axes[1].scatter(
    result.keypoints_px[0::2],
    result.keypoints_px[1::2],
    s=30,
    marker="x",
    c="red",
    label="predicted",
)
axes[1].legend(loc="lower right")
axes[1].set_title(
    f"close up: RMSE {shown['error_scene_px']:.1f} scene px "
    f"= {shown['error_crop_px']:.2f} crop px"
)
for ax in axes:
    ax.set_axis_off()
plt.tight_layout()
plt.show()

# %% [markdown]
# An error in the scene's pixels grows with the face's size; divided by the crop's scale
# it becomes an error in crop pixels, comparable with the validation RMSE the network
# reached on ready-made 96×96 faces. Over all scenes:

# %% tags=["nbval-ignore-output"]
by_box = {
    "box from the cascade": [r for r in results if r["detected"]],
    "known box (cascade missed)": [r for r in results if not r["detected"]],
}
for label, chosen in by_box.items():
    if chosen:
        crop_errors = [r["error_crop_px"] for r in chosen]
        scene_errors = [r["error_scene_px"] for r in chosen]
        print(
            f"{label:27s} {len(chosen):3d} scenes: median RMSE "
            f"{np.median(crop_errors):.2f} crop px (worst {max(crop_errors):.2f}), "
            f"{np.median(scene_errors):.1f} scene px"
        )
print(
    f"{'ready-made 96×96 faces':27s} validation RMSE {metrics['valid_rmse_px']:.2f} px"
)

# %% [markdown]
# With the known box, the path adds little to the network's own error: the crop, the
# resampling and the mapping back are exact to a fraction of a pixel (the tests in
# `tests/test_photo.py` check the mapping to 0.5 crop pixels). With the cascade's box,
# the error depends on how well the box frames the face: a box that is too large or
# off-centre hands the network a face framed unlike any it was trained on, and that
# costs more than anything else on the path.

# %% [markdown]
# ## Ship the network
#
# `fkp export` (or `export_run`) saves a *serving* model: it takes 96×96 images in
# [0, 1] and returns keypoints in pixels, with the target scaling and the flip averaging
# of `predict_px` inside the graph, so serving needs neither this book's package nor its
# code. It writes a Keras file, which plain `keras.saving.load_model` opens, and a
# TFLite file, for phones, browsers and small servers. Both must give the same
# keypoints:

# %% tags=["nbval-ignore-output"]
faces_96 = np.stack(
    [
        photo.crop_face(photo.to_gray(r["scene"].image), r["result"].crop)
        for r in results
    ]
)[..., np.newaxis]
with tempfile.TemporaryDirectory() as folder:
    exported = export_run(run.run_dir, folder)
    tflite = TFLiteKeypoints(exported.tflite_path)
    difference = np.abs(tflite.predict_px(faces_96) - run.predict_px(faces_96)).max()
    print(
        f"{exported.keras_path.name}: {exported.keras_bytes / 1e6:.2f} MB; "
        f"{exported.tflite_path.name}: {exported.tflite_bytes / 1e6:.2f} MB"
    )
    print(
        f"TFLite vs Keras on {len(faces_96)} faces: keypoints differ by at most "
        f"{difference:.5f} px"
    )

# %% [markdown]
# How fast each answers for one image on a CPU, and how large each file is, is measured
# by `benchmarks/export_latency.py` (a latency benchmark on a briefly trained copy of
# the same network); its latest tables ship with the helpers (`fkp_helpers.figures.benchmark_tables`):

# %%
print(benchmark_details("export"))
display(latency_table())
file_size_table()

# %% [markdown]
# One image at a time, `model.predict` is the slow way to call a Keras model: it sets up
# a whole input pipeline for every call. Calling a compiled function (`tf.function`) or
# `predict_on_batch` costs a few milliseconds, about as much as the TFLite interpreter,
# whose file also loads without TensorFlow (`ai_edge_litert`).

# %% [markdown]
# ## Summary
#
# - A photo reaches the network as the training faces did: a face found by OpenCV's Haar
#   cascade (`cv2.CascadeClassifier`, `detectMultiScale`), a square cut around it framed
#   like Kaggle's faces, shrunk to 96×96 grayscale in [0, 1] by one affine transform
#   (`cv2.warpAffine`, after a Gaussian blur against aliasing).
# - Predictions come back in crop pixels; the inverse transform
#   (`cv2.invertAffineTransform`) carries them to the photo exactly. The helpers'
#   `photo.detect_keypoints` and `fkp detect` give the same points as this chapter's
#   code.
# - A network trained on the stand-in finds the shape of a face on a real photo but not
#   its details: `benchmarks/real_faces.py` measures it (NME against MediaPipe's face
#   mesh) and finds it close to the mean shape. The package ships one such network for
#   `fkp detect`; train on Kaggle's data for real photos — the same commands with
#   `--data`.
# - On generated scenes with known truth, the path adds little to the network's own
#   error when the face is boxed well; the detector's box is the weak link.
# - `fkp export` writes a Keras file and a TFLite file that give the same keypoints.
#
# ## What's next
#
# This is the last chapter. The benchmarks (`benchmarks/README.md`) measure every claim
# in the book side by side with the articles' own programs; the exercises below go
# further.
#
# ## Exercises

# %% [markdown]
# **Exercise 1.** Run `fkp detect` on a photo of your own. Try a face turned to the side
# and one tilted by 30°: which step fails first, the cascade or the keypoints?

# %% tags=["hide-cell"]
# Solution to exercise 1
# Tilt the portrait with cv2.warpAffine (a rotation about its centre) and ask the
# cascade again. Trained on upright, frontal faces, it fails before the keypoints do.
height, width = gray.shape
for degrees in [0, 10, 20, TILT_DEGREES]:
    turn = cv2.getRotationMatrix2D((width / 2 - 0.5, height / 2 - 0.5), degrees, 1.0)
    tilted = cv2.warpAffine(
        gray, turn, (width, height), borderMode=cv2.BORDER_REPLICATE
    )
    print(f"tilted by {degrees:2d}°: faces found {find_faces(tilted)}")
# A face turned to the side fails the same way: the frontal cascade finds no box (OpenCV
# also ships haarcascade_profileface.xml). Given a box, the network still answers, but
# it never saw such faces in training, so its points are guesses (exercise 3 helps with
# tilt; turned faces need training data that has them).

# %% [markdown]
# **Exercise 2.** Change `square_around`'s margin to 0.2 and to −0.1 and measure the
# scenes' error with the known box. How sensitive is the network to framing?


# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 2
def scene_box(scene: Scene) -> tuple[int, int, int, int]:
    """The scene's known face box as `(x, y, w, h)`."""
    return scene.box.x, scene.box.y, scene.box.w, scene.box.h


scenes = [r["scene"] for r in results]
for margin in [-0.1, FACE_MARGIN, 0.2]:
    errors = []
    for scene in scenes:
        predicted = keypoints_in_photo(
            photo.to_gray(scene.image), scene_box(scene), run.predict_px, margin
        )
        scale = square_around(scene_box(scene), margin)[2] / CROP_SIZE
        error = rmse_px(scene.keypoints_px[np.newaxis], predicted[np.newaxis])
        errors.append(error / scale)  # in crop pixels
    print(f"margin {margin:+.2f}: median RMSE {np.median(errors):.2f} crop px")
# With the default margin the known box frames each scene's face exactly as the
# training faces are framed; how fast the error grows away from it says how much the
# framing matters to this network.

# %% [markdown]
# **Exercise 3.** Tilted faces: rotate the crop so that the eyes are level before
# predicting (estimate the angle from a first prediction), then rotate the keypoints
# back. Does the error on tilted scenes fall?


# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 3
def levelled_keypoints(
    gray: np.ndarray,
    box: tuple[int, int, int, int],
    predict_px: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """Keypoints `(30,)` in photo pixels, predicted on a crop turned so the eyes are
    level (the tilt estimated from a first prediction's eye centres)."""
    first = keypoints_in_photo(gray, box, predict_px)
    (left_x, left_y), (right_x, right_y) = first[0:2], first[2:4]  # the two eye centres
    tilt = math.degrees(math.atan2(left_y - right_y, left_x - right_x))
    centre = (CROP_SIZE / 2 - 0.5, CROP_SIZE / 2 - 0.5)
    level = cv2.getRotationMatrix2D(centre, tilt, 1.0)  # crop → levelled crop, 2×3
    to_level = level @ np.vstack([crop_matrix(*square_around(box)), [0.0, 0.0, 1.0]])
    face = crop_face(gray, to_level)  # photo → levelled crop in one warp
    predicted = predict_px(face[np.newaxis, ..., np.newaxis])[0]
    return to_photo(predicted, to_level)


plain, levelled = [], []
for scene in scenes:
    x, y_top, w, h = scene_box(scene)
    centre = (x + w / 2 - 0.5, y_top + h / 2 - 0.5)  # the face's centre, pixel indices
    turn = cv2.getRotationMatrix2D(centre, TILT_DEGREES, 1.0)
    size = scene.image.shape[1::-1]  # (width, height)
    tilted = cv2.warpAffine(
        photo.to_gray(scene.image), turn, size, borderMode=cv2.BORDER_REPLICATE
    )
    truth = cv2.transform(scene.keypoints_px.reshape(-1, 1, 2).astype(np.float64), turn)
    scale = square_around(scene_box(scene))[2] / CROP_SIZE
    for errors, path in [(plain, keypoints_in_photo), (levelled, levelled_keypoints)]:
        predicted = path(tilted, scene_box(scene), run.predict_px)
        errors.append(rmse_px(truth.reshape(1, -1), predicted[np.newaxis]) / scale)
print(
    f"faces tilted by {TILT_DEGREES}°, known box: median RMSE "
    f"{np.median(plain):.2f} crop px as they are, {np.median(levelled):.2f} levelled"
)
# Levelling helps only as much as the first prediction's eyes are right: a network that
# finds the eyes on tilted faces gains most; one that barely does gains little.

# %% [markdown]
# **Exercise 4.** Compare `fkp export --float16` with the float32 TFLite file: size,
# latency, largest difference.

# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 4
with tempfile.TemporaryDirectory() as folder:
    for float16 in [False, True]:
        files = export_run(run.run_dir, Path(folder) / str(float16), float16=float16)
        model = TFLiteKeypoints(files.tflite_path)
        started = time.perf_counter()
        for one_face in faces_96:
            model.predict_px(one_face[np.newaxis])
        latency_ms = (time.perf_counter() - started) / len(faces_96) * 1e3
        difference = np.abs(model.predict_px(faces_96) - run.predict_px(faces_96)).max()
        kind = "float16" if float16 else "float32"
        print(
            f"{kind}: {files.tflite_bytes / 1e6:.2f} MB, "
            f"{latency_ms:.1f} ms per image, at most {difference:.4f} px from Keras"
        )
# As in the tables above: float16 halves the file; its weights are widened to float32
# when loaded, so it is no faster on a CPU; its keypoints move by hundredths of a pixel.

# %% [markdown]
# **Exercise 5.** Train `cnn` on Kaggle's data and run this chapter again with it (set
# `FKP_DATA_DIR`).

# %% [markdown]
# ````{admonition} Solution 5
# :class: dropdown
# Download Kaggle's files once (after accepting the competition's rules on its website),
# then point the book at them and run the chapter again:
#
# ```bash
# kaggle competitions download facial-keypoints-detection -p data
# export FKP_DATA_DIR=$PWD/data
# jupyter lab notebooks/07_your_own_photo.ipynb   # or: jupytext --execute …
# ```
#
# The "Load the trained network" cell then names Kaggle's data and trains chapter 6's
# CNN on it (once; the run is cached), and every figure and number after it comes from
# that network. Look at the portrait first: its points should now follow her own eyes,
# nose and mouth. The scenes are still cartoon faces, which this network never saw.
# ````

# %% [markdown]
# ## Resources
#
# - [OpenCV: cascade classifier](https://docs.opencv.org/4.x/db/d28/tutorial_cascade_classifier.html)
#   — how the Haar cascade finds faces
# - [OpenCV: geometric transformations](https://docs.opencv.org/4.x/da/d6e/tutorial_py_geometric_transformations.html)
#   — `warpAffine`, `getRotationMatrix2D`
# - [Keras: saving and loading models](https://keras.io/guides/serialization_and_saving/)
# - [LiteRT (TensorFlow Lite): convert TensorFlow models](https://ai.google.dev/edge/litert/models/convert_tf)
# - [Grace Hopper's portrait](https://commons.wikimedia.org/wiki/File:Commodore_Grace_M._Hopper,_USN_(covered).jpg)
#   — the photo's source and public-domain status
# - [MediaPipe Face Mesh](https://ai.google.dev/edge/mediapipe/solutions/vision/face_landmarker)
#   — the landmark model behind the real-face benchmark's reference points
# - [Fake it till you make it](https://arxiv.org/abs/2109.15102) (Wood et al., 2021) —
#   landmark networks trained on rendered faces alone, as good as real-data training
# - [Domain randomization](https://arxiv.org/abs/1703.06907) (Tobin et al., 2017) —
#   randomise what the network should ignore
