"""Keypoints on any photo: read it, find the faces, crop each to 96x96 like Kaggle's,
predict, map back, draw.

The path from a photo to keypoints in its own pixels::

    image = read_image("photo.jpg")                    # (H, W, 3) uint8 RGB
    faces = detect_keypoints(image, load_run("runs/cnn").predict_px)
    write_png("annotated.png", draw_keypoints(image, faces))
    write_json("points.json", points_json(faces))

Coordinates are pixel indices everywhere (the pixel in column ``i``, row ``j``
is centred on ``x = i``, ``y = j``); a :class:`SquareCrop` maps them exactly
between the photo and the 96x96 crop. OpenCV 4 (which still has
``cv2.CascadeClassifier``) is imported inside the functions that use it, by
:func:`opencv`: the package's ``photo`` extra installs ``opencv-python-headless``,
and any OpenCV 4 already there (Colab's ``opencv-python``) serves as well. Pillow
(a dependency of matplotlib) reads image headers.

How the crop is framed (:data:`FACE_MARGIN`, :data:`FACE_SHIFT`): a side of
1.06 times the Haar box's width, centred 0.01 of its height above the box's
centre, between what a real face and the stand-in's faces ask for; the
measurements are in ``benchmarks/results/measurements.md``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from .atomic import atomic_write
from .errors import PhotoError
from .keypoints import IMAGE_SIZE, KEYPOINT_NAMES, NUM_TARGETS

MAX_PIXELS = 40_000_000
"""Largest image :func:`read_image` accepts (width x height); read at call time, so
tests can patch it."""

CASCADE_FILE = "haarcascade_frontalface_default.xml"
"""OpenCV's frontal-face Haar cascade, shipped inside the ``opencv-python(-headless)``
wheel."""

MIN_FACE_PX = 48
"""Smallest face the detector looks for, in the (possibly downscaled) detection image:
half the model's 96 px input, so no crop is blown up more than about 2x."""

DETECT_MAX_SIDE = 2048
"""Photos whose longer side exceeds this are downscaled to it for detection only (a
20-megapixel photo takes ~4 s at full size and yields tiny false positives), so the
smallest face found in the original is ``MIN_FACE_PX`` times the downscale factor; see
:func:`smallest_face_px`."""

FACE_MARGIN = 0.03
"""Extra width on each side of a Haar box, as a fraction of the box's width: crop side =
``1.06 w`` (see "How the crop is framed" in the module docstring)."""

FACE_SHIFT = -0.01
"""Crop centre below the box centre, as a fraction of the box's height (negative:
up)."""


OPENCV_MISSING = (
    'OpenCV is not installed: pip install "fkp-helpers[photo]" (or opencv-python)'
)
"""The one-line error when ``cv2`` cannot be imported at all."""


def opencv() -> ModuleType:
    """OpenCV's ``cv2`` module, imported on first use.

    The package does not require OpenCV, so that installing it never replaces
    an OpenCV already there (two OpenCV wheels share one ``cv2`` folder). Raises
    :class:`PhotoError` with :data:`OPENCV_MISSING` when it is not installed,
    or naming the import error when it is installed but does not load.
    """
    try:
        import cv2
    except ImportError as error:
        if isinstance(error, ModuleNotFoundError) and error.name == "cv2":
            raise PhotoError(OPENCV_MISSING) from None
        # Installed but broken, e.g. a system library the wheel needs is missing.
        message = f"OpenCV (cv2) is installed but does not load: {error}"
        raise PhotoError(message) from error
    return cv2


# --------------------------------------------------------------------------- reading


