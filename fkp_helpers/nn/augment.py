"""Augmentation for real photos: random framing, light, blur, noise and occlusion.

A network trained on the stand-in sees faces framed one way, lit one way and
never covered; a face cut out of a photo by the Haar box is framed a little
differently each time, and photos differ in exposure, sharpness and noise.
:func:`augment_batch` changes every training image at random in those ways —
what the network should learn to ignore (domain randomisation) — and moves
the keypoints with the image.

Images are ``(batch, 96, 96, 1)`` float32 in ``[0, 1]``; keypoints ``(batch,
30)`` float32 in pixels (pixel-index coordinates, ``NaN`` where missing).
Every random draw is stateless, from one ``seed`` ``(2,)`` per batch, so a
pipeline gives the same batches for the same seed. This module imports
TensorFlow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..keypoints import IMAGE_SIZE, NUM_TARGETS
from .tensorflow_setup import tf

_CENTRE = (IMAGE_SIZE - 1) / 2  # 47.5: the middle of the pixel-index range
_BLUR_SIGMAS = (0.0, 0.7, 1.1, 1.6)  # px; one is chosen per image
_BLUR_RADIUS = 5  # taps each side of the Gaussian kernels


@dataclass(frozen=True)
class Augmentation:
    """How widely :func:`augment_batch` draws each change (all uniform).

    ``rotation_deg``: turn by up to this much either way; ``scale``: zoom by a
    factor in this range (log-uniform); ``shift_px``: move by up to this many
    pixels in x and in y; ``contrast`` and ``gamma``: factor ranges;
    ``brightness``: add up to this much either way; ``blur``: chance of a
    Gaussian blur (sigma 0.7, 1.1 or 1.6 px); ``noise``: largest standard
    deviation of added Gaussian noise; ``cutout``: chance of a grey rectangle
    (``cutout_px``: its largest side) somewhere on the face.
    """

    rotation_deg: float = 18.0
    scale: tuple[float, float] = (0.85, 1.2)
    shift_px: float = 7.0
    contrast: tuple[float, float] = (0.6, 1.4)
    gamma: tuple[float, float] = (0.7, 1.45)
    brightness: float = 0.15
    blur: float = 0.4
    noise: float = 0.04
    cutout: float = 0.3
    cutout_px: int = 36


def augment_batch(
    images: tf.Tensor,
    keypoints_px: tf.Tensor,
    seed: tf.Tensor,
    augmentation: Augmentation = Augmentation(),
) -> tuple[tf.Tensor, tf.Tensor]:
    """``(images, keypoints_px)`` changed at random (see the module docstring).

    A keypoint moved out of the image becomes ``NaN`` (missing: the masked
    loss skips it).
    """
    seeds = tf.random.experimental.stateless_split(seed, 3)
    images, keypoints_px = random_affine(images, keypoints_px, seeds[0], augmentation)
    images = random_photometric(images, seeds[1], augmentation)
    images = random_cutout(images, seeds[2], augmentation)
    return images, keypoints_px


def _uniform(
    seed: tf.Tensor, batch: tf.Tensor, low: float, high: float, index: int
) -> tf.Tensor:
    """``(batch,)`` uniform draws in ``[low, high)`` from draw number ``index`` of
    ``seed``."""
    draw_seed = tf.random.experimental.stateless_fold_in(seed, index)
    return tf.random.stateless_uniform([batch], draw_seed, low, high)


def affine_matrices(
    rotation: tf.Tensor, scale: tf.Tensor, shift_x: tf.Tensor, shift_y: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """Per-image maps about the image centre: ``(forward, inverse)``, each ``(batch,
    2, 3)``.

    ``forward`` takes a point of the input image to the output image:
    ``p' = c + scale · R(rotation) · (p - c) + shift``, ``c = (47.5, 47.5)``,
    rotation in radians (positive turns clockwise on screen, y pointing down).
    """
    cos, sin = tf.cos(rotation) * scale, tf.sin(rotation) * scale
    tx = _CENTRE + shift_x - (cos * _CENTRE - sin * _CENTRE)
    ty = _CENTRE + shift_y - (sin * _CENTRE + cos * _CENTRE)
    forward = tf.reshape(tf.stack([cos, -sin, tx, sin, cos, ty], axis=1), [-1, 2, 3])
    inv_cos, inv_sin = tf.cos(rotation) / scale, tf.sin(rotation) / scale
    # inverse: p = c + R(-rotation) / scale · (p' - c - shift)
    ox, oy = _CENTRE + shift_x, _CENTRE + shift_y
    itx = _CENTRE - (inv_cos * ox + inv_sin * oy)
    ity = _CENTRE - (-inv_sin * ox + inv_cos * oy)
    inverse = tf.reshape(
        tf.stack([inv_cos, inv_sin, itx, -inv_sin, inv_cos, ity], axis=1), [-1, 2, 3]
    )
    return forward, inverse


def transform_images(images: tf.Tensor, inverse: tf.Tensor) -> tf.Tensor:
    """Resample ``images`` so that output pixel ``p'`` shows input point ``inverse ·
    p'`` (bilinear; edges repeated outside the image)."""
    batch = tf.shape(images)[0]
    flat = tf.concat(
        [tf.reshape(inverse, [-1, 6]), tf.zeros([batch, 2], dtype=inverse.dtype)],
        axis=1,
    )
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=flat,
        output_shape=[IMAGE_SIZE, IMAGE_SIZE],
        interpolation="BILINEAR",
        fill_mode="NEAREST",
        fill_value=0.0,
    )


