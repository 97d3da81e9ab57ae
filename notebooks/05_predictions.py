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
# # Predictions
#
# [Open in Colab](https://colab.research.google.com/github/fkp-book/facial-keypoints-book/blob/main/notebooks/05_predictions.ipynb)
# | [Download the notebook](https://github.com/fkp-book/facial-keypoints-book/raw/main/notebooks/05_predictions.ipynb)
#
# Chapter 4 trained article A's network and watched its validation error fall. A single
# number hides a lot, though. This chapter puts the trained network to work: it predicts
# the keypoints of the test faces with `model.predict`, sets the predictions beside the
# truth, finds the keypoints and the faces it gets most wrong, and writes the file that
# Kaggle scores.

# %% [markdown]
# ## Overview
#
# 1. Load the network chapter 4 trained (or train it, on a fresh machine).
# 2. Predict the test faces with `model.predict`, convert the outputs back to pixels,
#    and draw them, as article B's `plot_sample` does.
# 3. Compare predictions with the truth on the validation faces.
# 4. Measure the error of each keypoint and find the hard ones.
# 5. Look at the faces with the largest errors.
# 6. Write a Kaggle submission by walking `IdLookupTable.csv` with pandas, then check it
#    and score it with the helpers.
# 7. Do the same from the command line with `fkp predict` and `fkp score`.

# %% [markdown]
# ## Prerequisites
#
# | Concepts | Importance | Notes |
# | --- | --- | --- |
# | [Loading the data](02_loading_the_data.ipynb) | Necessary | `X`, `y` in pixels, NaN for missing keypoints; the lookup table |
# | [The 3-layer CNN](04_cnn.ipynb) | Necessary | the network and its training run used here |
# | RMSE in pixels | Necessary | Kaggle's score: `sqrt(mean((prediction - truth)²))` |
# | pandas | Helpful | `read_csv`, `melt`, `merge`, `to_csv` |
#
# **Time to learn**: 20 minutes

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
import fkp_helpers.nn.tensorflow_setup  # noqa: F401  loads TensorFlow quietly

import itertools
import os
import shutil
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from fkp_helpers import (
    KEYPOINT_COLUMNS,
    DataError,
    find_data,
    flip_permutation,
    load_lookup,
    load_test,
    load_training,
    quick_mode,
)
from fkp_helpers.data.submission import (
    score_submission,
    validate_submission,
    write_submission,
)
from fkp_helpers.figures.error_analysis import (
    error_per_face_px,
    plot_error_per_keypoint,
    worst_rows,
)
from fkp_helpers.figures.faces import plot_faces, show_and_glue
from fkp_helpers.metrics import rmse_per_keypoint_px, rmse_px
from fkp_helpers.nn.run_cache import run_metrics, trained_run
from fkp_helpers.nn.training import TrainConfig, split_rows

# %%
QUICK = quick_mode()  # FKP_QUICK=1: a short training run, for the test suite
NUM_EPOCHS = 2 if QUICK else 20  # chapter 4's run of article A's network
NUM_ROWS = 300 if QUICK else None  # rows of training.csv for training (None: all)
PATIENCE = 10  # early stopping, as in article A
VALID_ROWS = 100  # article A validates on the first 100 complete rows
BATCH_SIZE = 64  # article A predicts the test set in batches of 64
NUM_TEST_FACES = 16  # the 4 x 4 grid of test faces
NUM_VALID_FACES = 8  # validation faces drawn with truth and prediction
NUM_WORST = 8  # the validation faces with the largest errors

# %% [markdown]
# ## Load the trained network
#
# Chapter 4 wrote article A's network layer by layer and trained it. The package holds
# the same network and recipe (they are what `fkp train --model seed-cnn` runs, and a
# test checks that the package's network is the one chapter 4 writes), so this chapter
# reuses them from `fkp_helpers` rather than pasting chapter 4's code a second time.
#
# Read the data as in chapter 2 and describe chapter 4's run with the same
# `TrainConfig`: article A's network (`seed-cnn`), complete rows only, the first 100 of
# them for validation, early stopping after 10 epochs without progress. `trained_run`
# looks in the cache folder for a finished run of exactly this configuration on exactly
# this data and loads its best weights in a second; if there is none (a fresh machine,
# Colab), it trains the network first — about as long as chapter 4 took — and keeps it
# for next time.