def read_image(path: str | Path) -> np.ndarray:
    """The image at ``path`` as RGB ``uint8`` of shape ``(H, W, 3)`` (grayscale files
    get 3 equal channels).

    EXIF orientation is applied (as phones expect). An image of more than
    :data:`MAX_PIXELS` pixels is refused from its header, before decoding, when
    Pillow can read the header (PNG, JPEG, TIFF, WebP, BMP, …), else right after
    decoding. Raises :class:`PhotoError` with one line naming the file for a
    missing file, a file OpenCV cannot decode, or a too large image.
    """
    cv2 = opencv()

    path = Path(path)
    if not path.exists():
        raise PhotoError(f"{path}: no such file")
    if not path.is_file():
        raise PhotoError(f"{path}: not a file")
    header_size = _header_size(path)
    if header_size is not None:
        _check_size(path, *header_size)
    encoded = np.fromfile(path, dtype=np.uint8)
    if encoded.size == 0:
        raise PhotoError(f"{path}: empty file, not an image")
    bgr = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    if bgr is None:
        raise PhotoError(
            f"{path}: not an image OpenCV can read "
            "(damaged, truncated or an unknown format)"
        )
    _check_size(path, bgr.shape[1], bgr.shape[0])
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _header_size(path: Path) -> tuple[int, int] | None:
    """``(width, height)`` from the file's header without decoding the pixels; ``None``
    if Pillow cannot tell."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                return image.size
    except (
        Image.DecompressionBombError
    ):  # over Pillow's own limit (~179 megapixels): far over ours
        raise PhotoError(
            f"{path}: more than "
            f"{2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6:.0f} megapixels, "
            "more than the limit "
            f"of {MAX_PIXELS / 1e6:g}; downscale it first"
        ) from None
    except (
        OSError,
        SyntaxError,
        ValueError,
    ):  # unknown format or damaged header: let OpenCV decide
        return None


def _check_size(path: Path, width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise PhotoError(
            f"{path}: {width}x{height} is {width * height / 1e6:.1f} megapixels, "
            "more than the limit "
            f"of {MAX_PIXELS / 1e6:g}; downscale it first"
        )


def to_gray(image_rgb: np.ndarray) -> np.ndarray:
    """``(H, W)`` uint8 luma (ITU-R BT.601, OpenCV's ``COLOR_RGB2GRAY``) of an RGB
    ``uint8`` image."""
    cv2 = opencv()

    return cv2.cvtColor(_check_rgb(image_rgb), cv2.COLOR_RGB2GRAY)


def _check_rgb(image_rgb: np.ndarray) -> np.ndarray:
    image_rgb = np.asarray(image_rgb)
    if image_rgb.dtype != np.uint8 or image_rgb.ndim != 3 or image_rgb.shape[2] != 3:
        raise ValueError(
            "expected an RGB uint8 image of shape (H, W, 3), "
            f"got {image_rgb.dtype} {image_rgb.shape}"
        )
    return image_rgb


# ------------------------------------------------------------------------ finding faces


@dataclass(frozen=True)
class FaceBox:
    """A face found in a photo: the pixels ``x <= column < x + w``, ``y <= row < y + h``
    (image pixels)."""

    x: int
    y: int
    w: int
    h: int


def smallest_face_px(shape: tuple[int, ...]) -> int:
    """Width in pixels of the smallest face :func:`find_faces` can find in an image of
    ``shape`` ``(H, W, ...)``."""
    return math.ceil(MIN_FACE_PX * _detection_factor(shape))


def _detection_factor(shape: tuple[int, ...]) -> float:
    return max(1.0, max(shape[0], shape[1]) / DETECT_MAX_SIDE)


def _detection_size(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(width, height)`` of the copy :func:`find_faces` searches for ``shape``
    ``(H, W)``."""
    factor = _detection_factor(shape)
    return round(shape[1] / factor), round(shape[0] / factor)


def can_hold_a_face(shape: tuple[int, ...]) -> bool:
    """Whether an image of ``shape`` ``(H, W, ...)`` is large enough to find a face in.

    False when its searched copy is narrower or lower than :data:`MIN_FACE_PX`,
    as a thin strip is (1x100000 px), however long.
    """
    return min(_detection_size(shape)) >= MIN_FACE_PX


def find_faces(gray: np.ndarray) -> list[FaceBox]:
    """Frontal faces in ``gray`` ``(H, W)`` uint8, largest first, by OpenCV's Haar
    cascade.

    Settings: ``scaleFactor=1.1`` (the window grows 10 % per scale, the usual
    trade of recall against time); ``minNeighbors=3`` (OpenCV's default: a face
    must be found at 3 overlapping windows; in the 50 scenes of
    ``scenes.detection_rate(50, seed=0)`` it finds 26 faces with 7 false boxes,
    where 5 finds 22 with 6); ``minSize`` = :data:`MIN_FACE_PX`. Images with a side
    longer than :data:`DETECT_MAX_SIDE` are searched at that size and the boxes scaled
    back. Boxes are square, in ``gray``'s pixels. An image that cannot hold a
    face (:func:`can_hold_a_face`) has none.
    """
    cv2 = opencv()

    gray = np.asarray(gray)
    if gray.dtype != np.uint8 or gray.ndim != 2:
        raise ValueError(
            "expected a grayscale uint8 image of shape (H, W), "
            f"got {gray.dtype} {gray.shape}"
        )
    if not can_hold_a_face(gray.shape):
        return []
    factor = _detection_factor(gray.shape)
    if factor > 1:
        size = _detection_size(gray.shape)
        searched = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    else:
        searched = gray
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + CASCADE_FILE)
    if cascade.empty():
        raise PhotoError(
            f"{cv2.data.haarcascades + CASCADE_FILE}: "
            "OpenCV could not load its face cascade"
        )
    found = cascade.detectMultiScale(
        searched, scaleFactor=1.1, minNeighbors=3, minSize=(MIN_FACE_PX, MIN_FACE_PX)
    )
    boxes = [
        FaceBox(
            round(x * factor), round(y * factor), round(w * factor), round(h * factor)
        )
        for x, y, w, h in np.asarray(found, dtype=np.int64).reshape(-1, 4)
    ]
    return sorted(boxes, key=lambda box: (-box.w * box.h, box.y, box.x))


