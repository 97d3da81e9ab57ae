"""Large generated photos with one stand-in face at a known place and size: truth for
the photo path.

:func:`make_scene` pastes a 96x96 stand-in face (from
:func:`fkp_helpers.standin.faces.render_faces`) into a big synthetic background, at a
random position and scale, and returns where it went: the true
:class:`~fkp_helpers.photo.SquareCrop` (the face's 96x96 frame in scene pixels),
the true :class:`~fkp_helpers.photo.FaceBox` (the box whose
:func:`~fkp_helpers.photo.square_around` is that crop) and the true keypoints
in scene pixels, mapped with the same pixel convention as the photo path, so the
error of keypoints predicted on the scene and mapped back can be measured in
pixels. :func:`detection_rate` measures how often OpenCV's Haar cascade finds
such a (cartoon) face.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..keypoints import IMAGE_SIZE, NUM_TARGETS
from ..photo import (
    FACE_MARGIN,
    FaceBox,
    SquareCrop,
    find_faces,
    opencv,
    square_around,
    to_gray,
)

SCENE_SIZE = (1600, 1200)
"""Default scene (width, height) in pixels."""

FACE_SIDE_RANGE = (150.0, 450.0)
"""The pasted face's 96x96 frame is this many scene pixels wide (log-uniform)."""

IOU_HIT = 0.3
"""A detected box finds the pasted face when its intersection over union with the true
box is at least this."""

# the pasted face fades out over this many crop pixels at its rounded-square edge
_FEATHER_CROP_PX = 4.0
_SKIN_TINT = np.array([1.12, 0.96, 0.82]) / (
    0.299 * 1.12 + 0.587 * 0.96 + 0.114 * 0.82
)  # keeps the luma


@dataclass(frozen=True)
class Scene:
    """A generated photo: ``image`` ``(H, W, 3)`` uint8 RGB with one pasted face, whose
    96x96 frame is ``crop``, whose ideal detection is ``box`` and whose keypoints are
    ``keypoints_px`` ``(30,)`` float32 in scene pixels."""

    image: np.ndarray
    crop: SquareCrop
    box: FaceBox
    keypoints_px: np.ndarray


def make_scene(
    face: np.ndarray,
    keypoints_px: np.ndarray,
    *,
    size: tuple[int, int] = SCENE_SIZE,
    seed: int = 0,
) -> Scene:
    """Paste ``face`` ``(96, 96)`` uint8 with ``keypoints_px`` ``(30,)`` (crop pixels)
    into a new scene.

    ``size`` is ``(width, height)`` in pixels; it must hold the largest face
    (450 px). The background (smooth colour gradient, blotchy texture, a few
    soft-edged rectangles and ellipses, sensor noise; grayscale one time in
    four), the face's size (150–450 px, log-uniform), position and skin tint
    all follow from ``seed``. The face square is upscaled bilinearly with
    :meth:`SquareCrop.to_image`'s convention and blended in with a feathered
    rounded-square mask.
    """
    face = np.asarray(face)
    keypoints_px = np.asarray(keypoints_px, dtype=np.float64)
    if face.shape != (IMAGE_SIZE, IMAGE_SIZE) or face.dtype != np.uint8:
        raise ValueError(
            f"expected a (96, 96) uint8 face, got {face.dtype} {face.shape}"
        )
    if keypoints_px.shape != (NUM_TARGETS,):
        raise ValueError(
            f"expected keypoints of shape ({NUM_TARGETS},), got {keypoints_px.shape}"
        )
    width, height = size
    low, high = FACE_SIDE_RANGE
    if min(width, height) < high + 2:
        raise ValueError(
            f"a scene must be at least {high + 2:.0f} px on each side, "
            f"got {width}x{height}"
        )

    rng = np.random.default_rng(seed)
    grayscale = rng.random() < 0.25
    background = _background(rng, width, height, grayscale=grayscale)
    box_side = round(
        math.exp(rng.uniform(math.log(low), math.log(high))) / (1.0 + 2.0 * FACE_MARGIN)
    )
    # Place the box so that its whole crop (a little larger, shifted) lies inside the
    # scene.
    probe = square_around(FaceBox(0, 0, box_side, box_side))
    x = int(
        rng.integers(
            math.ceil(-probe.left), math.floor(width - probe.left - probe.side) + 1
        )
    )
    y = int(
        rng.integers(
            math.ceil(-probe.top), math.floor(height - probe.top - probe.side) + 1
        )
    )
    box = FaceBox(x, y, box_side, box_side)
    crop = square_around(box)
    tint = np.ones(3) if grayscale else _SKIN_TINT * rng.uniform(0.9, 1.1, size=3)
    image = _paste(background, face, crop, tint)
    return Scene(
        image=image,
        crop=crop,
        box=box,
        keypoints_px=crop.to_image(keypoints_px).astype(np.float32),
    )