def transform_keypoints(keypoints_px: tf.Tensor, forward: tf.Tensor) -> tf.Tensor:
    """Keypoints ``(batch, 30)`` through ``forward`` ``(batch, 2, 3)``; points that
    land outside the image become ``NaN``."""
    points = tf.reshape(keypoints_px, [-1, NUM_TARGETS // 2, 2])
    moved = (
        tf.einsum("bij,bkj->bki", forward[:, :, :2], points)
        + forward[:, tf.newaxis, :, 2]
    )
    inside = tf.reduce_all((moved >= 0.0) & (moved <= IMAGE_SIZE - 1.0), axis=-1)
    moved = tf.where(inside[..., tf.newaxis], moved, tf.fill(tf.shape(moved), np.nan))
    return tf.reshape(moved, [-1, NUM_TARGETS])


def random_affine(
    images: tf.Tensor,
    keypoints_px: tf.Tensor,
    seed: tf.Tensor,
    augmentation: Augmentation = Augmentation(),
) -> tuple[tf.Tensor, tf.Tensor]:
    """Turn, zoom and move each image at random, and its keypoints with it."""
    batch = tf.shape(images)[0]
    limit = math.radians(augmentation.rotation_deg)
    low, high = (math.log(value) for value in augmentation.scale)
    shift = augmentation.shift_px
    forward, inverse = affine_matrices(
        _uniform(seed, batch, -limit, limit, 0),
        tf.exp(_uniform(seed, batch, low, high, 1)),
        _uniform(seed, batch, -shift, shift, 2),
        _uniform(seed, batch, -shift, shift, 3),
    )
    return transform_images(images, inverse), transform_keypoints(keypoints_px, forward)


def _blur_bank() -> np.ndarray:
    """Separable Gaussian taps ``(2·radius + 1, len(_BLUR_SIGMAS))``; sigma 0 is the
    identity."""
    offsets = np.arange(-_BLUR_RADIUS, _BLUR_RADIUS + 1, dtype=np.float64)
    bank = []
    for sigma in _BLUR_SIGMAS:
        taps = (offsets == 0).astype(np.float64)
        if sigma > 0:
            taps = np.exp(-0.5 * (offsets / sigma) ** 2)
        bank.append(taps / taps.sum())
    return np.stack(bank, axis=1).astype(np.float32)


def random_photometric(
    images: tf.Tensor, seed: tf.Tensor, augmentation: Augmentation = Augmentation()
) -> tf.Tensor:
    """Random contrast (about the image's mean), gamma, brightness, blur and noise;
    clipped to ``[0, 1]``."""
    batch = tf.shape(images)[0]
    per_image = (batch, 1, 1, 1)

    def draw(low: float, high: float, index: int) -> tf.Tensor:
        return tf.reshape(_uniform(seed, batch, low, high, index), per_image)

    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    images = mean + (images - mean) * draw(*augmentation.contrast, 0)
    images = tf.clip_by_value(images, 0.0, 1.0)
    log_low, log_high = (math.log(value) for value in augmentation.gamma)
    images = tf.pow(images + 1e-6, tf.exp(draw(log_low, log_high, 1)))
    images += draw(-augmentation.brightness, augmentation.brightness, 2)

    bank = tf.constant(_blur_bank())  # (taps, sigmas)
    taps = len(_BLUR_SIGMAS)
    padded = tf.pad(
        images, [[0, 0], [_BLUR_RADIUS] * 2, [_BLUR_RADIUS] * 2, [0, 0]], "SYMMETRIC"
    )
    rows = tf.nn.conv2d(padded, tf.reshape(bank, [1, -1, 1, taps]), 1, "VALID")
    both = tf.nn.depthwise_conv2d(
        rows, tf.reshape(bank, [-1, 1, taps, 1]), [1, 1, 1, 1], "VALID"
    )  # (batch, 96, 96, sigmas): each image under every blur
    blurred = _uniform(seed, batch, 0.0, 1.0, 3) < augmentation.blur
    which = tf.where(
        blurred,
        tf.random.stateless_uniform(
            [batch],
            tf.random.experimental.stateless_fold_in(seed, 4),
            1,
            taps,
            dtype=tf.int32,
        ),
        0,
    )
    images = tf.reduce_sum(
        both * tf.one_hot(which, taps)[:, tf.newaxis, tf.newaxis, :],
        axis=-1,
        keepdims=True,
    )
    noise_seed = tf.random.experimental.stateless_fold_in(seed, 5)
    noise = tf.random.stateless_normal(tf.shape(images), noise_seed)
    images += noise * draw(0.0, augmentation.noise, 6)
    return tf.clip_by_value(images, 0.0, 1.0)


def random_cutout(
    images: tf.Tensor, seed: tf.Tensor, augmentation: Augmentation = Augmentation()
) -> tf.Tensor:
    """With chance ``augmentation.cutout``, cover a random rectangle of each image with
    a random grey (an occluding hand, a microphone)."""
    batch = tf.shape(images)[0]
    largest = float(augmentation.cutout_px)
    width = _uniform(seed, batch, 6.0, largest, 0)
    height = _uniform(seed, batch, 6.0, largest, 1)
    left = _uniform(seed, batch, 0.0, 1.0, 2) * (IMAGE_SIZE - width)
    top = _uniform(seed, batch, 0.0, 1.0, 3) * (IMAGE_SIZE - height)
    grey = _uniform(seed, batch, 0.0, 1.0, 4)
    chosen = _uniform(seed, batch, 0.0, 1.0, 5) < augmentation.cutout
    grid = tf.range(IMAGE_SIZE, dtype=tf.float32)
    in_x = (grid >= left[:, None]) & (grid < (left + width)[:, None])
    in_y = (grid >= top[:, None]) & (grid < (top + height)[:, None])
    covered = in_y[:, :, None] & in_x[:, None, :] & chosen[:, None, None]
    return tf.where(
        covered[..., tf.newaxis],
        grey[:, None, None, None] * tf.ones_like(images),
        images,
    )
