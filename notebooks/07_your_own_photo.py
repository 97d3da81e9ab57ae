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
# Article A ended by trying its network on a real photo: "looks about right". The network only
# ever saw 96×96 grayscale faces, framed the same way, so a photo has to be brought to that form
# first: find the face, cut a square around it, shrink it to 96×96, predict, and carry the 15
# points back to the photo's own pixels. This chapter walks that path one step at a time, checks
# it where the truth is known, and saves the network in two forms you can ship.

# %% [markdown]
# ## Overview
#
# 1. Find the face in a photo with OpenCV's Haar cascade.
# 2. Cut a square around it, framed like Kaggle's faces, and shrink it to 96×96 grayscale.
# 3. Predict, map the keypoints back to the photo, and draw them; the same with `fkp detect`.
# 4. Be honest about a network trained on the stand-in, and use one trained on Kaggle's data.
# 5. Measure the whole path on generated scenes where the true keypoints are known.
# 6. Export the network as a Keras file and a TFLite file, and check that they agree.

# %% [markdown]
# ## Prerequisites
#
# | Concepts | Importance | Notes |
# | --- | --- | --- |
# | [Going further](06_going_further.ipynb) | Necessary | the stronger CNN used here |
# | [Predictions](05_predictions.ipynb) | Helpful | RMSE in pixels, keypoints drawn on faces |
# | [Loading the data](02_loading_the_data.ipynb) | Helpful | pixel-index coordinates, "left" is the subject's left |
# | Image coordinates | Helpful | a pixel at column `i`, row `j` sits at `x = i`, `y = j` |
#
# **Time to learn**: 25 minutes

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

import json
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from matplotlib.cbook import get_sample_data
from matplotlib.patches import Rectangle

from fkp_helpers import find_data, load_training, quick_mode
from fkp_helpers.export import TFLiteKeypoints, export_run
from fkp_helpers.faces import render_faces
from fkp_helpers.metrics import rmse_px
from fkp_helpers.photo import (
    crop_face,
    detect_keypoints,
    draw_keypoints,
    find_faces,
    read_image,
    square_around,
    to_gray,
)
from fkp_helpers.reports import nested_markdown
from fkp_helpers.run_cache import run_metrics, trained_run
from fkp_helpers.scenes import make_scene, matching_box
from fkp_helpers.training import TrainConfig

# %%
QUICK = quick_mode()  # FKP_QUICK=1: short training runs on fewer rows, for the test suite
VALID_ROWS = 100  # chapter 6's held-out faces
NUM_ROWS = 300 if QUICK else None  # rows of training.csv given to training (None: all), as in chapter 6
CNN_EPOCHS = 1 if QUICK else 15  # chapter 6's run of the stronger CNN (loaded from the cache)
PHOTO = Path(get_sample_data("grace_hopper.jpg", asfileobj=False))  # ships with matplotlib; public domain
SCENE_SEED = 7  # stand-in faces drawn with this seed were never trained on (the stand-in uses seed 0)
NUM_SCENES = 8 if QUICK else 40  # generated scenes for the end-to-end measurement

# %% [markdown]
# ## Load the trained network
#
# The network is chapter 6's stronger CNN, asked for with the same configuration, so it comes
# straight from the cache (on a fresh machine it trains first). The next line says which data it
# learned from.

# %%
source = find_data(download=True)
X, y = load_training(source.training_csv)
complete = ~np.isnan(y).any(axis=1)
holdout = int(np.flatnonzero(complete)[VALID_ROWS - 1]) + 1
config = TrainConfig("cnn", valid_rows=holdout, epochs=CNN_EPOCHS)

# %% tags=["nbval-ignore-output"]
run = trained_run(X[:NUM_ROWS], y[:NUM_ROWS], config)
metrics = run_metrics(run)
print(f"{metrics['model']}: {metrics['epochs_run']} epochs, "
      f"validation RMSE {metrics['valid_rmse_px']:.2f} px on {metrics['valid_rows']} held-out faces")

