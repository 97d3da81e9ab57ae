"""Chapter 3 writes net1, its training rule and its split in its own cells; ``fkp train
mlp`` takes them from :mod:`fkp_helpers`. These tests check that both are the same."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from chapter_code import assert_same_network, chapter_namespace

from fkp_helpers.nn.models import build_model, get_spec
from fkp_helpers.nn.training import TrainConfig, split_rows

CHAPTER = "03_mlp_baseline"


@pytest.fixture(scope="module")
def chapter() -> dict[str, Any]:
    """The chapter's imports, functions and UPPER_CASE constants."""
    return chapter_namespace(CHAPTER)


def test_chapter_net1_is_the_package_mlp(chapter: dict[str, Any]):
    assert_same_network(chapter["build_net1"](), build_model("mlp"))


def test_chapter_compiles_net1_as_the_package_trains_it(chapter: dict[str, Any]):
    spec = get_spec("mlp")
    model = chapter["build_net1"]()
    chapter["compile_net1"](model)
    mine, theirs = model.optimizer, spec.make_optimizer(1, 1)
    assert type(mine) is type(theirs)
    for name in ("learning_rate", "momentum", "nesterov"):
        assert mine.get_config()[name] == pytest.approx(theirs.get_config()[name]), name
    ignored = {"name"}
    assert {k: v for k, v in mine.get_config().items() if k not in ignored} == {
        k: v for k, v in theirs.get_config().items() if k not in ignored
    }
    assert model.loss == spec.loss
    assert chapter["BATCH_SIZE"] == spec.batch_size
    assert chapter["VALID_FRACTION"] == spec.valid_fraction


def test_chapter_split_is_the_package_split(chapter: dict[str, Any]):
    """The chapter splits its complete rows as ``fkp train mlp --complete-only``."""
    keypoints = np.random.default_rng(1).random((2140, 30))
    keypoints[::7, 3] = np.nan  # incomplete rows, dropped before the split
    complete_rows = np.flatnonzero(np.isfinite(keypoints).all(axis=1))
    config = TrainConfig("mlp", complete_only=True).resolved()
    split = chapter["split_rows_at_random"]
    mine = split(len(complete_rows), chapter["VALID_FRACTION"], chapter["SEED"])
    theirs = split_rows(keypoints, config)
    assert chapter["SEED"] == config.seed
    for my_rows, their_rows in zip(mine, theirs, strict=True):
        np.testing.assert_array_equal(complete_rows[my_rows], their_rows)
