"""The files of a data folder: Kaggle's names, the stand-in's marker, and how to get
them.

Constants only (no imports), so that the CSV readers, the stand-in writer and
:mod:`fkp_helpers.data.sources` can all use them without importing each other.
"""

from __future__ import annotations

COMPETITION = "facial-keypoints-detection"
KAGGLE_FILES = ("training.csv", "test.csv", "IdLookupTable.csv", "SampleSubmission.csv")
STANDIN_MARKER = "standin.json"
SOLUTION_FILE = "solution.csv"
"""The stand-in's true test values (Kaggle keeps its own secret)."""
DATA_FILES = (*KAGGLE_FILES, SOLUTION_FILE)
"""Every CSV file a data folder may hold: inputs, which no command may overwrite."""
TRAINING_FILES = ("training.csv",)
TEST_FILES = ("test.csv", "IdLookupTable.csv")
"""What training and predicting need (the ``needs``
of :func:`~fkp_helpers.data.sources.find_data`)."""
ARCHIVE_CONTENTS = {
    f"{COMPETITION}.zip": (),
    "training.zip": ("training.csv",),
    "test.zip": ("test.csv",),
}
"""Kaggle's archives, and the CSV file each must unpack to."""

HOW_TO_GET_DATA = (
    f"get Kaggle's data with `kaggle competitions download {COMPETITION} -p data` "
    "(needs a Kaggle account, ~/.kaggle/kaggle.json and the competition rules "
    "accepted), or write the stand-in with `fkp synth --out data`"
)