# %%
source = find_data(download=True)
X, y = load_training(source.training_csv)
config = TrainConfig(
    "seed-cnn",
    complete_only=True,
    valid_rows=VALID_ROWS,
    epochs=NUM_EPOCHS,
    patience=PATIENCE,
)
run = trained_run(X[:NUM_ROWS], y[:NUM_ROWS], config)
model = run.model  # a keras.Model with the best weights of the run
print("images:", X.shape, "| keypoints:", y.shape)
print("inputs", model.input_shape, "-> outputs", model.output_shape)

# %% [markdown]
# The run folder also holds `metrics.json`, the result of the training run:

# %% tags=["nbval-ignore-output"]
metrics = run_metrics(run)
print(f"best of {metrics['epochs_run']} epochs: epoch {metrics['best_epoch']}")
print(
    f"validation RMSE: {metrics['valid_rmse_px']:.2f} px "
    f"on {metrics['valid_rows']} faces"
)
print(metrics["device"])

# %% [markdown]
# Every number on this page that depends on the trained weights comes from the stand-in
# when the book is built here (the line above the data says which data the page ran on);
# on Kaggle's faces they differ.
#
# ## Predict the test set
#
# `model.predict` runs the network on a NumPy array in batches and returns a NumPy
# array; like article A, feed it 64 faces at a time (`verbose=0`: no progress bar). The
# network answers in its own units: article A trained it on `y / 96`, keypoints scaled
# into [0, 1]. Multiplying by 96 brings them back to pixels. (Article B's net1 learned
# `(y - 48) / 48` and would need `* 48 + 48`.)

# %%
image_ids, X_test = load_test(source.test_csv)
y_test_pred = model.predict(X_test, batch_size=BATCH_SIZE, verbose=0) * 96
print(
    "test images:",
    X_test.shape,
    "-> predictions:",
    y_test_pred.shape,
    y_test_pred.dtype,
)

# %% [markdown]
# The helpers' `run.predict_px(images)` does exactly this, for any network of the
# package (each knows its own scaling); chapter 6 uses it for its several networks.
# Check that the two agree:

# %%
np.testing.assert_allclose(run.predict_px(X_test), y_test_pred, atol=1e-3)
print("run.predict_px agrees with model.predict(...) * 96")

# %% [markdown]
# Article B's `plot_sample` draws a 4×4 grid of test faces with the predicted keypoints
# as small crosses. There is no truth to compare with: Kaggle keeps the test keypoints
# secret. (The book's first page shows this figure too, so its title names the data it
# was made from.)

# %%
titles = [f"ImageId {i}" for i in image_ids[:NUM_TEST_FACES]]
fig = plot_faces(
    X_test[:NUM_TEST_FACES],
    predicted=y_test_pred[:NUM_TEST_FACES],
    ncols=4,
    titles=titles,
)
fig.suptitle(f"Test faces ({source.kind} data) and their predicted keypoints", y=1.02)
show_and_glue(fig, "prediction_grid")

# %% [markdown]
# ## Compare with the truth
#
# The validation faces have labels and were never trained on. `split_rows` gives the
# same split as the training run: the first 100 complete rows.

# %%
train_rows, valid_rows = split_rows(y, config.resolved())
print(f"{len(train_rows)} training rows, {len(valid_rows)} validation rows")
print("validation rows:", valid_rows[:5], "...", valid_rows[-1])
X_valid, y_valid = X[valid_rows], y[valid_rows]

# %% [markdown]
# Any network must beat the simplest guess: the average face of chapter 2 — the mean of
# each keypoint over the training rows — whatever the image.

# %%
mean_face = np.nanmean(y[train_rows], axis=0)
y_valid_mean = np.broadcast_to(mean_face, y_valid.shape)
print(f"average face on the validation rows: {rmse_px(y_valid, y_valid_mean):.2f} px")

