"""Procedural 96x96 grayscale faces whose 15 keypoints are known exactly.

The stand-in dataset's renderer. Each face is drawn with numpy alone from
random parameters: pose (in-plane rotation, scale, translation, a little yaw),
identity (proportions, skin and hair tone, hair style, glasses), expression
(open or closed mouth, smile, raised brows), lighting, background, blur and
noise. Every feature is drawn in a small local frame, and its keypoints are that
frame's points mapped to the image, so a keypoint sits exactly on its drawn
feature (plus about 0.5 px of "annotator" noise added to the labels).

Coordinates are pixel indices: the pixel in column ``i``, row ``j`` is centred
on ``x = i``, ``y = j``. "Left" is the subject's left, on the image's right.
Edges are anti-aliased analytically: a region is given by an implicit function
``f`` (``f < 1`` inside), and its coverage of a pixel is ``(1 - f) / |grad f|``
clipped to [0, 1] around the half-pixel mark.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from ..keypoints import IMAGE_SIZE, KEYPOINT_NAMES, NUM_TARGETS

_Y, _X = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE].astype(np.float64)
_ANNOTATOR_NOISE_PX = 0.5
_MARGIN_PX = 1.0  # keypoints are kept at least this far inside the image


def render_faces(
    n: int, *, seed: int = 0, start: int = 0, stream: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` faces and their keypoints.

    Face ``i`` depends only on ``(seed, stream, start + i)``, so faces drawn in
    chunks, or in parallel, equal those drawn at once.

    Returns ``(images, keypoints)``: images ``uint8`` of shape ``(n, 96, 96)``;
    keypoints ``float32`` of shape ``(n, 30)`` in pixels, all 15 present, in
    Kaggle's column order (``left_eye_center_x, left_eye_center_y, ...``).
    """
    return _render_each(_render_one, n, seed=seed, start=start, stream=stream)