# ---------------------------------------------------------------------- the square crop


@dataclass(frozen=True)
class SquareCrop:
    """A square of a photo that becomes the model's 96x96 input.

    ``left``, ``top`` and ``side`` are in image pixels and may be fractional or
    reach outside the image. With ``s = side / 96``, crop pixel ``i`` covers the
    image interval ``[left + i*s, left + (i+1)*s)`` (edges: image pixel ``X``
    covers ``[X, X+1)``), so in pixel-index coordinates

        image x = left + (crop x + 0.5) * s - 0.5,
        crop x = (image x + 0.5 - left) / s - 0.5

    and likewise for y with ``top``.
    """

    left: float
    top: float
    side: float

    @property
    def scale(self) -> float:
        """Image pixels per crop pixel."""
        return self.side / IMAGE_SIZE

    def to_image(self, points: np.ndarray) -> np.ndarray:
        """Crop coordinates → image coordinates; ``points`` ``(..., 2k)`` as ``x, y``
        pairs (e.g. ``(N, 30)``).

        Returns float64 of the same shape; NaN stays NaN.
        """
        x, y = _split_pairs(points)
        return _join_pairs(
            self.left + (x + 0.5) * self.scale - 0.5,
            self.top + (y + 0.5) * self.scale - 0.5,
        )

    def to_crop(self, points: np.ndarray) -> np.ndarray:
        """Image coordinates → crop coordinates (the inverse of :meth:`to_image`), same
        shapes."""
        x, y = _split_pairs(points)
        return _join_pairs(
            (x + 0.5 - self.left) / self.scale - 0.5,
            (y + 0.5 - self.top) / self.scale - 0.5,
        )

    def crop_to_image_matrix(self) -> np.ndarray:
        """The 2x3 affine matrix taking crop pixel indices to image pixel indices (for
        ``cv2.warpAffine``)."""
        s = self.scale
        return np.array(
            [[s, 0.0, self.left + 0.5 * s - 0.5], [0.0, s, self.top + 0.5 * s - 0.5]]
        )