# %% tags=["nbval-ignore-output"]
y_valid_pred = model.predict(X_valid, batch_size=BATCH_SIZE, verbose=0) * 96
print(
    f"article A's network on the validation rows: "
    f"{rmse_px(y_valid, y_valid_pred):.2f} px"
)

# %% [markdown]
# Draw a few validation faces with both: the true keypoints as cyan dots, the
# predictions as red crosses, and each face's own RMSE in its title.

# %%
errors = error_per_face_px(y_valid, y_valid_pred)
shown = np.arange(NUM_VALID_FACES)
titles = [f"row {valid_rows[i]}: {errors[i]:.1f} px" for i in shown]
fig = plot_faces(
    X_valid[shown],
    y_valid[shown],
    predicted=y_valid_pred[shown],
    ncols=4,
    titles=titles,
)
fig.suptitle("Validation faces: truth and prediction", y=1.02)
plt.show()

# %% [markdown]
# Most faces are a few pixels off, a few are off by much more:

# %%
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.hist(errors, bins=20, color="#2a6f97")
ax.axvline(
    rmse_px(y_valid, y_valid_pred),
    color="#ff3030",
    linestyle="--",
    label="RMSE over all faces",
)
ax.set_xlabel("RMSE of one face (pixels)")
ax.set_ylabel("faces")
ax.set_title(f"Error per validation face ({len(errors)} faces)")
ax.legend()
plt.show()

# %% [markdown]
# ## Find the hard keypoints
#
# Split the error by keypoint, over its x and y, and set it beside the average face's.
# Where the two bars are close, the network has learned little beyond the average
# position.

# %%
predictions = {"article A's network": y_valid_pred, "average face": y_valid_mean}
plot_error_per_keypoint(
    y_valid, predictions, title="Error per keypoint on the validation faces"
)
plt.show()

# %% tags=["nbval-ignore-output"]
per_keypoint = rmse_per_keypoint_px(y_valid, y_valid_pred)
ranked = sorted(per_keypoint.items(), key=lambda item: -item[1])
for name, value in itertools.chain(ranked[:3], [("...", np.nan)], ranked[-3:]):
    print(f"{name:24s} {value:5.2f} px" if name != "..." else name)

# %% [markdown]
# Some keypoints are harder than others, and for reasons that have little to do with the
# network:
#
# - **An eyebrow's outer end** has no sharp point. It fades into the skin, hides under
#   hair or glasses frames, and labellers disagree about where it is — on Kaggle's faces
#   these two are among the most often missing labels and among the hardest to predict.
# - **The mouth** moves: open, closed, smiling. Its corners and the top lip vary far
#   more from face to face than the eye centres, so the average face is far off, and the
#   network has more to learn.
# - **The eye centres and the nose tip** are easy: they sit near their average position
#   and stand out in the image.
#
# On the stand-in the ranking depends on how its faces were drawn, so compare it with
# your run on Kaggle's data.
#
# ## Look at the worst faces
#
# `worst_rows` ranks the faces by their own RMSE. The worst few show *where* the network
# fails.

# %%
worst = worst_rows(y_valid, y_valid_pred, NUM_WORST)
titles = [f"row {valid_rows[i]}: {errors[i]:.1f} px" for i in worst]
fig = plot_faces(
    X_valid[worst],
    y_valid[worst],
    predicted=y_valid_pred[worst],
    ncols=4,
    titles=titles,
)
fig.suptitle(f"The {NUM_WORST} validation faces with the largest errors", y=1.02)
plt.show()

# %% [markdown]
# A network trained on about 2000 faces has seen few faces that are tilted, turned,
# shifted or scaled, and on those it stays close to the usual upright layout: the
# crosses keep the average shape while the face does not. Chapter 6 shows two cheap
# remedies — more training rows, and mirrored copies of the faces.
#
# ## Write a Kaggle submission
#
# Kaggle does not want all 30 coordinates of every test face. `IdLookupTable.csv` lists
# the ones it scores, one per row: row `RowId` asks for coordinate `FeatureName` of test
# image `ImageId`; its `Location` column is empty (pandas reads NaN): the submission
# fills it in.

