"""The ``tf.data`` input pipeline, with horizontal-flip augmentation that keeps
keypoints right.

Images are ``(N, 96, 96, 1)`` float32 in ``[0, 1]``; keypoints ``(N, 30)``
float32 in pixels (pixel-index coordinates: column ``i`` is ``x = i``), ``NaN``
where missing. A mirror image of a 96-wide picture moves the pixel at
``x`` to ``95 - x``, and the subject's left eye becomes its right eye, so a
flip also swaps every left/right pair (:func:`fkp_helpers.keypoints.flip_permutation`).
``NaN`` stays ``NaN``. Targets are scaled into the model's units last, after
the flip. This module imports TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..keypoints import IMAGE_SIZE, NUM_TARGETS, flip_permutation
from .augment import Augmentation, augment_batch
from .tensorflow_setup import tf

ScaleTargets = Callable[[tf.Tensor], tf.Tensor]
"""Maps a ``(batch, 30)`` float32 tensor in pixels to the model's units."""

X_COLUMNS = np.arange(NUM_TARGETS) % 2 == 0
"""True for the 15 x columns (``<name>_x``), False for the y columns."""


def flip_horizontally(
    images: tf.Tensor, keypoints_px: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """Mirror a batch: images ``(B, 96, 96, C)`` left-right, keypoints ``(B, 30)`` px to
    match.

    Every x becomes ``95 - x``, and left/right keypoints trade places. ``NaN`` stays
    ``NaN``.
    """
    mirrored = tf.reverse(images, axis=[2])
    swapped = tf.gather(keypoints_px, flip_permutation(), axis=1)
    is_x = tf.constant(X_COLUMNS)[tf.newaxis, :]
    moved = tf.where(is_x, float(IMAGE_SIZE - 1) - swapped, swapped)
    return mirrored, moved


def flip_horizontally_numpy(
    images: np.ndarray, keypoints_px: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """NumPy twin of :func:`flip_horizontally` (used to un-flip predictions)."""
    mirrored = images[:, :, ::-1]
    swapped = keypoints_px[:, list(flip_permutation())]
    moved = np.where(X_COLUMNS, (IMAGE_SIZE - 1) - swapped, swapped)
    return mirrored, moved.astype(keypoints_px.dtype, copy=False)


def random_flip(
    images: tf.Tensor,
    keypoints_px: tf.Tensor,
    seed: tf.Tensor,
    probability: float = 0.5,
) -> tuple[tf.Tensor, tf.Tensor]:
    """Flip each sample of a batch with ``probability``, drawn from the stateless
    ``seed`` (shape ``(2,)``)."""
    batch = tf.shape(images)[0]
    chosen = tf.random.stateless_uniform([batch], seed=seed) < probability
    mirrored, moved = flip_horizontally(images, keypoints_px)
    images = tf.where(chosen[:, tf.newaxis, tf.newaxis, tf.newaxis], mirrored, images)
    keypoints_px = tf.where(chosen[:, tf.newaxis], moved, keypoints_px)
    return images, keypoints_px


def make_dataset(
    images: np.ndarray,
    keypoints_px: np.ndarray,
    *,
    batch_size: int,
    scale_targets: ScaleTargets,
    shuffle: bool = False,
    flip: bool = False,
    augmentation: Augmentation | None = None,
    seed: int = 0,
    repeat: bool = False,
) -> tf.data.Dataset:
    """Batches of ``(images, scaled targets)`` for ``model.fit`` / ``model.evaluate``.

    ``shuffle`` draws a new order every epoch (repeatable for a ``seed``);
    ``flip`` mirrors half of each batch at random (also from ``seed``);
    ``augmentation`` then changes every image of a batch at random (framing,
    light, blur, noise, occlusion; :func:`fkp_helpers.nn.augment.augment_batch`);
    ``repeat`` makes the batches go on forever, one whole pass (a new shuffle,
    new flips) after another: train on it with ``steps_per_epoch =
    ceil(N / batch_size)``. Keras then keeps one iterator for the whole run;
    measured here, building a fresh iterator every epoch stalled some epochs
    for seconds while TensorFlow waited for the old iterator's threads. The
    arrays are already in memory, so the pipeline does not ``cache()``: it
    slices them, shuffles, batches, flips, scales, repeats and prefetches.
    """
    if len(images) != len(keypoints_px):
        raise ValueError(f"{len(images)} images but {len(keypoints_px)} keypoint rows")
    dataset = tf.data.Dataset.from_tensor_slices(
        (
            np.asarray(images, dtype=np.float32),
            np.asarray(keypoints_px, dtype=np.float32),
        )
    )
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size)
    if flip:
        seeds = tf.data.Dataset.random(
            seed=seed, rerandomize_each_iteration=True
        ).batch(2)
        dataset = tf.data.Dataset.zip((dataset, seeds)).map(
            lambda batch, pair: random_flip(*batch, seed=pair),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    if augmentation is not None:
        seeds = tf.data.Dataset.random(
            seed=seed + 1, rerandomize_each_iteration=True
        ).batch(2)
        dataset = tf.data.Dataset.zip((dataset, seeds)).map(
            lambda batch, pair: augment_batch(*batch, pair, augmentation),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    dataset = dataset.map(
        lambda x, y: (x, scale_targets(y)), num_parallel_calls=tf.data.AUTOTUNE
    )
    if repeat:
        dataset = dataset.repeat()
    return dataset.prefetch(tf.data.AUTOTUNE)