# %% [markdown]
# ## Find the face
#
# The photo is Grace Hopper's official US Navy portrait, in the public domain; matplotlib ships it
# as sample data, so it is on every machine that runs this book. `read_image` returns RGB pixels
# (and refuses, in one line, files that are not images or are too large to be sensible).
#
# OpenCV's Haar cascade finds frontal faces without downloading anything: the trained cascade is
# an XML file inside the `opencv-python-headless` wheel. (OpenCV 5 dropped it; the book pins
# OpenCV 4.) `find_faces` returns boxes `(x, y, w, h)` in the photo's pixels, largest first.

# %%
image = read_image(PHOTO)
gray = to_gray(image)
boxes = find_faces(gray)
print(f"{PHOTO.name}: {image.shape[1]}×{image.shape[0]} pixels, {image.dtype}; faces found: {boxes}")
box = boxes[0]
crop = square_around(box)
print(f"square crop: left {crop.left:.1f}, top {crop.top:.1f}, side {crop.side:.1f} px "
      f"({crop.scale:.2f} photo pixels per crop pixel)")

# %%
fig, ax = plt.subplots(figsize=(5, 5.8))
ax.imshow(image)
ax.add_patch(Rectangle((box.x, box.y), box.w, box.h, fill=False, color="gold", lw=2, label="Haar box"))
ax.add_patch(Rectangle((crop.left - 0.5, crop.top - 0.5), crop.side, crop.side, fill=False, color="cyan",
                       lw=2, ls="--", label="square crop"))
ax.legend(loc="lower right")
ax.set_axis_off()
ax.set_title("The face the cascade found, and the square cut around it")
plt.show()

# %% [markdown]
# ## Cut the square and shrink it
#
# Kaggle's faces fill their frame: the eyes sit about 38 pixels from the top, the mouth about 76.
# The Haar box is a little tighter, so `square_around` takes a square 1.06 times the box's width,
# nudged up by 1 % of its height (measured on this photo and on generated faces; see the
# docstring of `fkp_helpers.photo`). `crop_face` then resamples that square to 96×96 grayscale in
# [0, 1], blurring first so that shrinking does not alias.
#
# The check: the crop beside a training face, each with the average keypoint positions of the
# training set. If the framing is right, the crop's eyes and mouth fall near the same marks.

# %%
face = crop_face(gray, crop)
mean_shape = np.nanmean(y, axis=0)
fig, axes = plt.subplots(1, 2, figsize=(6, 3.2))
for ax, picture, title in [(axes[0], face, "the photo's crop"), (axes[1], X[0, ..., 0], "a training face")]:
    ax.imshow(picture, cmap="gray", vmin=0, vmax=1)
    ax.scatter(mean_shape[0::2], mean_shape[1::2], marker="+", s=60, c="cyan", label="average keypoints")
    ax.set_title(f"{title}, {picture.shape[1]}×{picture.shape[0]}")
    ax.set_axis_off()
axes[0].legend(loc="lower center", fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Predict and map back
#
# The network predicts in crop pixels. A crop pixel `i` covers the photo's pixels from
# `left + i·s` to `left + (i + 1)·s`, with `s = side / 96`; in pixel-index coordinates (the centre
# of a pixel is its index) that gives
#
# ```text
# x_photo = left + (x_crop + 0.5) · s − 0.5
# ```
#
# and the same for `y` with `top`. `SquareCrop.to_image` does this, and `to_crop` undoes it.
# `detect_keypoints` chains every step — find, crop, predict, map back — for all faces at once:

# %% tags=["nbval-ignore-output"]
predicted_in_crop = run.predict_px(face[np.newaxis, ..., np.newaxis])[0]
faces = detect_keypoints(image, run.predict_px, boxes=[box])
np.testing.assert_allclose(faces[0].keypoints_px, crop.to_image(predicted_in_crop), atol=1e-3)
np.testing.assert_allclose(crop.to_crop(faces[0].keypoints_px), predicted_in_crop, atol=1e-3)
print("left eye centre: crop", np.round(predicted_in_crop[:2], 1), "→ photo", np.round(faces[0].keypoints_px[:2], 1))

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 5), gridspec_kw={"width_ratios": [1, 1]})
axes[0].imshow(draw_keypoints(image, faces))
axes[0].set_title("15 keypoints on the photo")
axes[1].imshow(face, cmap="gray", vmin=0, vmax=1)
axes[1].scatter(predicted_in_crop[0::2], predicted_in_crop[1::2], marker="x", s=40, c="red")
axes[1].set_title("the same points on the 96×96 crop")
for ax in axes:
    ax.set_axis_off()