# %%
lookup_table = pd.read_csv(source.lookup_csv)
print(lookup_table.head().to_string(index=False))
num_images = lookup_table["ImageId"].nunique()
print(f"... {len(lookup_table)} rows for {num_images} test images")

# %% [markdown]
# Article A walks the table row by row and looks up each requested coordinate in its
# predictions. pandas does the walk in three steps: turn the predictions into one row
# per (image, coordinate) with `melt`, join them onto the lookup rows with `merge` (a
# left join keeps the table's order), and keep `RowId` and `Location`. Every true
# keypoint lies inside the 96×96 image, so clipping the predictions to [0, 96] can only
# bring them closer to the truth; the helpers' validator (below) rejects a value outside
# that range, so that a prediction thrown off the image shows up before an upload does.


# %%
def submission_from_lookup(
    lookup_table: pd.DataFrame, image_ids: np.ndarray, predictions_px: np.ndarray
) -> pd.DataFrame:
    """Answer each row of IdLookupTable.csv: a `RowId, Location` table, in pixels.

    `image_ids` is `(M,)`, `predictions_px` is `(M, 30)` in pixels: row `i`
    holds the 30 coordinates (Kaggle's column order) of test image `image_ids[i]`.
    """
    predicted = pd.DataFrame(predictions_px, columns=KEYPOINT_COLUMNS)
    predicted.insert(0, "ImageId", image_ids)
    answers = predicted.melt(
        id_vars="ImageId", var_name="FeatureName", value_name="Location"
    )
    submission = lookup_table[["RowId", "ImageId", "FeatureName"]].merge(
        answers, on=["ImageId", "FeatureName"], how="left", validate="one_to_one"
    )
    if submission["Location"].isna().any():
        raise ValueError("some lookup rows have no (finite) prediction")
    submission["Location"] = submission["Location"].clip(0, 96)
    return submission[["RowId", "Location"]]


# %% [markdown]
# Write it with `to_csv`, into a temporary folder: no index column, 4 decimals (a
# ten-thousandth of a pixel is plenty).

# %%
workdir = Path(tempfile.mkdtemp(prefix="fkp-chapter5-"))
submission_csv = workdir / "submission.csv"
submission = submission_from_lookup(lookup_table, image_ids, y_test_pred)
submission.to_csv(submission_csv, index=False, float_format="%.4f")
print(f"wrote {len(submission)} rows, one per row of IdLookupTable.csv")

# %% tags=["nbval-ignore-output"]
with open(submission_csv, encoding="utf-8") as file:
    print("".join(itertools.islice(file, 6)), end="")
print("...")

# %% [markdown]
# The helpers write the same file with `write_submission`, which `fkp predict` uses too.
# It needs no pandas, refuses a prediction that is NaN or an image that is predicted
# twice, and writes the file atomically (it appears complete or not at all). Both ways
# must give the same file, character for character:

# %%
lookup = load_lookup(source.lookup_csv, image_ids=image_ids)
helpers_csv = workdir / "submission-helpers.csv"
write_submission(helpers_csv, lookup, image_ids, y_test_pred)
assert helpers_csv.read_text() == submission_csv.read_text()
print("write_submission wrote the same file")

# %% [markdown]
# `validate_submission` checks what Kaggle needs — the header, and one row per lookup row
# with the same `RowId` in the same order — and one rule of the book's own: a number from
# 0 to 96 on every row.

# %%
validate_submission(submission_csv, lookup)
print("the submission is complete and well formed")

# %% [markdown]
# A broken file gets one line naming its first problem. Drop a row and check the copy:

# %%
broken_csv = workdir / "broken.csv"
submission.drop(index=99).to_csv(broken_csv, index=False, float_format="%.4f")
try:
    validate_submission(broken_csv, lookup)
except DataError as error:
    print(str(error).replace(str(workdir) + os.sep, ""))