def _render_each(
    render_one: Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]],
    n: int,
    *,
    seed: int,
    start: int,
    stream: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Check the arguments, then ``render_one`` face ``i`` of ``n`` with its own
    generator, seeded by ``(seed, stream, start + i)``."""
    for name, value in (("n", n), ("seed", seed), ("start", start), ("stream", stream)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} must be an integer, got {value!r}")
    if n < 0 or seed < 0 or start < 0 or stream < 0:
        raise ValueError(
            "n, seed, start and stream must be >= 0, "
            f"got {n}, {seed}, {start}, {stream}"
        )
    images = np.empty((n, IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    keypoints = np.empty((n, NUM_TARGETS), dtype=np.float32)
    for i in range(n):
        rng = np.random.default_rng([seed, stream, start + i])
        images[i], keypoints[i] = render_one(rng)
    return images, keypoints


# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class _Frame:
    """A feature's local frame: image point = centre + rotation(angle) @ (a*sx, b*sy).

    ``sx`` < 0 mirrors the frame (the subject's right-hand features).
    """

    cx: float
    cy: float
    angle: float
    sx: float
    sy: float

    def region(self, half_a: float, half_b: float) -> tuple[slice, slice]:
        """The image window (rows, columns) that holds the local box
        ``|a| <= half_a, |b| <= half_b``."""
        corners = [
            self.to_image(sa * half_a, sb * half_b) for sa in (-1, 1) for sb in (-1, 1)
        ]
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
        return _span(min(ys), max(ys)), _span(min(xs), max(xs))

    def local(
        self, region: tuple[slice, slice] = (slice(None), slice(None))
    ) -> tuple[np.ndarray, np.ndarray]:
        """Local coordinates ``(a, b)`` of the pixel centres in ``region`` (default: the
        whole image)."""
        dx, dy = _X[region] - self.cx, _Y[region] - self.cy
        c, s = math.cos(self.angle), math.sin(self.angle)
        return (dx * c + dy * s) / self.sx, (-dx * s + dy * c) / self.sy

    def to_image(self, a: float, b: float) -> tuple[float, float]:
        """Image position ``(x, y)`` of local point ``(a, b)``."""
        c, s = math.cos(self.angle), math.sin(self.angle)
        return (
            self.cx + c * a * self.sx - s * b * self.sy,
            self.cy + s * a * self.sx + c * b * self.sy,
        )


def _span(low: float, high: float) -> slice:
    """Pixel indices covering ``[low, high]`` plus a 2 px margin, clipped to the image
    (at least 3 wide)."""
    start = min(max(int(math.floor(low)) - 2, 0), IMAGE_SIZE - 3)
    stop = max(min(int(math.ceil(high)) + 3, IMAGE_SIZE), start + 3)
    return slice(start, stop)


@dataclass(frozen=True)
class _Pose:
    """Maps face coordinates (u right, v down, pixels at scale 1, origin between the
    eyes) to the image: yaw on a cylinder of radius ``radius``, then scale, roll and
    shift."""

    x0: float
    y0: float
    scale: float
    roll: float
    yaw: float
    radius: float

    def _alpha(self, u: float) -> float:
        return math.asin(max(-0.95, min(0.95, u / self.radius)))

    def frame(
        self, u: float, v: float, depth: float = 0.0, tilt: float = 0.0, side: int = 1
    ) -> _Frame:
        """Frame of a feature centred at face point ``(u, v)`` standing ``depth`` px off
        the cylinder; ``side = -1`` mirrors it; ``tilt`` turns it (radians, outer end up
        for ``tilt > 0``)."""
        alpha = self._alpha(u)
        u_yawed = self.radius * math.sin(alpha + self.yaw) + depth * math.sin(self.yaw)
        squeeze = math.cos(alpha + self.yaw) / math.cos(alpha)
        c, s = math.cos(self.roll), math.sin(self.roll)
        x = self.x0 + self.scale * (c * u_yawed - s * v)
        y = self.y0 + self.scale * (s * u_yawed + c * v)
        return _Frame(
            x, y, self.roll - side * tilt, side * self.scale * squeeze, self.scale
        )


# --------------------------------------------------------------------------- drawing


def _cover(f: np.ndarray, soft: float = 1.0) -> np.ndarray:
    """Anti-aliased coverage (0..1) of the region ``f < 1``, edge about ``soft`` pixels
    wide."""
    f = np.minimum(f, 3.0)  # far outside: flat, so that jumps in f cannot fake an edge
    gx = np.empty_like(f)
    gy = np.empty_like(f)
    gx[:, 1:-1] = (f[:, 2:] - f[:, :-2]) * 0.5
    gx[:, 0], gx[:, -1] = f[:, 1] - f[:, 0], f[:, -1] - f[:, -2]
    gy[1:-1] = (f[2:] - f[:-2]) * 0.5
    gy[0], gy[-1] = f[1] - f[0], f[-1] - f[-2]
    grad = np.sqrt(gx * gx + gy * gy) + 1e-9
    return np.clip((1.0 - f) / (grad * soft) + 0.5, 0.0, 1.0)


def _ellipse(a: np.ndarray, b: np.ndarray, ra: float, rb: float) -> np.ndarray:
    return np.sqrt((a / ra) ** 2 + (b / rb) ** 2)


def _band(
    a: np.ndarray,
    b: np.ndarray,
    top: np.ndarray,
    bottom: np.ndarray,
    half_length: float,
) -> np.ndarray:
    """Implicit function of the region ``top < b < bottom`` for
    ``|a| < half_length``."""
    half = np.maximum((bottom - top) * 0.5, 1e-3)
    return np.maximum(np.abs(b - (top + bottom) * 0.5) / half, np.abs(a) / half_length)


def _blob(a: np.ndarray, b: np.ndarray, ra: float, rb: float) -> np.ndarray:
    """A Gaussian bump (peak 1) of radii ``ra``, ``rb``."""
    return np.exp(-0.5 * ((a / ra) ** 2 + (b / rb) ** 2))


def _paint(canvas: np.ndarray, alpha: np.ndarray, value: np.ndarray | float) -> None:
    """Composite ``value`` over ``canvas`` in place with opacity ``alpha``."""
    canvas += alpha * (value - canvas)


def _smooth_noise(rng: np.random.Generator, cells: int) -> np.ndarray:
    """Smooth random field (about N(0, 1)) over the image, ``cells`` x ``cells``
    bumps."""
    grid = rng.standard_normal((cells + 1, cells + 1))
    pos = np.linspace(0.0, cells, IMAGE_SIZE)
    left = np.minimum(pos.astype(int), cells - 1)
    w = pos - left
    interp = np.zeros((IMAGE_SIZE, cells + 1))
    interp[np.arange(IMAGE_SIZE), left] = 1.0 - w
    interp[np.arange(IMAGE_SIZE), left + 1] = w
    return interp @ grid @ interp.T


def _gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of a 2-D array (edges repeated), ``sigma`` in its
    pixels."""
    height, width = image.shape
    radius = max(1, int(math.ceil(3.0 * sigma)))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    padded = np.pad(image, radius, mode="edge")
    rows = sum(w * padded[:, k : k + width] for k, w in enumerate(taps))
    return sum(w * rows[k : k + height] for k, w in enumerate(taps))


# --------------------------------------------------------------------------- one face


def _u(rng: np.random.Generator, low: float, high: float) -> float:
    return float(rng.uniform(low, high))


def _clipped_normal(rng: np.random.Generator, sigma: float, limit: float) -> float:
    return float(np.clip(rng.normal(0.0, sigma), -limit, limit))


class _Lips(NamedTuple):
    """Mouth curves (local ``b`` as a function of ``a``): outer edge of the upper lip,
    inner edges of the upper and lower lips, outer edge of the lower lip, and the
    seam."""

    top: np.ndarray
    upper_inner: np.ndarray
    lower_inner: np.ndarray
    bottom: np.ndarray
    seam: np.ndarray


@dataclass(frozen=True)
class _Shape:
    """A face's proportions and expression, in face coordinates: pixels at scale 1,
    origin between the eyes, ``u`` towards the subject's left (image right), ``v``
    down."""

    eye_u: float  # distance of each eye centre from the midline
    eye_w: float  # eye half-width, centre to corner
    lid_up: float  # eye opening above / below the corner line
    lid_lo: float
    iris_r: float
    eye_tilt: float  # radians, outer corners up when > 0
    gaze_u: (
        float  # iris offset from the eye's middle (towards the subject's left, down)
    )
    gaze_v: float
    brow_inner: float  # u of the brow's inner and outer ends
    brow_outer: float
    brow_v: float
    brow_arch: float
    brow_thick: float
    brow_droop: float  # outer end lower than the inner end by this much (px)
    brow_tilt: float
    nose_v: float  # nose tip below the eyes
    nostril_u: float
    mouth_v: float  # mouth seam's centre below the eyes
    mouth_w: float  # half-width, centre to corner
    lip_up: float
    lip_lo: float
    smile: float  # corners this much above the seam's centre
    mouth_open: float  # gap between the lips at the centre
    face_w: float  # half-width of the face oval
    face_h: float  # half-height of the face oval
    face_v: float  # centre of the face oval below the eyes
    jaw: float  # how much the oval narrows towards the chin (0..1)

    @property
    def brow_len(self) -> float:
        return self.brow_outer - self.brow_inner

    def brow_centre(self, a: np.ndarray | float) -> np.ndarray:
        """Brow centre line ``b(a)``, ``a`` from ``-brow_len/2`` (inner end) to
        ``+brow_len/2``."""
        t = 2.0 * np.asarray(a, dtype=np.float64) / self.brow_len
        return -self.brow_arch * (1.0 - t * t) + 0.5 * self.brow_droop * t

    def lips(self, a: np.ndarray | float) -> _Lips:
        """Mouth curves at local ``a`` (px from the mouth's centre towards the subject's
        left)."""
        a = np.asarray(a, dtype=np.float64)
        t = np.clip(a / self.mouth_w, -1.0, 1.0)
        env = np.sqrt(1.0 - t * t)
        seam = -self.smile * t * t
        gap = 0.5 * self.mouth_open * env**1.4
        cupid = 1.0 - 0.3 * np.exp(-((a / 2.0) ** 2))
        return _Lips(
            top=seam - gap - self.lip_up * env**0.7 * cupid,
            upper_inner=seam - gap,
            lower_inner=seam + gap,
            bottom=seam + gap + self.lip_lo * env**0.8,
            seam=seam,
        )


def _sample_shape(rng: np.random.Generator) -> _Shape:
    eye_u = 18.0 * _u(rng, 0.93, 1.07)
    brow_raise = _u(rng, 0.5, 3.5) if rng.random() < 0.35 else 0.0
    return _Shape(
        eye_u=eye_u,
        eye_w=6.9 * _u(rng, 0.88, 1.12),
        lid_up=3.2 * _u(rng, 0.75, 1.2),
        lid_lo=2.3 * _u(rng, 0.8, 1.2),
        iris_r=3.2 * _u(rng, 0.92, 1.08),
        eye_tilt=math.radians(rng.normal(2.0, 3.0)),
        gaze_u=_clipped_normal(rng, 0.8, 2.0),
        gaze_v=_clipped_normal(rng, 0.3, 0.8),
        brow_inner=eye_u - 10.0 * _u(rng, 0.85, 1.1),
        brow_outer=eye_u + 13.5 * _u(rng, 0.85, 1.15),
        brow_v=-8.0 * _u(rng, 0.9, 1.1) - brow_raise,
        brow_arch=_u(rng, 1.0, 3.0),
        brow_thick=_u(rng, 2.0, 3.8),
        brow_droop=_u(rng, -1.0, 1.5),
        brow_tilt=math.radians(rng.normal(0.0, 2.0)),
        nose_v=24.8 * _u(rng, 0.92, 1.08),
        nostril_u=3.8 * _u(rng, 0.85, 1.15),
        mouth_v=38.6 * _u(rng, 0.95, 1.05),
        mouth_w=15.1 * _u(rng, 0.85, 1.12),
        lip_up=3.6 * _u(rng, 0.7, 1.3),
        lip_lo=2.6 * _u(rng, 0.7, 1.4),
        smile=_u(rng, -0.5, 2.0),
        mouth_open=_u(rng, 1.0, 6.0) if rng.random() < 0.3 else 0.0,
        face_w=40.0 * _u(rng, 0.93, 1.07),
        face_h=50.0 * _u(rng, 0.95, 1.05),
        face_v=6.5 * _u(rng, 0.8, 1.2),
        jaw=_u(rng, 0.1, 0.3),
    )


def _sample_pose(rng: np.random.Generator, face_w: float) -> _Pose:
    return _Pose(
        x0=48.3 + _clipped_normal(rng, 2.5, 7.0),
        y0=37.9 + _clipped_normal(rng, 2.5, 7.0),
        scale=float(np.exp(_clipped_normal(rng, 0.07, 0.18))),
        roll=math.radians(_clipped_normal(rng, 6.0, 15.0)),
        yaw=math.radians(_clipped_normal(rng, 4.0, 10.0)),
        radius=1.25 * face_w,
    )


@dataclass(frozen=True)
class _Layout:
    """Where each feature is drawn: its frame in the image. Keys of ``eyes``/``brows``:
    ``+1`` the subject's left (image right), ``-1`` the subject's right."""

    eyes: dict[int, _Frame]
    brows: dict[int, _Frame]
    nose: _Frame
    mouth: _Frame
    head: _Frame


def _place(shape: _Shape, pose: _Pose) -> _Layout:
    brow_mid = (shape.brow_inner + shape.brow_outer) / 2
    # the head's outline moves a third as much as the features under yaw
    head_u = pose.radius * math.sin(pose.yaw) / 3.0
    c, s = math.cos(pose.roll), math.sin(pose.roll)
    head = _Frame(
        pose.x0 + pose.scale * (c * head_u - s * shape.face_v),
        pose.y0 + pose.scale * (s * head_u + c * shape.face_v),
        pose.roll,
        pose.scale,
        pose.scale,
    )
    return _Layout(
        eyes={
            side: pose.frame(side * shape.eye_u, 0.0, -2.0, shape.eye_tilt, side)
            for side in (1, -1)
        },
        brows={
            side: pose.frame(side * brow_mid, shape.brow_v, 1.0, shape.brow_tilt, side)
            for side in (1, -1)
        },
        nose=pose.frame(0.0, shape.nose_v, depth=14.0),
        mouth=pose.frame(0.0, shape.mouth_v, depth=5.0),
        head=head,
    )


def _keypoints(shape: _Shape, layout: _Layout) -> np.ndarray:
    """The 15 keypoints ``(15, 2)`` (x, y) in Kaggle's order, exactly on the drawn
    features."""
    points: dict[str, tuple[float, float]] = {}
    half_brow = shape.brow_len / 2
    for side, prefix in ((1, "left"), (-1, "right")):
        eye, brow = layout.eyes[side], layout.brows[side]
        points[f"{prefix}_eye_center"] = eye.to_image(side * shape.gaze_u, shape.gaze_v)
        points[f"{prefix}_eye_inner_corner"] = eye.to_image(-shape.eye_w, 0.0)
        points[f"{prefix}_eye_outer_corner"] = eye.to_image(shape.eye_w, 0.0)
        points[f"{prefix}_eyebrow_inner_end"] = brow.to_image(
            -half_brow, float(shape.brow_centre(-half_brow))
        )
        points[f"{prefix}_eyebrow_outer_end"] = brow.to_image(
            half_brow, float(shape.brow_centre(half_brow))
        )
    points["nose_tip"] = layout.nose.to_image(0.0, 0.0)
    lips = shape.lips(0.0)
    points["mouth_left_corner"] = layout.mouth.to_image(shape.mouth_w, -shape.smile)
    points["mouth_right_corner"] = layout.mouth.to_image(-shape.mouth_w, -shape.smile)
    points["mouth_center_top_lip"] = layout.mouth.to_image(0.0, float(lips.top))
    points["mouth_center_bottom_lip"] = layout.mouth.to_image(0.0, float(lips.bottom))
    return np.array([points[name] for name in KEYPOINT_NAMES], dtype=np.float64)


def _render_one(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One face: ``(image uint8 (96, 96), keypoints float32 (30,))``."""
    shape = _sample_shape(rng)
    pose = _sample_pose(rng, shape.face_w)
    layout = _place(shape, pose)
    points = _keypoints(shape, layout)
    shift = _shift_inside(points)  # move the whole face if a keypoint is outside
    if shift.any():
        pose = replace(pose, x0=pose.x0 + float(shift[0]), y0=pose.y0 + float(shift[1]))
        layout = _place(shape, pose)
        points = _keypoints(shape, layout)
    image = _camera(rng, _draw(rng, shape, layout))
    labels = points + rng.normal(0.0, _ANNOTATOR_NOISE_PX, points.shape)
    labels = np.clip(labels, 0.0, IMAGE_SIZE - 1.0)
    return image, labels.reshape(-1).astype(np.float32)


def _shift_inside(points: np.ndarray) -> np.ndarray:
    """The shift ``(dx, dy)`` that brings every point of ``points`` ``(N, 2)`` at least
    :data:`_MARGIN_PX` inside the image (zeros if they all are)."""
    low = _MARGIN_PX - points.min(axis=0)
    high = IMAGE_SIZE - 1 - _MARGIN_PX - points.max(axis=0)
    return np.where(low > 0, low, np.where(high < 0, high, 0.0))


# --------------------------------------------------------------------------- painting


@dataclass(frozen=True)
class _Light:
    """Direction ``(x, y, z)`` (unit, z towards the camera) and ambient share of the
    face light."""

    direction: tuple[float, float, float]
    ambient: float

    def shade(
        self, nx: np.ndarray | float, ny: np.ndarray | float, nz: np.ndarray | float
    ) -> np.ndarray:
        """Brightness factor (ambient..1) of a surface with normal ``(nx, ny, nz)``."""
        lx, ly, lz = self.direction
        lambert = np.clip(nx * lx + ny * ly + nz * lz, 0.0, None)
        return self.ambient + (1.0 - self.ambient) * lambert


def _sample_light(rng: np.random.Generator) -> _Light:
    angle = _u(rng, 0.0, 2.0 * math.pi)
    strength = _u(rng, 0.2, 1.0)
    direction = np.array(
        [math.cos(angle) * strength, math.sin(angle) * strength - 0.2, 1.0]
    )
    direction /= np.linalg.norm(direction)
    return _Light(
        (float(direction[0]), float(direction[1]), float(direction[2])),
        _u(rng, 0.3, 0.6),
    )


def _draw(rng: np.random.Generator, shape: _Shape, layout: _Layout) -> np.ndarray:
    """Paint the face, float64 ``(96, 96)`` with values around [0, 1]."""
    skin = _u(rng, 0.35, 0.85)
    hair, hair_style = _sample_hair(rng)
    light = _sample_light(rng)
    lit_skin = skin * light.shade(0.0, 0.0, 1.0)

    canvas = _background(rng)
    a, b = layout.head.local()
    _draw_neck_and_shoulders(canvas, rng, a, b, shape, skin)
    _draw_hair_behind(canvas, rng, a, b, shape, hair, hair_style)
    _draw_ears(canvas, layout.head, shape, skin, light)
    _draw_face_oval(canvas, rng, a, b, shape, skin, light)
    _draw_hair_in_front(canvas, rng, a, b, shape, hair, hair_style)
    _draw_folds(canvas, rng, layout.mouth, shape, lit_skin)
    for side in (1, -1):
        _draw_eye(canvas, rng, layout.eyes[side], shape, side, lit_skin, light)
        _draw_brow(canvas, layout.brows[side], shape, min(hair * 0.8, lit_skin * 0.45))
    _draw_nose(canvas, layout.nose, shape, lit_skin, light)
    _draw_mouth(canvas, rng, layout.mouth, shape, lit_skin)
    if rng.random() < 0.08:
        _draw_glasses(canvas, rng, layout.eyes, shape.eye_w)
    return canvas


def _sample_hair(rng: np.random.Generator) -> tuple[float, int]:
    """Hair tone (mostly dark) and style: 0 short, 1 long, 2 receding."""
    hair = _u(rng, 0.03, 0.3) if rng.random() < 0.75 else _u(rng, 0.4, 0.85)
    return hair, int(rng.choice(3, p=[0.45, 0.4, 0.15]))


def _draw_hair_behind(
    canvas: np.ndarray,
    rng: np.random.Generator,
    a: np.ndarray,
    b: np.ndarray,
    shape: _Shape,
    tone: float,
    style: int,
) -> None:
    """Long hair (style 1) behind the head; ``a, b``: the head frame's coordinates."""
    if style == 1:
        behind = _ellipse(a, b - 18.0, shape.face_w * 1.3, shape.face_h * 1.3)
        _paint(canvas, _cover(behind), _hair_texture(rng, a, b, tone))


def _draw_hair_in_front(
    canvas: np.ndarray,
    rng: np.random.Generator,
    a: np.ndarray,
    b: np.ndarray,
    shape: _Shape,
    tone: float,
    style: int,
) -> None:
    """Hair over the top of the head and the forehead (half the receding heads have
    none); ``a, b``: the head frame's coordinates."""
    if style != 2 or rng.random() < 0.5:
        hairline = (
            -28.0 + _u(rng, -6.0, 7.0) + (12.0 if style == 2 else 0.0) - shape.face_v
        )
        _draw_hair_top(canvas, rng, a, b, shape, hairline, tone, long_hair=style == 1)


def _camera(rng: np.random.Generator, canvas: np.ndarray) -> np.ndarray:
    """Uneven exposure, contrast, gamma, blur and sensor noise; returns uint8
    ``(96, 96)``."""
    angle = _u(rng, 0.0, 2.0 * math.pi)
    ramp = ((_X - 47.5) * math.cos(angle) + (_Y - 47.5) * math.sin(angle)) / 48.0
    canvas = canvas * (1.0 + _u(rng, 0.0, 0.25) * ramp)
    low, high = np.percentile(canvas, (1.0, 99.0))
    spread = _u(rng, 0.55, 1.0)  # auto-levels, then a random contrast and exposure
    canvas = (canvas - low) / max(high - low, 1e-3) * spread + (1.0 - spread) * _u(
        rng, 0.15, 0.85
    )
    canvas = np.clip(canvas, 0.0, 1.0) ** _u(rng, 0.8, 1.25)
    canvas = _gaussian_blur(canvas, _u(rng, 0.4, 1.2))
    canvas += rng.normal(0.0, _u(rng, 0.005, 0.03), canvas.shape)
    return np.clip(np.rint(canvas * 255.0), 0, 255).astype(np.uint8)


def _background(rng: np.random.Generator) -> np.ndarray:
    angle = _u(rng, 0.0, 2.0 * math.pi)
    ramp = ((_X - 47.5) * math.cos(angle) + (_Y - 47.5) * math.sin(angle)) / 68.0
    canvas = _u(rng, 0.1, 0.9) + _u(rng, 0.0, 0.4) * ramp
    canvas += _u(rng, 0.02, 0.12) * _smooth_noise(rng, int(rng.integers(2, 9)))
    for _ in range(int(rng.integers(0, 4))):
        blob = _blob(
            _X - _u(rng, 0, 95), _Y - _u(rng, 0, 95), _u(rng, 4, 20), _u(rng, 4, 20)
        )
        canvas += _u(rng, -0.3, 0.3) * blob
    if rng.random() < 0.3:  # a hard vertical edge: a door frame, a wall corner
        canvas += _u(rng, -0.25, 0.25) * _cover(1.0 + (_X - _u(rng, 0, 95)))
    return canvas


def _hair_texture(
    rng: np.random.Generator, a: np.ndarray, b: np.ndarray, tone: float
) -> np.ndarray:
    """Hair of brightness ``tone``: strands along a random direction, and a sheen on
    top."""
    angle = _u(rng, 1.2, 1.95)
    phase = (a * math.cos(angle) + b * math.sin(angle)) * _u(
        rng, 1.2, 2.2
    ) + 4.0 * _smooth_noise(rng, 8)
    sheen = _blob(a - _u(rng, -20, 20), b + 45.0, 18.0, 8.0)
    return tone + _u(rng, 0.01, 0.04) * np.sin(phase) + 0.12 * (1.0 - tone) * sheen


def _draw_neck_and_shoulders(
    canvas: np.ndarray,
    rng: np.random.Generator,
    a: np.ndarray,
    b: np.ndarray,
    shape: _Shape,
    skin: float,
) -> None:
    neck = _band(a, b, np.zeros_like(b), np.full_like(b, 200.0), shape.face_w * 0.55)
    chin_shadow = 1.0 - 0.35 * _blob(a, b - shape.face_h * 0.95, shape.face_w, 8.0)
    _paint(canvas, _cover(neck), skin * _u(rng, 0.55, 0.8) * chin_shadow)
    cloth = _ellipse(a, b - shape.face_h - 40.0, shape.face_w * 2.3, 36.0)
    _paint(
        canvas, _cover(cloth), _u(rng, 0.05, 0.9) * (1.0 + 0.1 * _smooth_noise(rng, 4))
    )


def _draw_ears(
    canvas: np.ndarray, head: _Frame, shape: _Shape, skin: float, light: _Light
) -> None:
    for side in (1, -1):
        ear = _Frame(
            *head.to_image(side * (shape.face_w - 1.0), 0.0),
            head.angle,
            side * head.sx,
            head.sy,
        )
        region = ear.region(9.0, 13.0)
        a, b = ear.local(region)
        tone = (
            skin
            * light.shade(side * 0.8, 0.0, 0.6)
            * (1.0 - 0.25 * _blob(a - 1.5, b, 2.0, 5.0))
        )
        _paint(canvas[region], _cover(_ellipse(a - 2.0, b, 4.5, 10.0)), tone)


def _draw_face_oval(
    canvas: np.ndarray,
    rng: np.random.Generator,
    a: np.ndarray,
    b: np.ndarray,
    shape: _Shape,
    skin: float,
    light: _Light,
) -> None:
    """An egg-shaped face, narrower at the jaw, shaded as an ellipsoid."""
    t = b / shape.face_h
    width = shape.face_w * (1.0 - shape.jaw * np.clip(t, 0.0, None) ** 2)
    nu = a / width
    inside = np.sqrt(nu * nu + t * t)
    nu, nv = np.clip(nu, -1.0, 1.0), np.clip(t, -1.0, 1.0)
    nz = np.sqrt(np.clip(1.0 - nu * nu - nv * nv, 0.0, None))
    tone = skin * light.shade(nu, nv, nz) * (1.0 + 0.04 * _smooth_noise(rng, 5))
    _paint(canvas, _cover(inside), tone)


def _draw_hair_top(
    canvas: np.ndarray,
    rng: np.random.Generator,
    a: np.ndarray,
    b: np.ndarray,
    shape: _Shape,
    hairline: float,
    tone: float,
    *,
    long_hair: bool,
) -> None:
    """Hair on top of the head down to a curved, parted hairline at ``b = hairline``."""
    skull = _ellipse(a, b + 4.0, shape.face_w * 1.08, shape.face_h * 1.02)
    if long_hair:  # locks fall beside the cheeks
        locks = _band(
            a,
            b,
            np.full_like(b, -20.0),
            np.full_like(b, shape.face_h * 0.9),
            shape.face_w * 1.15,
        )
        skull = np.minimum(skull, locks)
    curve = (
        hairline
        + _u(rng, 4.0, 14.0) * (a / shape.face_w) ** 2
        + 1.5 * _smooth_noise(rng, 4)
    )
    parting = _u(rng, -0.6, 0.6) * shape.face_w
    curve = curve - _u(rng, 0.0, 5.0) * np.exp(-(((a - parting) / 6.0) ** 2))
    fringe = 1.0 + (b - curve) / 4.0
    if long_hair:  # the face shows between the locks
        fringe = np.minimum(
            fringe, 1.0 + (shape.face_w * _u(rng, 0.78, 0.92) - np.abs(a)) / 2.0
        )
    _paint(
        canvas,
        np.minimum(_cover(skull), _cover(fringe, 2.5)),
        _hair_texture(rng, a, b, tone),
    )


def _draw_folds(
    canvas: np.ndarray,
    rng: np.random.Generator,
    mouth: _Frame,
    shape: _Shape,
    skin: float,
) -> None:
    """Faint nasolabial folds from the nose's wings to beyond the mouth's corners."""
    start_b = shape.nose_v - shape.mouth_v + 1.0
    region = mouth.region(shape.mouth_w + 6.0, abs(start_b) + 4.0)
    a, b = mouth.local(region)
    strength = _u(rng, 0.05, 0.2)
    t = np.clip(
        (b - start_b) / (2.0 - start_b), 0.0, 1.0
    )  # 0 at the nose, 1 below the corner
    for side in (1, -1):
        path = side * (
            shape.nostril_u
            + 3.0
            + (shape.mouth_w - shape.nostril_u) * np.sin(t * math.pi / 2)
        )
        fold = np.maximum(np.abs(a - path) / 0.8, np.abs(t - 0.5) / 0.5)
        _paint(canvas[region], strength * _cover(fold, 3.0), skin * 0.6)


def _draw_eye(
    canvas: np.ndarray,
    rng: np.random.Generator,
    eye: _Frame,
    shape: _Shape,
    side: int,
    skin: float,
    light: _Light,
) -> None:
    w, up, lo, iris_r = shape.eye_w, shape.lid_up, shape.lid_lo, shape.iris_r
    region = eye.region(w * 1.8, 9.0)
    view = canvas[region]
    a, b = eye.local(region)
    t = np.clip(a / w, -1.0, 1.0)
    env = np.clip(1.0 - t * t, 1e-3, None) ** 0.8
    top, bottom = -up * env, lo * env
    _paint(
        view, 0.35 * _blob(a, b + 0.5, w * 0.9, 3.0), skin * 0.6
    )  # the socket's shadow
    eye_alpha = _cover(
        np.maximum(np.where(b < 0, -b / (up * env), b / (lo * env)), np.abs(a) / w)
    )
    _paint(view, eye_alpha, _u(rng, 0.55, 0.9) * (0.7 + 0.3 * env))
    gaze_a, gaze_b = side * shape.gaze_u, shape.gaze_v
    r = np.sqrt((a - gaze_a) ** 2 + (b - gaze_b) ** 2)
    _paint(
        view,
        eye_alpha * _cover(r / iris_r),
        _u(rng, 0.08, 0.4) * (1.0 - 0.4 * (r / iris_r) ** 4),
    )
    _paint(view, eye_alpha * _cover(r / (iris_r * 0.42)), 0.02)
    lx, ly, _ = light.direction
    glint = _blob(a - gaze_a - 1.2 * side * lx, b - gaze_b + 1.0 - 0.5 * ly, 0.6, 0.6)
    _paint(view, eye_alpha * 0.8 * glint, 0.95)
    # lashes along the upper lid (thicker outwards), a crease above, a faint lower lid
    lash = np.maximum(
        np.abs(b - top) / (0.55 + 0.35 * np.clip(t, 0, 1)), np.abs(a) / (w * 1.08)
    )
    _paint(view, 0.9 * _cover(lash), 0.03)
    crease = np.maximum(
        np.abs(b - (top - 2.0 - 0.6 * env)) / 0.5, np.abs(a) / (w * 0.95)
    )
    _paint(view, 0.35 * _cover(crease), skin * 0.5)
    lower = np.maximum(np.abs(b - bottom - 0.3) / 0.45, np.abs(a) / w)
    _paint(view, 0.3 * _cover(lower), skin * 0.55)


def _draw_brow(canvas: np.ndarray, brow: _Frame, shape: _Shape, tone: float) -> None:
    length = shape.brow_len
    region = brow.region(
        length / 2 + 2.0,
        shape.brow_arch + shape.brow_thick + abs(shape.brow_droop) + 2.0,
    )
    a, b = brow.local(region)
    t = np.clip(a / length + 0.5, 0.0, 1.0)  # 0 at the inner end, 1 at the outer end
    half = shape.brow_thick * 0.5 * (1.1 - 0.6 * t**2)
    brow_f = np.maximum(
        np.abs(b - shape.brow_centre(a)) / half, np.abs(a) / (length / 2)
    )
    _paint(canvas[region], 0.85 * _cover(brow_f), tone)


def _draw_nose(
    canvas: np.ndarray, nose: _Frame, shape: _Shape, skin: float, light: _Light
) -> None:
    length, nostril_u = shape.nose_v, shape.nostril_u
    region = nose.region(nostril_u + 8.0, length)
    view = canvas[region]
    a, b = nose.local(region)
    lx, _, _ = light.direction
    shadow_side = -1.0 if lx > 0 else 1.0
    ridge = _blob(a - shadow_side * 3.0, b + length * 0.35, 1.8, length * 0.25)
    _paint(view, (0.25 + 0.35 * abs(lx)) * ridge, skin * 0.5)
    _paint(
        view,
        0.2 * _blob(a + shadow_side * 2.0, b + length * 0.3, 1.5, length * 0.25),
        min(1.0, skin * 1.3),
    )
    _paint(
        view, 0.35 * _blob(a, b + 0.5, 3.5, 2.6), min(1.0, skin * 1.25)
    )  # the lit tip
    _paint(
        view, 0.65 * _blob(a + shadow_side * 1.0, b - 3.0, 5.5, 1.4), skin * 0.45
    )  # under the tip
    for side in (1, -1):
        nostril = _ellipse(a - side * nostril_u, b - 1.8, 1.7, 0.95)
        _paint(view, 0.85 * _cover(nostril), skin * 0.15)
        wing = (
            np.abs(_ellipse(a - side * (nostril_u + 0.8), b - 0.6, 2.6, 2.4) - 1.0)
            / 0.18
        )
        outer_half = 1.0 + (nostril_u + 0.8 - side * a)
        _paint(view, 0.3 * _cover(np.maximum(wing, outer_half)), skin * 0.5)


def _draw_mouth(
    canvas: np.ndarray,
    rng: np.random.Generator,
    mouth: _Frame,
    shape: _Shape,
    skin: float,
) -> None:
    w = shape.mouth_w
    lips_at_centre = shape.lips(0.0)
    region = mouth.region(
        w + 3.0, max(-float(lips_at_centre.top), float(lips_at_centre.bottom)) + 7.0
    )
    view = canvas[region]
    a, b = mouth.local(region)
    lips = shape.lips(a)
    lip_tone = skin * _u(rng, 0.6, 0.85)
    _paint(
        view,
        0.5 * _blob(a, b - float(lips_at_centre.bottom) - 2.5, w * 0.5, 1.8),
        skin * 0.6,
    )  # chin shadow
    _paint(view, _cover(_band(a, b, lips.top, lips.upper_inner, w)), lip_tone * 0.9)
    sheen = _blob(a, b - (lips.lower_inner + lips.bottom) * 0.5 + 0.5, w * 0.45, 1.0)
    _paint(
        view,
        _cover(_band(a, b, lips.lower_inner, lips.bottom, w)),
        lip_tone * (1.0 + 0.25 * sheen),
    )
    is_open = shape.mouth_open > 0.3
    if is_open:
        inside = 0.06 + 0.06 * _blob(a, b, w * 0.6, 3.0)
        if rng.random() < 0.7:  # teeth under the upper lip
            teeth = b < lips.upper_inner + min(2.0, shape.mouth_open * 0.45)
            inside = np.where(teeth, _u(rng, 0.55, 0.85), inside)
        _paint(
            view,
            _cover(_band(a, b, lips.upper_inner, lips.lower_inner, w * 0.97)),
            inside,
        )
    seam = np.maximum(np.abs(b - lips.seam) / 0.5, np.abs(a) / (w * 1.02))
    _paint(view, (0.4 if is_open else 0.75) * _cover(seam), skin * 0.15)
    for side in (1, -1):  # shadowed corners
        _paint(view, 0.45 * _blob(a - side * w, b + shape.smile, 1.0, 1.0), skin * 0.3)


def _draw_glasses(
    canvas: np.ndarray, rng: np.random.Generator, eyes: dict[int, _Frame], eye_w: float
) -> None:
    tone = _u(rng, 0.02, 0.3)
    width = _u(rng, 0.5, 1.0)
    rim_a, rim_b = eye_w + 4.0, 6.0
    for eye in eyes.values():
        region = eye.region(rim_a + 2.0, rim_b + 2.0)
        a, b = eye.local(region)
        ring = np.abs(((a / rim_a) ** 4 + (b / rim_b) ** 4) ** 0.25 - 1.0) / (
            width / 8.0
        )
        _paint(canvas[region], 0.9 * _cover(ring), tone)
    x0, y0 = eyes[-1].to_image(-rim_a, 0.0)
    x1, y1 = eyes[1].to_image(-rim_a, 0.0)
    half_length = math.hypot(x1 - x0, y1 - y0) / 2 + 0.5
    bridge = _Frame(
        (x0 + x1) / 2, (y0 + y1) / 2 - 1.0, math.atan2(y1 - y0, x1 - x0), 1.0, 1.0
    )
    region = bridge.region(half_length + 1.0, 3.0)
    a, b = bridge.local(region)
    _paint(
        canvas[region],
        0.9
        * _cover(np.maximum(np.abs(b) / (width / 2 + 0.3), np.abs(a) / half_length)),
        tone,
    )