def box_iou(a: FaceBox, b: FaceBox) -> float:
    """Intersection over union of two boxes' pixel areas (0 when they do not
    overlap)."""
    overlap_w = max(0, min(a.x + a.w, b.x + b.w) - max(a.x, b.x))
    overlap_h = max(0, min(a.y + a.h, b.y + b.h) - max(a.y, b.y))
    overlap = overlap_w * overlap_h
    return overlap / (a.w * a.h + b.w * b.h - overlap)


def detection_rate(
    n: int,
    seed: int = 0,
    *,
    size: tuple[int, int] = SCENE_SIZE,
    min_iou: float = IOU_HIT,
) -> tuple[int, int]:
    """``(found, n)``: in how many of ``n`` scenes :func:`~fkp_helpers.photo.find_faces`
    finds the face.

    Scene ``i`` pastes ``render_faces(1, seed=seed, start=i)`` with
    ``make_scene(..., seed=seed * 1_000_003 + i)``. A scene counts as found when
    some detected box has an IoU of at least ``min_iou`` with the true box
    (false detections elsewhere are not counted against it).
    """
    from .faces import render_faces

    found = 0
    for i in range(n):
        faces, keypoints = render_faces(1, seed=seed, start=i)
        scene = make_scene(faces[0], keypoints[0], size=size, seed=seed * 1_000_003 + i)
        found += (
            matching_box(find_faces(to_gray(scene.image)), scene.box, min_iou=min_iou)
            is not None
        )
    return found, n


def matching_box(
    boxes: Sequence[FaceBox], truth: FaceBox, *, min_iou: float = IOU_HIT
) -> FaceBox | None:
    """The box of ``boxes`` that overlaps ``truth`` most, if its IoU is at least
    ``min_iou``; else ``None``."""
    best = max(boxes, key=lambda box: box_iou(box, truth), default=None)
    return best if best is not None and box_iou(best, truth) >= min_iou else None


# --------------------------------------------------------------------------- drawing


def _background(
    rng: np.random.Generator, width: int, height: int, *, grayscale: bool
) -> np.ndarray:
    """A plausible-looking backdrop ``(height, width, 3)`` float32 in 0–255: muted
    colours, as indoors."""
    cv2 = opencv()

    channels = 1 if grayscale else 3

    def colour() -> np.ndarray:  # a gray level plus a little chroma
        chroma = np.zeros(channels) if grayscale else rng.normal(0, 18, size=channels)
        return (rng.uniform(35, 220) + chroma).astype(np.float32)

    start, end = colour(), colour()
    angle = rng.uniform(0, 2 * math.pi)
    ramp = (
        np.cos(angle) * np.arange(width, dtype=np.float32)[None, :]
        + np.sin(angle) * np.arange(height, dtype=np.float32)[:, None]
    )
    ramp = (ramp - ramp.min()) / max(float(ramp.max() - ramp.min()), 1e-6)
    image = start + ramp[..., None] * (end - start)
    blotches = rng.standard_normal(
        (6, round(6 * width / height) + 1, 1)
    ) * 18.0 + rng.standard_normal((6, round(6 * width / height) + 1, channels)) * (
        0 if grayscale else 5.0
    )  # light, plus a little colour
    image += cv2.resize(
        blotches.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC
    ).reshape(height, width, -1)
    grain = rng.standard_normal((height, width), dtype=np.float32)
    sigma = rng.uniform(1.5, 4.0)
    image += (
        6.0 * sigma * cv2.GaussianBlur(grain, (0, 0), sigma)[..., None]
    )  # ~6 levels of fine texture
    for _ in range(int(rng.integers(3, 9))):  # furniture, windows, picture frames
        _add_shape(rng, image, colour())
    image += np.float32(rng.uniform(2.0, 5.0)) * rng.standard_normal(
        (height, width, channels), dtype=np.float32
    )
    return np.broadcast_to(image, (height, width, 3)).astype(np.float32)