# %% [markdown]
# ## Score the submission
#
# Kaggle scores a submission by the RMSE in pixels over all its rows. It keeps the true
# values of the test faces secret: with Kaggle's data, the only way to a score is to
# upload the file, in a terminal with the Kaggle command line set up as in chapter 2,
#
# ```bash
# kaggle competitions submit -c facial-keypoints-detection \
#     -f submission.csv -m "article A's CNN"
# ```
#
# or with *Late Submission* on the competition's page. The score appears on the
# *Submissions* tab: article A's network scored 3.41 there.
#
# The stand-in knows its own true values (`solution.csv`, in the same `RowId,Location`
# format), so `score_submission` computes the same score locally:

# %% tags=["nbval-ignore-output"]
if source.solution_csv is not None:
    score = score_submission(submission_csv, source.solution_csv)
    print(f"test RMSE: {score:.2f} px over {len(submission)} values")
else:
    print("Kaggle's data: no solution here; upload submission.csv to get the score")

# %%
shutil.rmtree(workdir)

# %% [markdown]
# The test score need not match the validation RMSE. The test set asks for only 8 values
# of most faces — the eye centres, the nose tip and the bottom lip, the easy keypoints —
# and all 30 of the others, while the validation faces are complete rows where every
# keypoint counts.
#
# ## Do it from the command line
#
# The same steps, outside a notebook. `fkp train` writes a run folder (`model.keras`,
# `history.csv`, `metrics.json`); `fkp predict` loads its best model, predicts
# `test.csv` and writes the submission through `IdLookupTable.csv`; `fkp score` compares
# a submission with a solution file. `--data` names the data folder (by default `fkp`
# finds it like `find_data`).
#
# ```bash
# fkp train --model seed-cnn --complete-only --valid-rows 100 --epochs 20 \
#     --patience 10 --out runs/seed-cnn
# fkp predict --model runs/seed-cnn --out submission.csv
# # the stand-in only (Kaggle keeps its solution secret):
# fkp score --submission submission.csv --solution DATA_FOLDER/solution.csv
# kaggle competitions submit -c facial-keypoints-detection \
#     -f submission.csv -m "article A's CNN"
# ```
#
# `fkp train --resume --epochs 60 --out runs/seed-cnn` continues a run where it stopped,
# and Ctrl-C during training leaves the best model so far intact.

# %% [markdown]
# ## Summary
#
# - `trained_run` loads a finished training run of a configuration, or trains it once
#   and keeps it; `run.model` is the Keras model.
# - `model.predict(X, batch_size=64)` returns the network's outputs in its own units;
#   article A's network learned `y / 96`, so `* 96` gives pixels (`run.predict_px` does
#   both).
# - Predictions beside the truth, an error per face and an error per keypoint say far
#   more than one RMSE: which keypoints are hard, and which faces.
# - The simplest baseline, the average face, shows what the network has learned beyond
#   the average position.
# - A submission answers each row of `IdLookupTable.csv` under its `RowId`: `melt` the
#   predictions, `merge` them onto the table, clip to [0, 96], `to_csv`.
#   `write_submission` writes the same file, `validate_submission` checks it,
#   `score_submission` scores it where the true values are known. Kaggle scores uploads
#   only.
# - `fkp predict` and `fkp score` do the same from a terminal.
#
# ## What's next
#
# [Chapter 6](06_going_further.ipynb) goes beyond article A: mirrored faces, a loss that
# trains on every row instead of the complete third, a learning-rate schedule and a
# stronger network — and a table of what each step is worth.
#
# ## Exercises

# %% [markdown]
# **Exercise 1.** Draw the 8 validation faces with the *smallest* errors. What do they
# have in common?

# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 1
best = np.argsort(errors)[:NUM_WORST]
titles = [f"row {valid_rows[i]}: {errors[i]:.1f} px" for i in best]
fig = plot_faces(
    X_valid[best], y_valid[best], predicted=y_valid_pred[best], ncols=4, titles=titles
)
fig.suptitle(f"The {NUM_WORST} validation faces with the smallest errors", y=1.02)
plt.show()
# Set them beside the worst faces: the best tend to be upright, centred and of the
# usual size, close to the average face's layout.