def _split_pairs(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    points = np.asarray(points, dtype=np.float64)
    if points.ndim == 0 or points.shape[-1] % 2:
        raise ValueError(
            "expected x, y pairs along the last axis (e.g. shape (N, 30)), "
            f"got shape {points.shape}"
        )
    return points[..., 0::2], points[..., 1::2]


def _join_pairs(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    joined = np.empty((*x.shape[:-1], 2 * x.shape[-1]), dtype=np.float64)
    joined[..., 0::2], joined[..., 1::2] = x, y
    return joined


def square_around(
    box: FaceBox, margin: float = FACE_MARGIN, shift: float = FACE_SHIFT
) -> SquareCrop:
    """The square crop for a detected ``box``: side ``(1 + 2 margin) * max(w, h)``,
    centred on the box's centre moved down by ``shift * h`` (see :data:`FACE_MARGIN`,
    :data:`FACE_SHIFT` for the calibration)."""
    side = (1.0 + 2.0 * margin) * max(box.w, box.h)
    centre_x = box.x + box.w / 2
    centre_y = box.y + box.h / 2 + shift * box.h
    return SquareCrop(left=centre_x - side / 2, top=centre_y - side / 2, side=side)


def crop_face(gray: np.ndarray, crop: SquareCrop) -> np.ndarray:
    """``crop`` of ``gray`` ``(H, W)`` uint8 as a ``(96, 96)`` float32 image in
    ``[0, 1]``.

    Sampled by ``cv2.warpAffine`` (bilinear, edges replicated outside the
    image) with :meth:`SquareCrop.crop_to_image_matrix`, so a feature at image
    ``(X, Y)`` lands at ``crop.to_crop([X, Y])``. When shrinking (``crop.scale
    > 1``) the area the crop needs is first blurred with a Gaussian of sigma
    ``sqrt(scale² - 1) / 2`` image pixels: with a pixel's own width counted as
    sigma 0.5, each crop pixel then averages over sigma 0.5 crop pixels, enough
    against aliasing (a bright pixel's blob stays centred within 0.2 crop px).
    """
    cv2 = opencv()

    gray = np.asarray(gray)
    if gray.dtype != np.uint8 or gray.ndim != 2:
        raise ValueError(
            "expected a grayscale uint8 image of shape (H, W), "
            f"got {gray.dtype} {gray.shape}"
        )
    height, width = gray.shape
    sigma = math.sqrt(max(0.0, crop.scale**2 - 1.0)) / 2.0
    pad = math.ceil(3 * sigma) + 2
    x0 = min(max(math.floor(crop.left) - pad, 0), width - 1)
    y0 = min(max(math.floor(crop.top) - pad, 0), height - 1)
    x1 = max(min(math.ceil(crop.left + crop.side) + pad, width), x0 + 1)
    y1 = max(min(math.ceil(crop.top + crop.side) + pad, height), y0 + 1)
    region = gray[y0:y1, x0:x1].astype(np.float32) / np.float32(255)
    if sigma > 0:
        region = cv2.GaussianBlur(
            region, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REPLICATE
        )
    matrix = crop.crop_to_image_matrix()
    matrix[:, 2] -= (x0, y0)  # into the region's pixel indices
    crop_image = cv2.warpAffine(
        region,
        matrix,
        (IMAGE_SIZE, IMAGE_SIZE),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.clip(crop_image, 0.0, 1.0, out=crop_image)


# --------------------------------------------------------------------------- predicting


@dataclass(frozen=True)
class FaceKeypoints:
    """One face: its detection ``box``, the ``crop`` fed to the model, and
    ``keypoints_px`` ``(30,)`` float32 in the photo's pixels (``x, y`` per keypoint in
    Kaggle's order)."""

    box: FaceBox
    crop: SquareCrop
    keypoints_px: np.ndarray


def detect_keypoints(
    image_rgb: np.ndarray,
    predict_px: Callable[[np.ndarray], np.ndarray],
    boxes: Sequence[FaceBox] | None = None,
) -> list[FaceKeypoints]:
    """Keypoints of every face in ``image_rgb`` ``(H, W, 3)`` uint8, in the image's
    pixels.

    ``predict_px`` maps crops ``(N, 96, 96, 1)`` float32 in ``[0, 1]`` to
    keypoints ``(N, 30)`` in crop pixels (e.g. ``load_run(run_dir).predict_px``).
    ``boxes`` default to :func:`find_faces` on the image; pass known boxes to
    skip detection. Returns one :class:`FaceKeypoints` per box, in order (an
    empty list if there are none).
    """
    gray = to_gray(image_rgb)
    boxes = find_faces(gray) if boxes is None else list(boxes)
    if not boxes:
        return []
    crops = [square_around(box) for box in boxes]
    batch = np.stack([crop_face(gray, crop) for crop in crops])[..., np.newaxis]
    predicted = np.asarray(predict_px(batch), dtype=np.float64)
    if predicted.shape != (len(boxes), NUM_TARGETS):
        raise ValueError(
            f"predict_px returned shape {predicted.shape}, "
            f"expected ({len(boxes)}, {NUM_TARGETS})"
        )
    return [
        FaceKeypoints(
            box=box, crop=crop, keypoints_px=crop.to_image(points).astype(np.float32)
        )
        for box, crop, points in zip(boxes, crops, predicted, strict=True)
    ]


# ------------------------------------------------------------------ drawing and writing

_BOX_COLOUR = (255, 214, 0)  # RGB
_SUBJECT_LEFT_COLOUR = (0, 200, 255)  # points on the subject's left (the image's right)
_SUBJECT_RIGHT_COLOUR = (255, 60, 200)
_MIDDLE_COLOUR = (80, 255, 80)
_SUBPIXEL_BITS = 4


def _point_colour(name: str) -> tuple[int, int, int]:
    if name.startswith(("left_", "mouth_left")):
        return _SUBJECT_LEFT_COLOUR
    if name.startswith(("right_", "mouth_right")):
        return _SUBJECT_RIGHT_COLOUR
    return _MIDDLE_COLOUR


def draw_keypoints(image_rgb: np.ndarray, faces: Sequence[FaceKeypoints]) -> np.ndarray:
    """A copy of ``image_rgb`` with each face's box and its 15 keypoints drawn.

    Points on the subject's left are cyan, on the right magenta, in the middle
    green, each with a dark rim. The box's line width grows with the image (1 px
    up to 900 px, 7 px at 4000 px) and the points' radius with the face (1/60 of
    its box, at least 2 px), so both stay visible on small and large photos.
    """
    cv2 = opencv()

    canvas = _check_rgb(image_rgb).copy()
    line = max(1, round(max(canvas.shape[:2]) / 600))
    one = 1 << _SUBPIXEL_BITS
    for face in faces:
        box = face.box
        cv2.rectangle(
            canvas,
            (box.x, box.y),
            (box.x + box.w - 1, box.y + box.h - 1),
            _BOX_COLOUR,
            line,
            cv2.LINE_8,
        )
        radius = max(2.0, box.w / 60)
        rim = max(1.0, radius / 3)
        for name, (x, y) in zip(KEYPOINT_NAMES, _xy_pairs(face), strict=True):
            if not (math.isfinite(x) and math.isfinite(y)):
                continue
            centre = (round(x * one), round(y * one))
            cv2.circle(
                canvas,
                centre,
                round((radius + rim) * one),
                (0, 0, 0),
                -1,
                cv2.LINE_AA,
                _SUBPIXEL_BITS,
            )
            cv2.circle(
                canvas,
                centre,
                round(radius * one),
                _point_colour(name),
                -1,
                cv2.LINE_AA,
                _SUBPIXEL_BITS,
            )
    return canvas


def points_json(faces: Sequence[FaceKeypoints]) -> dict[str, Any]:
    """``{"faces": [{"box": [x, y, w, h],
    "keypoints": {"left_eye_center": [x, y], …}}]}`` in image pixels.

    Keypoint coordinates are rounded to 0.01 px; a missing (NaN) one is ``null``.
    """
    return {
        "faces": [
            {
                "box": [face.box.x, face.box.y, face.box.w, face.box.h],
                "keypoints": {
                    name: [_rounded(x), _rounded(y)]
                    for name, (x, y) in zip(
                        KEYPOINT_NAMES, _xy_pairs(face), strict=True
                    )
                },
            }
            for face in faces
        ]
    }


def _xy_pairs(face: FaceKeypoints) -> np.ndarray:
    """``(15, 2)`` float64: the face's keypoints as ``x, y`` rows."""
    return np.asarray(face.keypoints_px, dtype=np.float64).reshape(-1, 2)


def _rounded(value: float) -> float | None:
    return round(float(value), 2) if math.isfinite(value) else None


def write_png(path: str | Path, image_rgb: np.ndarray) -> None:
    """Write ``image_rgb`` ``(H, W, 3)`` uint8 as a PNG file, atomically
    (:func:`~fkp_helpers.atomic.atomic_write`)."""
    cv2 = opencv()

    path = Path(path)
    if path.suffix.lower() != ".png":
        raise PhotoError(
            f"{path}: the annotated image is written as PNG; name it *.png"
        )
    ok, encoded = cv2.imencode(
        ".png", cv2.cvtColor(_check_rgb(image_rgb), cv2.COLOR_RGB2BGR)
    )
    if not ok:
        raise PhotoError(f"{path}: OpenCV could not encode the image as PNG")
    with atomic_write(path, "wb") as out:
        out.write(encoded.tobytes())


def write_json(path: str | Path, value: Mapping[str, Any]) -> None:
    """Write ``value`` as indented JSON (no NaN allowed), atomically
    (:func:`~fkp_helpers.atomic.atomic_write`)."""
    text = json.dumps(value, indent=2, allow_nan=False) + "\n"
    with atomic_write(path) as out:
        out.write(text)