def _add_shape(rng: np.random.Generator, image: np.ndarray, colour: np.ndarray) -> None:
    """Blend a soft-edged rectangle or ellipse of ``colour`` into ``image``
    ``(H, W, C)`` in place."""
    cv2 = opencv()

    height, width = image.shape[:2]
    cx, cy = rng.uniform(0, width), rng.uniform(0, height)
    half_w, half_h = rng.uniform(40, width / 3), rng.uniform(40, height / 3)
    blur = rng.uniform(1.0, 4.0)
    reach = (
        math.hypot(half_w, half_h) + 3 * blur + 2
    )  # the shape and its blur lie within this of its centre
    x0, x1 = max(int(cx - reach), 0), min(int(cx + reach) + 1, width)
    y0, y1 = max(int(cy - reach), 0), min(int(cy + reach) + 1, height)
    if x1 <= x0 or y1 <= y0:
        return
    shape = np.zeros((y1 - y0, x1 - x0), dtype=np.float32)
    centre = (int(cx) - x0, int(cy) - y0)
    if rng.random() < 0.5:
        corner = (int(half_w), int(half_h))
        cv2.rectangle(
            shape,
            (centre[0] - corner[0], centre[1] - corner[1]),
            (centre[0] + corner[0], centre[1] + corner[1]),
            1.0,
            -1,
        )
    else:
        cv2.ellipse(
            shape,
            centre,
            (int(half_w), int(half_h)),
            rng.uniform(0, 180),
            0,
            360,
            1.0,
            -1,
        )
    alpha = cv2.GaussianBlur(shape, (0, 0), blur)[..., None] * np.float32(
        rng.uniform(0.5, 0.9)
    )
    region = image[y0:y1, x0:x1]
    region += alpha * (colour - region)


def _paste(
    background: np.ndarray, face: np.ndarray, crop: SquareCrop, tint: np.ndarray
) -> np.ndarray:
    """``background`` with ``face`` upscaled into ``crop`` (feathered edges), as uint8
    RGB."""
    cv2 = opencv()

    height, width = background.shape[:2]
    x0, y0 = max(math.floor(crop.left), 0), max(math.floor(crop.top), 0)
    x1, y1 = (
        min(math.ceil(crop.left + crop.side), width),
        min(math.ceil(crop.top + crop.side), height),
    )
    # Scene pixel (x0 + i, y0 + j) → face pixel indices: to_crop's formula as an affine
    # matrix.
    s = crop.scale
    to_face = np.array(
        [
            [1 / s, 0, (x0 + 0.5 - crop.left) / s - 0.5],
            [0, 1 / s, (y0 + 0.5 - crop.top) / s - 0.5],
        ]
    )
    size = (x1 - x0, y1 - y0)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    pixels = cv2.warpAffine(
        face.astype(np.float32),
        to_face,
        size,
        flags=flags,
        borderMode=cv2.BORDER_REPLICATE,
    )
    alpha = cv2.warpAffine(
        _face_mask(),
        to_face,
        size,
        flags=flags,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    scene = background.copy()
    region = scene[y0:y1, x0:x1]
    region += alpha[..., None] * (pixels[..., None] * tint.astype(np.float32) - region)
    return np.clip(np.rint(scene), 0, 255).astype(np.uint8)


def _face_mask() -> np.ndarray:
    """``(96, 96)`` float32 opacity: 1 inside a rounded square (superellipse) that keeps
    the head and cuts the frame's corners, fading to 0 over ``_FEATHER_CROP_PX`` at its
    edge."""
    centre = (IMAGE_SIZE - 1) / 2
    ys, xs = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE].astype(np.float64)
    radius = ((xs - centre) ** 4 + (ys - centre) ** 4) ** 0.25
    return np.clip((centre + 0.5 - radius) / _FEATHER_CROP_PX, 0.0, 1.0).astype(
        np.float32
    )
