"""Chapter 5 writes its submission with pandas: the same file as write_submission's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from chapter_code import chapter_namespace

from fkp_helpers.data.kaggle_csv import load_lookup, load_test
from fkp_helpers.data.submission import validate_submission, write_submission

TINY = Path(__file__).parent / "fixtures" / "kaggle_tiny"


@pytest.fixture(scope="module")
def submission_from_lookup() -> Any:
    return chapter_namespace("05_predictions")["submission_from_lookup"]


@pytest.fixture
def predictions() -> tuple[np.ndarray, np.ndarray]:
    """Test image ids in reverse file order; float32 predictions, some off the image."""
    image_ids, _ = load_test(TINY / "test.csv", cache=False)
    rng = np.random.default_rng(0)
    predictions_px = rng.uniform(-10, 110, size=(len(image_ids), 30)).astype(np.float32)
    return image_ids[::-1].copy(), predictions_px


def test_the_chapters_submission_is_the_helpers_file(
    tmp_path: Path,
    submission_from_lookup: Any,
    predictions: tuple[np.ndarray, np.ndarray],
) -> None:
    image_ids, predictions_px = predictions
    lookup_csv = TINY / "IdLookupTable.csv"
    chapter_csv, helpers_csv = tmp_path / "chapter.csv", tmp_path / "helpers.csv"
    lookup_table = pd.read_csv(lookup_csv)
    submission = submission_from_lookup(lookup_table, image_ids, predictions_px)
    submission.to_csv(chapter_csv, index=False, float_format="%.4f")
    lookup = load_lookup(lookup_csv, image_ids=image_ids)
    write_submission(helpers_csv, lookup, image_ids, predictions_px)
    assert chapter_csv.read_text() == helpers_csv.read_text()
    validate_submission(chapter_csv, lookup)
    assert ((predictions_px < 0) | (predictions_px > 96)).any(), "no clipping tested"


def test_a_missing_prediction_is_refused(
    submission_from_lookup: Any, predictions: tuple[np.ndarray, np.ndarray]
) -> None:
    image_ids, predictions_px = predictions
    lookup_table = pd.read_csv(TINY / "IdLookupTable.csv")
    with pytest.raises(ValueError, match="no .*prediction"):
        submission_from_lookup(lookup_table, image_ids[1:], predictions_px[1:])
    predictions_px[:, :] = np.nan
    with pytest.raises(ValueError, match="no .*prediction"):
        submission_from_lookup(lookup_table, image_ids, predictions_px)


def test_the_first_page_pastes_the_prediction_grid_that_chapter_5_stores() -> None:
    root = Path(__file__).resolve().parents[1]
    intro = (root / "book" / "intro.md").read_text(encoding="utf-8")
    paste = "```{glue} prediction_grid\n:doc: ../notebooks/05_predictions.ipynb\n```"
    assert paste in intro
    chapter = root / "notebooks" / "05_predictions.ipynb"
    outputs = [
        o
        for c in json.loads(chapter.read_text("utf-8"))["cells"]
        for o in c.get("outputs", [])
    ]
    scrapbook = [o.get("metadata", {}).get("scrapbook", {}) for o in outputs]
    glued = [
        output
        for output, glue in zip(outputs, scrapbook, strict=True)
        if glue.get("name") == "prediction_grid"
    ]
    assert len(glued) == 1, "chapter 5's stored outputs must hold the glued figure once"
    assert "image/png" in glued[0]["data"], "the glued output is not a figure"
    # Only a figure that is also displayed gets written to the book's _images/ folder.
    assert not glued[0]["metadata"]["scrapbook"]["mime_prefix"], "use display=True"
