"""Chapter 6 writes the flip, the masked loss, the schedule and the stronger CNN;
``fkp train`` takes them from the package.

The chapter's ``flip_faces``, ``random_flip``, ``masked_mse``,
``warmup_cosine_schedule``, ``stronger_cnn_optimizer``, ``build_stronger_cnn``
and constants must compute what :mod:`fkp_helpers.nn.tf_data`,
:mod:`fkp_helpers.nn.losses` and ``get_spec("cnn")`` compute (see
``tests/chapter_code.py``).
"""

from __future__ import annotations

from fkp_helpers.nn.tensorflow_setup import keras, tf

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from chapter_code import assert_same_network, chapter_namespace

from fkp_helpers.keypoints import flip_permutation
from fkp_helpers.nn.losses import masked_mean_squared_error
from fkp_helpers.nn.models import build_model, cnn_learning_rate, get_spec
from fkp_helpers.nn.tf_data import flip_horizontally, random_flip

SPEC = get_spec("cnn")


@pytest.fixture(scope="module")
def chapter() -> dict[str, Any]:
    return chapter_namespace("06_going_further")


@pytest.fixture
def global_policy() -> Iterator[None]:
    """Restore Keras's global dtype policy after a test that changes it."""
    before = keras.mixed_precision.global_policy().name
    yield
    keras.mixed_precision.set_global_policy(before)


