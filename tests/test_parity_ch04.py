"""Chapter 4 writes article A's network, loss and optimizer; ``fkp train`` takes them
from the package.

The chapter's ``build_article_a_cnn``, ``rmse``, ``rmse_px``, ``article_a_optimizer``
and constants must stay what :func:`fkp_helpers.nn.models.build_model` and
``get_spec("seed-cnn")`` give (see ``tests/chapter_code.py``).
"""

from __future__ import annotations

from fkp_helpers.nn.tensorflow_setup import keras

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from chapter_code import assert_same_network, chapter_namespace

from fkp_helpers.nn.losses import MaskedRootMeanSquaredError
from fkp_helpers.nn.models import build_model, get_spec

SPEC = get_spec("seed-cnn")


@pytest.fixture(scope="module")
def chapter() -> dict[str, Any]:
    return chapter_namespace("04_cnn")


@pytest.fixture
def global_policy() -> Iterator[None]:
    """Restore Keras's global dtype policy after a test that changes it."""
    before = keras.mixed_precision.global_policy().name
    yield
    keras.mixed_precision.set_global_policy(before)


def test_the_chapters_network_is_the_packages_seed_cnn(chapter: dict[str, Any]) -> None:
    assert keras.mixed_precision.global_policy().name == "float32"
    assert_same_network(chapter["build_article_a_cnn"](), build_model("seed-cnn"))


def test_under_mixed_precision_too(
    chapter: dict[str, Any], global_policy: None
) -> None:
    """The chapter sets a global policy; the package passes it to every layer but the
    float32 output."""
    keras.mixed_precision.set_global_policy("mixed_float16")
    mine = chapter["build_article_a_cnn"]()
    assert mine.get_layer("conv1").compute_dtype == "float16"
    assert mine.get_layer("keypoints").compute_dtype == "float32"
    keras.mixed_precision.set_global_policy("float32")
    assert_same_network(mine, build_model("seed-cnn", "mixed_float16"))


def test_the_chapters_rmse_is_the_packages_loss_on_complete_rows(
    chapter: dict[str, Any],
) -> None:
    rng = np.random.default_rng(0)
    y_true = rng.random((8, 30), dtype=np.float32)
    y_pred = y_true + rng.normal(0, 0.05, size=(8, 30)).astype(np.float32)
    package_loss = MaskedRootMeanSquaredError()
    for guess in (y_pred, y_true + np.float32(1 / 96), np.zeros_like(y_true)):
        expected = float(package_loss(y_true, guess))
        np.testing.assert_allclose(
            float(chapter["rmse"](y_true, guess)), expected, rtol=1e-6
        )
        np.testing.assert_allclose(
            float(chapter["rmse_px"](y_true, guess)),
            expected * SPEC.scaling.scale,
            rtol=1e-6,
        )
    # The package floors the mean at 1e-12 before the square root: a difference of 1e-6.
    np.testing.assert_allclose(float(chapter["rmse"](y_true, y_true)), 0.0, atol=1e-12)
    assert float(package_loss(y_true, y_true)) == pytest.approx(0.0, abs=1e-6)


def test_the_chapters_training_settings_are_the_packages(
    chapter: dict[str, Any],
) -> None:
    mine = chapter["article_a_optimizer"]()
    theirs = SPEC.make_optimizer(32, 20)
    assert type(mine) is type(theirs)
    ignore = {"name"}
    assert {k: v for k, v in mine.get_config().items() if k not in ignore} == {
        k: v for k, v in theirs.get_config().items() if k not in ignore
    }
    assert SPEC.loss == "rmse"
    assert chapter["BATCH_SIZE"] == SPEC.batch_size
    assert chapter["PATIENCE"] == SPEC.patience
    assert chapter["VALID_ROWS"] == SPEC.valid_rows
    assert (SPEC.scaling.offset, SPEC.scaling.scale) == (
        0.0,
        chapter["PIXELS_PER_UNIT"],
    )
    assert not SPEC.flip