plt.tight_layout()
plt.show()

# %% [markdown]
# In the drawing, points on the subject's left (the image's right) are cyan, those on her right
# magenta, the nose tip and lips green.
#
# The command line does the same in one go, for every face it finds, and writes the points in the
# photo's pixels to a JSON file:
#
# ```bash
# fkp detect photo.jpg --model RUN_DIR --out annotated.png --json points.json
# ```

# %% tags=["nbval-ignore-output"]
with tempfile.TemporaryDirectory() as folder:
    out_png, out_json = Path(folder) / "annotated.png", Path(folder) / "points.json"
    command = [sys.executable, "-m", "fkp_helpers", "detect", str(PHOTO), "--model", str(run.run_dir),
               "--out", str(out_png), "--json", str(out_json), "--max-faces", "1"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    print(done.stdout.replace(folder, "TMP").replace(str(run.run_dir), "RUN_DIR"))
    points = json.loads(out_json.read_text())
print(json.dumps(points["faces"][0]["box"]), "and, of 15 keypoints:")
for name in ["left_eye_center", "right_eye_center", "nose_tip"]:
    print(f"  {name}: {points['faces'][0]['keypoints'][name]}")

# %% [markdown]
# ## What a stand-in network can and cannot do
#
# The pages of this book are built on the stand-in: cartoon faces drawn by a program. A network
# that learned from them has never seen skin, hair, glasses or a real smile. On this portrait it
# puts the points in the arrangement of a face, on the right face, at roughly the right height —
# which says the crop is framed well — but they miss the real features by several pixels (her
# glasses' rims, for instance, look like the cartoon's dark eye outlines). There is no true
# answer for this photo to measure, and no claim to make beyond "looks about right", article A's
# own words.
#
# For a photo of your own, train on Kaggle's data instead — real faces, framed like this crop:
#
# ```bash
# kaggle competitions download facial-keypoints-detection -p data   # rules accepted on Kaggle first
# fkp train --data data --model cnn --out runs/kaggle-cnn
# fkp detect my_photo.jpg --model runs/kaggle-cnn --out annotated.png --json points.json
# ```
#
# or, in Python, `detect_keypoints(read_image("my_photo.jpg"), load_run("runs/kaggle-cnn").predict_px)`.
# Nothing else changes: the data folder is all that tells the two networks apart. Frontal faces
# work best — that is both what the cascade looks for and what Kaggle's faces are.

# %% [markdown]
# ## Measure the whole path where the truth is known
#
# A photo with known keypoints lets the path be checked end to end. `make_scene` pastes a stand-in
# face the network never trained on into a large generated scene (1600×1200 pixels), at a random
# position and a size between 150 and 450 pixels, and returns the true keypoints in the scene's
# pixels. The path runs as on the photo; where the cascade misses the face (a hit is a box that
# overlaps the true one by at least 30 %, intersection over union), the scene's known box stands in,
# so that the keypoint error can still be measured.

# %% tags=["nbval-ignore-output"]
scene_faces, scene_truth = render_faces(NUM_SCENES, seed=SCENE_SEED)
results = []
for i in range(NUM_SCENES):
    scene = make_scene(scene_faces[i], scene_truth[i], seed=SCENE_SEED * 1000 + i)
    found = matching_box(find_faces(to_gray(scene.image)), scene.box)  # None where the cascade missed
    detected = found is not None
    (result,) = detect_keypoints(scene.image, run.predict_px, boxes=[found if detected else scene.box])
    error_scene_px = rmse_px(scene.keypoints_px[np.newaxis], result.keypoints_px[np.newaxis])
    results.append({"scene": scene, "result": result, "detected": detected,
                    "error_scene_px": error_scene_px, "error_crop_px": error_scene_px / result.crop.scale})
found_count = sum(r["detected"] for r in results)
print(f"the cascade found the face in {found_count} of {NUM_SCENES} scenes")

# %% [markdown]
# The cascade was trained on photographs, not on drawings, and finds only some of these faces;
# it is not a property of the keypoint network. Here is one scene, whole and close up, with the
# true keypoints and the predicted ones:

# %%
shown = next((r for r in results if r["detected"]), results[0])
scene, result = shown["scene"], shown["result"]
fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), gridspec_kw={"width_ratios": [4, 3]})
axes[0].imshow(scene.image)
b = result.box
axes[0].add_patch(Rectangle((b.x, b.y), b.w, b.h, fill=False, color="gold", lw=1.5))
axes[0].set_title(f"a {scene.image.shape[1]}×{scene.image.shape[0]} scene "
                  f"({'box from the cascade' if shown['detected'] else 'known box'})")
