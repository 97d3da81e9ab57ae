"""Augmentation for real photos: keypoints move with the image, draws repeat for a
seed, and nothing leaves [0, 1]."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from fkp_helpers.nn.augment import (
    Augmentation,
    affine_matrices,
    augment_batch,
    random_affine,
    random_cutout,
    random_photometric,
)
from fkp_helpers.nn.tf_data import make_dataset

POINTS = [(30.0, 40.0), (60.0, 20.0), (47.0, 70.0), (70.0, 66.0)]


def _bright_pixels() -> tuple[np.ndarray, np.ndarray]:
    """Four black images, each with one white pixel where its first keypoint is."""
    images = np.zeros((len(POINTS), 96, 96, 1), np.float32)
    keypoints = np.full((len(POINTS), 30), np.nan, np.float32)
    for i, (x, y) in enumerate(POINTS):
        images[i, int(y), int(x), 0] = 1.0
        keypoints[i, :2] = (x, y)
    return images, keypoints


def _centroid(image: np.ndarray) -> tuple[float, float]:
    weights = image[..., 0]
    rows, columns = np.mgrid[0:96, 0:96]
    total = weights.sum()
    return float((weights * columns).sum() / total), float(
        (weights * rows).sum() / total
    )


@pytest.mark.parametrize("seed", [(1, 2), (3, 4), (5, 6)])
def test_the_bright_pixel_stays_under_its_keypoint(seed):
    images, keypoints = _bright_pixels()
    wide = Augmentation(rotation_deg=30.0, scale=(0.8, 1.25), shift_px=6.0)
    moved_images, moved = random_affine(
        tf.constant(images), tf.constant(keypoints), tf.constant(seed, tf.int64), wide
    )
    for image, points in zip(moved_images.numpy(), moved.numpy(), strict=True):
        if np.isnan(points[0]):  # moved out of the image: its pixel is gone too
            continue
        x, y = _centroid(image)
        assert abs(x - points[0]) < 0.15 and abs(y - points[1]) < 0.15


def test_inverse_undoes_forward():
    rotation = tf.constant([0.3, -0.2])
    scale = tf.constant([1.2, 0.9])
    forward, inverse = affine_matrices(
        rotation, scale, tf.constant([3.0, -5.0]), tf.constant([-2.0, 4.0])
    )
    point = np.array([10.0, 70.0, 1.0])
    for f, i in zip(forward.numpy(), inverse.numpy(), strict=True):
        there = f @ point
        back = i @ np.append(there, 1.0)
        np.testing.assert_allclose(back, point[:2], atol=1e-4)


def test_points_pushed_outside_become_missing():
    images = np.zeros((1, 96, 96, 1), np.float32)
    keypoints = np.full((1, 30), 2.0, np.float32)  # every point near the corner
    shifted = Augmentation(rotation_deg=0.0, scale=(1.0, 1.0), shift_px=8.0)
    seeds = [tf.constant((s, 0), tf.int64) for s in range(20)]
    results = [
        random_affine(tf.constant(images), tf.constant(keypoints), s, shifted)[1]
        for s in seeds
    ]
    values = np.concatenate([r.numpy() for r in results])
    assert np.isnan(values).any()  # some shifts push them out
    assert ((values[~np.isnan(values)] >= 0) & (values[~np.isnan(values)] <= 95)).all()


def test_the_same_seed_gives_the_same_batch_and_another_seed_another():
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 1, (8, 96, 96, 1)).astype(np.float32)
    keypoints = rng.uniform(20, 70, (8, 30)).astype(np.float32)
    first = augment_batch(images, keypoints, tf.constant((7, 8), tf.int64))
    again = augment_batch(images, keypoints, tf.constant((7, 8), tf.int64))
    other = augment_batch(images, keypoints, tf.constant((9, 8), tf.int64))
    np.testing.assert_array_equal(first[0].numpy(), again[0].numpy())
    np.testing.assert_array_equal(first[1].numpy(), again[1].numpy())
    assert not np.array_equal(first[0].numpy(), other[0].numpy())


def test_photometric_changes_stay_in_range_and_keep_the_shape():
    rng = np.random.default_rng(1)
    images = tf.constant(rng.uniform(0, 1, (16, 96, 96, 1)).astype(np.float32))
    changed = random_photometric(images, tf.constant((1, 1), tf.int64)).numpy()
    assert changed.shape == (16, 96, 96, 1)
    assert changed.min() >= 0.0 and changed.max() <= 1.0
    assert not np.allclose(changed, images.numpy())


def test_blur_keeps_a_flat_image_flat():
    images = tf.fill((4, 96, 96, 1), 0.5)
    only_blur = Augmentation(
        contrast=(1.0, 1.0), gamma=(1.0, 1.0), brightness=0.0, blur=1.0, noise=0.0
    )
    blurred = random_photometric(images, tf.constant((2, 3), tf.int64), only_blur)
    np.testing.assert_allclose(blurred.numpy(), 0.5, atol=1e-5)


def test_cutout_covers_one_grey_rectangle():
    images = tf.zeros((1, 96, 96, 1))
    always = Augmentation(cutout=1.0, cutout_px=20)
    covered = random_cutout(images, tf.constant((4, 2), tf.int64), always).numpy()[0]
    rows, columns = np.nonzero(covered[..., 0] != 0)
    assert len(rows) > 0
    area = (rows.max() - rows.min() + 1) * (columns.max() - columns.min() + 1)
    assert len(rows) == area  # one filled rectangle
    assert rows.max() - rows.min() < 20 and columns.max() - columns.min() < 20


def test_make_dataset_applies_the_augmentation():
    rng = np.random.default_rng(2)
    images = rng.uniform(0, 1, (32, 96, 96, 1)).astype(np.float32)
    keypoints = rng.uniform(20, 70, (32, 30)).astype(np.float32)

    def batches(augmentation):
        data = make_dataset(
            images,
            keypoints,
            batch_size=32,
            scale_targets=lambda y: y,
            augmentation=augmentation,
        )
        return next(iter(data))

    plain_x, plain_y = batches(None)
    changed_x, changed_y = batches(Augmentation())
    np.testing.assert_array_equal(plain_x.numpy(), images)
    assert not np.allclose(changed_x.numpy(), images)
    assert not np.allclose(
        np.nan_to_num(changed_y.numpy()), np.nan_to_num(plain_y.numpy())
    )