# %% [markdown]
# **Exercise 2.** Compute the error per keypoint of the average face alone, and rank the
# keypoints by it. Is the ranking the same as the network's?

# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 2
mean_per_keypoint = rmse_per_keypoint_px(y_valid, y_valid_mean)
mean_ranking = sorted(mean_per_keypoint, key=lambda name: -mean_per_keypoint[name])
network_ranking = [name for name, _ in ranked]
print(f"{'rank':4s}  {'average face':24s}  {'network':24s}")
for rank, (by_mean, by_network) in enumerate(zip(mean_ranking, network_ranking), 1):
    print(f"{rank:4d}  {by_mean:24s}  {by_network:24s}")
# A keypoint that ranks far lower for the network than for the average face is one
# the network has learned well; one that ranks high in both is hard for both.

# %% [markdown]
# **Exercise 3.** Predict the validation faces mirrored left to right (`X_valid[:, :,
# ::-1]`), mirror the predictions back (`x → 95 − x` and swap the left/right keypoints
# with `fkp_helpers.flip_permutation()`), and average them with the plain predictions.
# Does the validation RMSE improve?

# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 3
X_mirrored = X_valid[:, :, ::-1]  # axis 2 is x: mirror each face left to right
mirrored_pred = model.predict(X_mirrored, batch_size=BATCH_SIZE, verbose=0) * 96
mirrored_pred[:, 0::2] = 95 - mirrored_pred[:, 0::2]  # x back into the plain image
unmirrored_pred = mirrored_pred[:, list(flip_permutation())]  # swap left and right
y_valid_both = (y_valid_pred + unmirrored_pred) / 2
print(f"plain:    {rmse_px(y_valid, y_valid_pred):.2f} px")
print(f"mirrored: {rmse_px(y_valid, unmirrored_pred):.2f} px")
print(f"average:  {rmse_px(y_valid, y_valid_both):.2f} px")
# Averaging two predictions usually helps a little, even for a network never trained on
# mirrored faces; chapter 6 trains on them.

# %% [markdown]
# **Exercise 4.** Write a submission of the average face (`mean_face` for every test
# image) and score it. How much better is the network?

# %% tags=["hide-cell", "nbval-ignore-output"]
# Solution to exercise 4
y_test_mean = np.tile(mean_face, (len(image_ids), 1))
with tempfile.TemporaryDirectory() as folder:
    mean_csv = Path(folder) / "average-face.csv"
    submission_from_lookup(lookup_table, image_ids, y_test_mean).to_csv(
        mean_csv, index=False, float_format="%.4f"
    )
    validate_submission(mean_csv, lookup)
    if source.solution_csv is not None:
        mean_score = score_submission(mean_csv, source.solution_csv)
        print(f"average face: {mean_score:.2f} px | network: {score:.2f} px")
    else:
        print("Kaggle's data: upload", mean_csv.name, "to compare the two scores")

# %% [markdown]
# **Exercise 5.** Change one `Location` in a copy of the submission to `97` and run
# `validate_submission` on it. What does the message say?

# %% tags=["hide-cell"]
# Solution to exercise 5
broken = submission.copy()
broken.loc[2, "Location"] = 97
with tempfile.TemporaryDirectory() as folder:
    broken_csv = Path(folder) / "outside.csv"
    broken.to_csv(broken_csv, index=False, float_format="%.4f")
    try:
        validate_submission(broken_csv, lookup)
    except DataError as error:
        print(str(error).replace(folder + os.sep, ""))
# It names the file, the line (the header is line 1), the column and the value.

# %% [markdown]
# ## Resources
#
# - [Facial Keypoints Detection:
#   evaluation](https://www.kaggle.com/c/facial-keypoints-detection/overview/evaluation)
#   — how Kaggle scores a submission
# - [Kaggle's command line](https://github.com/Kaggle/kaggle-api) — `kaggle competitions
#   submit`
# - [pandas: reshaping with
#   `melt`](https://pandas.pydata.org/docs/user_guide/reshaping.html) and [joining with
#   `merge`](https://pandas.pydata.org/docs/user_guide/merging.html)