c = result.crop
axes[1].imshow(scene.image)
axes[1].set_xlim(c.left - 0.1 * c.side, c.left + 1.1 * c.side)
axes[1].set_ylim(c.top + 1.1 * c.side, c.top - 0.1 * c.side)
axes[1].scatter(scene.keypoints_px[0::2], scene.keypoints_px[1::2], s=40, facecolors="none",
                edgecolors="lime", label="truth")
axes[1].scatter(result.keypoints_px[0::2], result.keypoints_px[1::2], s=30, marker="x", c="red",
                label="predicted")
axes[1].legend(loc="lower right")
axes[1].set_title(f"close up: RMSE {shown['error_scene_px']:.1f} scene px = {shown['error_crop_px']:.2f} crop px")
for ax in axes:
    ax.set_axis_off()
plt.tight_layout()
plt.show()

# %% [markdown]
# An error in the scene's pixels grows with the face's size; divided by the crop's scale it becomes
# an error in crop pixels, comparable with the validation RMSE the network reached on ready-made
# 96×96 faces. Over all scenes:

# %% tags=["nbval-ignore-output"]
for label, chosen in [("box from the cascade", [r for r in results if r["detected"]]),
                      ("known box (cascade missed)", [r for r in results if not r["detected"]])]:
    if chosen:
        crop_errors = [r["error_crop_px"] for r in chosen]
        scene_errors = [r["error_scene_px"] for r in chosen]
        print(f"{label:27s} {len(chosen):3d} scenes: median RMSE {np.median(crop_errors):.2f} crop px "
              f"(worst {max(crop_errors):.2f}), {np.median(scene_errors):.1f} scene px")
print(f"{'ready-made 96×96 faces':27s} validation RMSE {metrics['valid_rmse_px']:.2f} px")

# %% [markdown]
# With the known box, the path adds little to the network's own error: the crop, the resampling and
# the mapping back are exact to a fraction of a pixel (the tests in `tests/test_photo.py` check
# the mapping to 0.5 crop pixels). With the cascade's box, the error depends on how well the box
# frames the face: a box that is too large or off-centre hands the network a face framed unlike
# any it was trained on, and that costs more than anything else on the path.

# %% [markdown]
# ## Ship the network
#
# `fkp export` (or `export_run`) saves a *serving* model: it takes 96×96 images in [0, 1] and
# returns keypoints in pixels, with the target scaling and the flip averaging of `predict_px`
# inside the graph, so serving needs neither this book's package nor its code. It writes a Keras
# file, which plain `keras.saving.load_model` opens, and a TFLite file, for phones, browsers and
# small servers. Both must give the same keypoints:

