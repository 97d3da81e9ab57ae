"""The input pipeline and its flip: a mirrored face must keep every keypoint on its
feature."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from fkp_helpers.keypoints import KEYPOINT_COLUMNS, keypoint_index
from fkp_helpers.nn.tf_data import (
    flip_horizontally,
    flip_horizontally_numpy,
    make_dataset,
    random_flip,
)

LEFT_EYE, RIGHT_EYE, NOSE = (
    keypoint_index(n) for n in ("left_eye_center", "right_eye_center", "nose_tip")
)


def _one_bright_pixel_under_the_left_eye() -> tuple[np.ndarray, np.ndarray]:
    """A black image with one white pixel at column 70, row 30, where the left eye
    centre is labelled."""
    image = np.zeros((1, 96, 96, 1), np.float32)
    image[0, 30, 70, 0] = 1.0  # row (y) 30, column (x) 70
    keypoints = np.full((1, 30), np.nan, np.float32)
    keypoints[0, 2 * LEFT_EYE : 2 * LEFT_EYE + 2] = (70.0, 30.0)
    keypoints[0, 2 * NOSE : 2 * NOSE + 2] = (48.0, 60.0)
    return image, keypoints


def _pixel_under(image: np.ndarray, keypoints: np.ndarray, index: int) -> float:
    x, y = keypoints[2 * index : 2 * index + 2]
    return float(image[int(y), int(x), 0])


def test_after_a_flip_the_bright_pixel_is_still_under_the_swapped_keypoint():
    image, keypoints = _one_bright_pixel_under_the_left_eye()
    mirrored, moved = (
        t.numpy() for t in flip_horizontally(tf.constant(image), tf.constant(keypoints))
    )
    # the subject's left eye became its right eye, at x = 95 - 70 = 25, same row
    assert tuple(moved[0, 2 * RIGHT_EYE : 2 * RIGHT_EYE + 2]) == (25.0, 30.0)
    assert mirrored[0, 30, 25, 0] == 1.0
    assert _pixel_under(mirrored[0], moved[0], RIGHT_EYE) == 1.0
    assert np.isnan(
        moved[0, 2 * LEFT_EYE : 2 * LEFT_EYE + 2]
    ).all()  # NaN stays NaN (and moved with the swap)
    assert tuple(moved[0, 2 * NOSE : 2 * NOSE + 2]) == (
        47.0,
        60.0,
    )  # the nose stays the nose


def test_flipping_twice_gives_back_the_original_and_numpy_agrees_with_tensorflow():
    rng = np.random.default_rng(0)
    images = rng.random((3, 96, 96, 1), dtype=np.float32)
    keypoints = rng.uniform(0, 95, size=(3, 30)).astype(np.float32)
    keypoints[1, 10:14] = np.nan
    once_tf = [
        t.numpy()
        for t in flip_horizontally(tf.constant(images), tf.constant(keypoints))
    ]
    once_np = flip_horizontally_numpy(images, keypoints)
    np.testing.assert_array_equal(once_tf[0], once_np[0])
    np.testing.assert_allclose(once_tf[1], once_np[1])
    twice = flip_horizontally_numpy(*once_np)
    np.testing.assert_array_equal(twice[0], images)
    np.testing.assert_allclose(twice[1], keypoints, atol=1e-5)


def test_random_flip_mirrors_some_samples_and_is_fixed_by_its_seed():
    images = np.repeat(_one_bright_pixel_under_the_left_eye()[0], 64, axis=0)
    keypoints = np.repeat(_one_bright_pixel_under_the_left_eye()[1], 64, axis=0)
    seed = tf.constant([3, 4], tf.int64)
    first = [
        t.numpy()
        for t in random_flip(tf.constant(images), tf.constant(keypoints), seed=seed)
    ]
    again = [
        t.numpy()
        for t in random_flip(tf.constant(images), tf.constant(keypoints), seed=seed)
    ]
    np.testing.assert_array_equal(first[0], again[0])
    flipped = first[0][:, 30, 25, 0] == 1.0
    assert 10 < flipped.sum() < 54
    for image, points, was_flipped in zip(first[0], first[1], flipped, strict=True):
        assert (
            _pixel_under(image, points, RIGHT_EYE if was_flipped else LEFT_EYE) == 1.0
        )


def test_the_dataset_flips_consistently_shuffles_per_epoch_and_scales_last():
    n = 40
    images = np.zeros((n, 96, 96, 1), np.float32)
    keypoints = np.full((n, 30), np.nan, np.float32)
    for i in range(
        n
    ):  # each image: one bright pixel, under its left eye, at a different place
        x, y = 50 + i % 40, 10 + i
        images[i, y, x, 0] = 1.0
        keypoints[i, 2 * LEFT_EYE : 2 * LEFT_EYE + 2] = (x, y)
    dataset = make_dataset(
        images,
        keypoints,
        batch_size=16,
        scale_targets=lambda y: (y - 48.0) / 48.0,
        shuffle=True,
        flip=True,
        seed=1,
    )
    epochs = [list(dataset.as_numpy_iterator()) for _ in range(2)]
    assert [len(batch[0]) for batch in epochs[0]] == [16, 16, 8]
    for epoch in epochs:
        for batch_images, batch_targets in epoch:
            for image, targets in zip(
                batch_images, batch_targets * 48.0 + 48.0, strict=True
            ):
                labelled = RIGHT_EYE if np.isnan(targets[2 * LEFT_EYE]) else LEFT_EYE
                assert _pixel_under(image, np.round(targets, 3), labelled) == 1.0
    first_order = np.concatenate(
        [b[0].sum(axis=(2, 3)).argmax(axis=1) for b in epochs[0]]
    )
    second_order = np.concatenate(
        [b[0].sum(axis=(2, 3)).argmax(axis=1) for b in epochs[1]]
    )
    assert sorted(first_order) == sorted(second_order) and list(first_order) != list(
        second_order
    )

    same_seed = make_dataset(
        images,
        keypoints,
        batch_size=16,
        scale_targets=lambda y: y,
        shuffle=True,
        flip=True,
        seed=1,
    )
    np.testing.assert_array_equal(next(iter(same_seed))[0].numpy(), epochs[0][0][0])


def test_a_repeating_dataset_gives_whole_passes_one_after_another_each_in_a_new_order():
    images = np.zeros((10, 96, 96, 1), np.float32)
    keypoints = np.repeat(
        np.arange(10, dtype=np.float32)[:, None], 30, axis=1
    )  # row i: every value is i
    dataset = make_dataset(
        images,
        keypoints,
        batch_size=4,
        scale_targets=lambda y: y,
        shuffle=True,
        seed=3,
        repeat=True,
    )
    batches = [
        targets[:, 0] for _, targets in dataset.take(3 * 3).as_numpy_iterator()
    ]  # 3 passes of 4 + 4 + 2
    assert [len(rows) for rows in batches] == [4, 4, 2] * 3
    passes = [np.concatenate(batches[i : i + 3]) for i in (0, 3, 6)]
    assert all(sorted(rows) == list(range(10)) for rows in passes)
    assert len({tuple(rows) for rows in passes}) > 1


def test_without_shuffle_or_flip_the_dataset_keeps_rows_in_order():
    images = np.random.default_rng(0).random((5, 96, 96, 1), dtype=np.float32)
    keypoints = np.arange(150, dtype=np.float32).reshape(5, 30)
    ((batch_images, batch_targets),) = make_dataset(
        images, keypoints, batch_size=8, scale_targets=lambda y: y / 96
    )
    np.testing.assert_array_equal(batch_images.numpy(), images)
    np.testing.assert_allclose(batch_targets.numpy(), keypoints / 96)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="3 images but 2"):
        make_dataset(
            np.zeros((3, 96, 96, 1)),
            np.zeros((2, 30)),
            batch_size=2,
            scale_targets=lambda y: y,
        )


def test_every_column_takes_its_mirror_partner_and_only_x_becomes_95_minus_x():
    keypoints = np.arange(30, dtype=np.float32)[None, :]  # each value names its column
    _, moved = flip_horizontally_numpy(np.zeros((1, 96, 96, 1), np.float32), keypoints)
    for column, name in enumerate(KEYPOINT_COLUMNS):
        partner = (
            name.replace("left", "@").replace("right", "left").replace("@", "right")
        )
        source = KEYPOINT_COLUMNS.index(partner)
        assert moved[0, column] == (95 - source if name.endswith("_x") else source), (
            name
        )