def faces(n: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random images and keypoints in pixels, some of them NaN (missing)."""
    rng = np.random.default_rng(0)
    images = rng.random((n, 96, 96, 1), dtype=np.float32)
    keypoints = rng.uniform(0, 95, size=(n, 30)).astype(np.float32)
    keypoints[rng.random((n, 30)) < 0.3] = np.nan
    return images, keypoints


def test_the_chapters_network_is_the_packages_cnn(chapter: dict[str, Any]) -> None:
    assert keras.mixed_precision.global_policy().name == "float32"
    assert_same_network(chapter["build_stronger_cnn"](), build_model("cnn"))


def test_the_chapters_soft_argmax_holds_the_packages_cell_centres(
    chapter: dict[str, Any],
) -> None:
    """assert_same_network copies the weights over and ignores ``trainable``: check the
    frozen centres here."""
    mine = chapter["build_stronger_cnn"]().get_layer("expected_position")
    theirs = build_model("cnn").get_layer("expected_position")
    assert not mine.trainable and not theirs.trainable
    np.testing.assert_array_equal(mine.get_weights()[0], theirs.get_weights()[0])
    np.testing.assert_array_equal(chapter["cell_centres"](), theirs.get_weights()[0])


def test_under_mixed_precision_too(
    chapter: dict[str, Any], global_policy: None
) -> None:
    """The chapter sets a global policy; the package passes it to every layer but the
    float32 head."""
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    mine = chapter["build_stronger_cnn"]()
    assert mine.get_layer("stem_conv").compute_dtype == "bfloat16"
    assert mine.get_layer("heatmaps").compute_dtype == "float32"
    assert mine.get_layer("keypoints").compute_dtype == "float32"
    keras.mixed_precision.set_global_policy("float32")
    assert_same_network(mine, build_model("cnn", "mixed_bfloat16"))


def test_the_chapters_flip_is_the_packages(chapter: dict[str, Any]) -> None:
    assert chapter["FLIP_ORDER"] == list(flip_permutation())
    images, keypoints = faces()
    mine_images, mine_keypoints = chapter["flip_faces"](images, keypoints)
    their_images, their_keypoints = flip_horizontally(images, keypoints)
    np.testing.assert_array_equal(mine_images.numpy(), their_images.numpy())
    np.testing.assert_array_equal(
        mine_keypoints.numpy(), their_keypoints.numpy()
    )  # NaN where NaN
    # One face at a time, as well as a batch.
    one_image, one_row = chapter["flip_faces"](images[0], keypoints[0])
    np.testing.assert_array_equal(one_image.numpy(), their_images.numpy()[0])
    np.testing.assert_array_equal(one_row.numpy(), their_keypoints.numpy()[0])


def test_the_chapters_random_flip_flips_what_it_chooses_as_the_package_does(
    chapter: dict[str, Any],
) -> None:
    images, keypoints = faces(32)
    mine_images, mine_keypoints = chapter["random_flip"](
        tf.constant(3, tf.int64), images, keypoints
    )
    everything, _ = random_flip(
        images, keypoints, seed=tf.constant([0, 0]), probability=1.0
    )
    flipped_images, flipped_keypoints = flip_horizontally(images, keypoints)
    np.testing.assert_array_equal(everything.numpy(), flipped_images.numpy())
    chosen = np.array(
        [
            not np.array_equal(a, b)
            for a, b in zip(mine_images.numpy(), images, strict=True)
        ]
    )
    assert 0 < chosen.sum() < len(chosen), "a random half, not none or all"
    np.testing.assert_array_equal(
        mine_images.numpy()[chosen], flipped_images.numpy()[chosen]
    )
    np.testing.assert_array_equal(
        mine_keypoints.numpy()[chosen], flipped_keypoints.numpy()[chosen]
    )
    np.testing.assert_array_equal(mine_images.numpy()[~chosen], images[~chosen])
    np.testing.assert_array_equal(mine_keypoints.numpy()[~chosen], keypoints[~chosen])
    # The same batch number draws the same faces; another one, others.
    again, _ = chapter["random_flip"](tf.constant(3, tf.int64), images, keypoints)
    other, _ = chapter["random_flip"](tf.constant(4, tf.int64), images, keypoints)
    np.testing.assert_array_equal(again.numpy(), mine_images.numpy())
    assert not np.array_equal(other.numpy(), mine_images.numpy())


def test_the_chapters_masked_loss_is_the_packages(chapter: dict[str, Any]) -> None:
    _, keypoints = faces(8)
    y_true = chapter["to_model_units"](keypoints)
    y_pred = (
        np.random.default_rng(1).normal(0, 0.5, size=y_true.shape).astype(np.float32)
    )
    for truth in (y_true, np.nan_to_num(y_true), np.full_like(y_true, np.nan)):
        expected = float(masked_mean_squared_error(truth, y_pred))
        np.testing.assert_allclose(
            float(chapter["masked_mse"](truth, y_pred)), expected, rtol=1e-6
        )
    # The gradients too: finite, zero where the target is missing, equal to the
    # package's.
    predictions = tf.Variable(y_pred)
    gradients = []
    for loss in (chapter["masked_mse"], masked_mean_squared_error):
        with tf.GradientTape() as tape:
            value = loss(y_true, predictions)
        gradients.append(tape.gradient(value, predictions).numpy())
    assert np.isfinite(gradients[0]).all()
    assert (gradients[0][np.isnan(y_true)] == 0).all()
    np.testing.assert_allclose(gradients[0], gradients[1], rtol=1e-6, atol=1e-9)


def test_the_chapters_schedule_is_the_packages(chapter: dict[str, Any]) -> None:
    for steps_per_epoch, epochs in [(110, 15), (4, 1), (33, 40)]:
        mine = chapter["warmup_cosine_schedule"](steps_per_epoch, epochs)
        theirs = cnn_learning_rate(steps_per_epoch, epochs)
        for step in sorted(
            {
                0,
                1,
                steps_per_epoch // 2,
                steps_per_epoch,
                steps_per_epoch + 1,
                steps_per_epoch * epochs // 2,
                steps_per_epoch * epochs,
            }
        ):
            np.testing.assert_allclose(
                float(mine(step)), float(theirs(step)), rtol=1e-6, atol=1e-12
            )


def test_the_chapters_training_settings_are_the_packages(
    chapter: dict[str, Any],
) -> None:
    mine = chapter["stronger_cnn_optimizer"](110, 15)
    theirs = SPEC.make_optimizer(110, 15)
    assert type(mine) is type(theirs)
    ignore = {"name"}
    assert {k: v for k, v in mine.get_config().items() if k not in ignore} == {
        k: v for k, v in theirs.get_config().items() if k not in ignore
    }
    assert SPEC.loss == "mse" and SPEC.flip
    assert chapter["BATCH_SIZE"] == SPEC.batch_size
    assert (SPEC.scaling.offset, SPEC.scaling.scale) == (
        chapter["CENTRE_PX"],
        chapter["CENTRE_PX"],
    )
    pixels = np.array([[0.0, 48.0, 95.0, np.nan]], dtype=np.float32)
    np.testing.assert_array_equal(
        chapter["to_model_units"](pixels), SPEC.scaling.to_model(pixels)
    )


def test_the_chapters_affine_maps_are_the_packages(chapter: dict[str, Any]) -> None:
    """Chapter 6's ``affine_maps`` and ``move_faces`` compute what
    :mod:`fkp_helpers.nn.augment` computes, and its ranges are the package's
    defaults."""
    from fkp_helpers.nn.augment import (
        Augmentation,
        affine_matrices,
        transform_images,
        transform_keypoints,
    )

    rng = np.random.default_rng(3)
    turn = tf.constant(rng.uniform(-0.3, 0.3, 6), tf.float32)
    zoom = tf.constant(rng.uniform(0.85, 1.2, 6), tf.float32)
    shift_x = tf.constant(rng.uniform(-7, 7, 6), tf.float32)
    shift_y = tf.constant(rng.uniform(-7, 7, 6), tf.float32)
    mine = chapter["affine_maps"](turn, zoom, shift_x, shift_y)
    theirs = affine_matrices(turn, zoom, shift_x, shift_y)
    for a, b in zip(mine, theirs, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-5)

    images, keypoints = faces()
    moved_images, moved = chapter["move_faces"](images, keypoints, *mine)
    np.testing.assert_allclose(
        moved_images.numpy(), transform_images(images, theirs[1]).numpy(), atol=1e-6
    )
    np.testing.assert_allclose(
        moved.numpy(), transform_keypoints(keypoints, theirs[0]).numpy(), atol=1e-4
    )
    defaults = Augmentation()
    assert chapter["MAX_TURN"] == pytest.approx(np.radians(defaults.rotation_deg))
    assert tuple(chapter["ZOOM"]) == defaults.scale
    assert chapter["MAX_SHIFT_PX"] == defaults.shift_px