# %% tags=["nbval-ignore-output"]
with tempfile.TemporaryDirectory() as folder:
    exported = export_run(run.run_dir, folder)
    tflite = TFLiteKeypoints(exported.tflite_path)
    faces_96 = np.stack([crop_face(to_gray(r["scene"].image), r["result"].crop) for r in results])[..., None]
    difference = np.abs(tflite.predict_px(faces_96) - run.predict_px(faces_96)).max()
    print(f"{exported.keras_path.name}: {exported.keras_bytes / 1e6:.2f} MB; "
          f"{exported.tflite_path.name}: {exported.tflite_bytes / 1e6:.2f} MB")
    print(f"TFLite vs Keras on {len(faces_96)} faces: keypoints differ by at most {difference:.5f} px")

# %% [markdown]
# How fast each answers for one image on a CPU, and how large each file is, is measured by
# `benchmarks/export_latency.py` (a latency benchmark on a briefly trained copy of the same
# network):

# %% tags=["nbval-ignore-output"]
export_md = Path("..") / "benchmarks" / "results" / "export.md"
if export_md.is_file():
    display(Markdown(nested_markdown(export_md)))  # its headings nested under this section
else:
    print("no benchmarks/results/export.md here: run `python benchmarks/export_latency.py`")

# %% [markdown]
# One image at a time, `model.predict` is the slow way to call a Keras model: it sets up a whole
# input pipeline for every call. Calling a compiled function (`tf.function`) or
# `predict_on_batch` costs a few milliseconds, about as much as the TFLite interpreter, whose
# file also loads without TensorFlow (`ai_edge_litert`).

# %% [markdown]
# ## Summary
#
# - A photo reaches the network as the training faces did: a face found (OpenCV's Haar cascade),
#   a square cut around it framed like Kaggle's faces, shrunk to 96×96 grayscale in [0, 1].
# - Predictions come back in crop pixels; `x_photo = left + (x_crop + 0.5)·s − 0.5` (and the same for
#   `y`) carries them to the photo exactly. `detect_keypoints` and `fkp detect` chain it all.
# - A network trained on the stand-in finds the shape of a face on a real photo but not its
#   details; train on Kaggle's data for real photos — the same commands with `--data`.
# - On generated scenes with known truth, the path adds little to the network's own error when the
#   face is boxed well; the detector's box is the weak link.
# - `fkp export` writes a Keras file and a TFLite file that give the same keypoints.
#
# ## What's next
#
# This is the last chapter. The benchmarks (`benchmarks/README.md`) measure every claim in the
# book side by side with the articles' own programs; the exercises below go further.
#
# ## Exercises
#
# 1. Run `fkp detect` on a photo of your own. Try a face turned to the side and one tilted by 30°:
#    which step fails first, the cascade or the keypoints?
# 2. Change `square_around`'s margin to 0.2 and to −0.1 and measure the scenes' error with the known
#    box. How sensitive is the network to framing?
# 3. Tilted faces: rotate the crop so that the eyes are level before predicting (estimate the angle
#    from a first prediction), then rotate the keypoints back. Does the error on tilted scenes fall?
# 4. Compare `fkp export --float16` with the float32 TFLite file: size, latency, largest difference.
# 5. Train `cnn` on Kaggle's data and run this chapter again with it (set `FKP_DATA_DIR`).
#
# ## Resources
#
# - [OpenCV: cascade classifier](https://docs.opencv.org/4.x/db/d28/tutorial_cascade_classifier.html)
#   — how the Haar cascade finds faces
# - [Keras: saving and loading models](https://keras.io/guides/serialization_and_saving/)
# - [LiteRT (TensorFlow Lite): convert TensorFlow models](https://ai.google.dev/edge/litert/models/convert_tf)
# - [Grace Hopper's portrait](https://commons.wikimedia.org/wiki/File:Commodore_Grace_M._Hopper,_USN_(covered).jpg)
#   — the photo's source and public-domain status
