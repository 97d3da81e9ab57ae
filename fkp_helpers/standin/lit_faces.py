"""Faces as lit 3D surfaces, for networks meant to work on photographs.

The stand-in's own renderer, :mod:`fkp_helpers.standin.faces` ("the painted
faces" below), paints each feature flat, with Kaggle's framing and pose range.
This one builds each face as a surface: a height field ``z(u, v)`` over the
painted faces' face coordinates (pixels at scale 1, origin between the eyes,
``u`` towards the subject's left, ``v`` down, ``z`` towards the camera) made of
an ellipsoid, brow ridge, eye sockets and eyeballs, nose, cheekbones, lips and
chin. The surface is lit (ambient plus Lambert from a random direction, a
specular highlight, hollows darkened), turned in 3D (yaw up to 45°, pitch up to
20°, roll up to 30°) and splatted into the 96x96 image with a depth buffer: each
pixel averages the samples of the surface nearest the camera that fall in it.
Photographs show faces this way: eye sockets and the side of the nose in
shadow, the bridge and the cheeks lit.

What a network should ignore is randomised widely, as in domain
randomisation (Tobin et al., 2017): the skin's texture at a random scale, how
dark the brows, lips and eye whites are, lines of age, beards, glasses of many
shapes, and proportions and mouths that open wider than the painted faces'.
The background, neck, hair and camera (exposure, blur, noise) are the painted
faces'.

The 15 keypoints are points of the surface, turned and projected as the
surface is, so they sit on the drawn features; a point hidden behind the nose
keeps its projected position. Labels carry the same 0.5 px of annotator noise
as the painted faces'. Face ``i`` depends only on ``(seed, stream, start + i)``.
These faces train the package's pretrained network
(:mod:`fkp_helpers.nn.pretrained`); they are not part of the Kaggle-format
stand-in, whose bytes stay pinned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..keypoints import IMAGE_SIZE, KEYPOINT_NAMES
from . import faces as painted

LIT_FACES_VERSION = 1
"""Version of what :func:`render_faces` draws (recorded with the pretrained model)."""

SAMPLE_STEP = 0.45
"""Spacing of the surface's samples in face units (pixels at scale 1): under a
pixel at the largest scale, so the splats leave no holes."""

_U, _V = np.meshgrid(
    np.arange(-50.0, 50.0 + 1e-9, SAMPLE_STEP),
    np.arange(-56.0, 66.0 + 1e-9, SAMPLE_STEP),
)
_PIVOT = np.array([0.0, 10.0, 0.0])  # the head turns about this face point
_DEPTH_TOLERANCE = 2.0  # samples this close behind the nearest one still count


def render_faces(
    n: int, *, seed: int = 0, start: int = 0, stream: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` lit faces and their keypoints.

    Returns ``(images, keypoints)`` as the painted faces'
    :func:`~fkp_helpers.standin.faces.render_faces` does: images ``uint8``
    ``(n, 96, 96)``, keypoints ``float32`` ``(n, 30)`` in pixels, all 15 present,
    in Kaggle's column order.
    """
    return painted._render_each(_render_one, n, seed=seed, start=start, stream=stream)


# --------------------------------------------------------------------------- shape


def _gauss(u: np.ndarray, v: np.ndarray, ru: float, rv: float) -> np.ndarray:
    return np.exp(-0.5 * ((u / ru) ** 2 + (v / rv) ** 2))


def _sample_shape(rng: np.random.Generator) -> painted._Shape:
    """The painted faces' proportions, widened: eyes, brows, nose and mouth placed
    more freely, eyes narrower, smiles and open mouths larger."""
    shape = painted._sample_shape(rng)
    eye_u = shape.eye_u * rng.uniform(0.9, 1.1)
    mouth_open = rng.uniform(1.0, 12.0) if rng.random() < 0.4 else 0.0
    return replace(
        shape,
        eye_u=eye_u,
        brow_inner=shape.brow_inner + eye_u - shape.eye_u,
        brow_outer=shape.brow_outer + eye_u - shape.eye_u,
        brow_v=shape.brow_v * rng.uniform(0.85, 1.2),
        nose_v=shape.nose_v * rng.uniform(0.9, 1.15),
        mouth_v=shape.mouth_v * rng.uniform(0.93, 1.15) + 0.4 * mouth_open,
        mouth_w=shape.mouth_w * rng.uniform(0.9, 1.15),
        smile=shape.smile * rng.uniform(0.5, 2.0),
        mouth_open=mouth_open,
        lid_up=shape.lid_up * rng.uniform(0.6, 1.1),
        lid_lo=shape.lid_lo * rng.uniform(0.6, 1.1),
    )


@dataclass(frozen=True)
class _Relief:
    """Heights (face units) of the parts of a face's surface."""

    depth: float  # of the ellipsoid at its centre
    brow_ridge: float
    socket: float  # how deep the eye sockets are
    eyeball: float
    nose: float  # of the ridge at the tip
    nose_width: float
    tip: float
    wings: float
    cheeks: float
    lips: float
    chin: float


def _sample_relief(rng: np.random.Generator, shape: painted._Shape) -> _Relief:
    return _Relief(
        depth=0.75 * shape.face_w * rng.uniform(0.85, 1.15),
        brow_ridge=rng.uniform(1.0, 4.0),
        socket=rng.uniform(3.0, 7.0),
        eyeball=rng.uniform(1.5, 3.0),
        nose=rng.uniform(9.0, 15.0),
        nose_width=rng.uniform(2.0, 3.2),
        tip=rng.uniform(1.5, 4.0),
        wings=rng.uniform(1.5, 3.0),
        cheeks=rng.uniform(1.0, 4.0),
        lips=rng.uniform(1.5, 3.0),
        chin=rng.uniform(1.0, 4.0),
    )


def _height(
    shape: painted._Shape, relief: _Relief, u: np.ndarray, v: np.ndarray
) -> np.ndarray:
    """The surface ``z`` at face points ``(u, v)`` (any equal shapes); ``z <= 0`` is
    off the face."""
    t = (v - shape.face_v) / (shape.face_h * 1.05)
    width = shape.face_w * 1.05 * (1.0 - shape.jaw * np.clip(t, 0.0, None) ** 2)
    z = relief.depth * np.sqrt(np.clip(1.0 - (u / width) ** 2 - t * t, 0.0, None))
    brow_band = np.exp(-0.5 * ((v - shape.brow_v - 1.0) / 3.5) ** 2)
    z = z + relief.brow_ridge * brow_band * np.exp(-0.5 * (u / 26.0) ** 4)
    for side in (1, -1):
        eye_u = side * shape.eye_u
        z = z - relief.socket * _gauss(u - eye_u, v + 0.5, 9.0, 6.0)
        ball = ((u - eye_u) / (shape.eye_w * 1.05)) ** 2 + (
            v / (shape.eye_w * 0.8)
        ) ** 2
        z = z + relief.eyeball * np.sqrt(np.clip(1.0 - ball, 0.0, None))
        z = z + relief.cheeks * _gauss(u - side * 22.0, v - 14.0, 8.0, 7.0)
        wing_u = u - side * (shape.nostril_u + 1.2)
        z = z + relief.wings * _gauss(wing_u, v - shape.nose_v + 1.0, 2.6, 2.4)
    along = np.clip((v + 3.0) / (shape.nose_v + 3.0), 0.0, 1.0)  # 0 at the bridge
    below_tip = np.exp(-0.5 * (np.clip(v - shape.nose_v, 0.0, None) / 1.6) ** 2)
    ridge_width = relief.nose_width + 2.0 * along
    z = z + relief.nose * along**1.3 * np.exp(-0.5 * (u / ridge_width) ** 2) * below_tip
    z = z + relief.tip * _gauss(u, v - shape.nose_v + 1.5, 3.2, 3.0)
    lips = shape.lips(u)
    upper_v = shape.mouth_v + (lips.top + lips.upper_inner) / 2
    lower_v = shape.mouth_v + (lips.lower_inner + lips.bottom) / 2
    across = np.clip(1.0 - (u / (shape.mouth_w * 1.1)) ** 2, 0.0, None)
    z = z + relief.lips * across * np.exp(-0.5 * ((v - upper_v) / 1.8) ** 2)
    z = z + relief.lips * across * np.exp(-0.5 * ((v - lower_v) / 2.0) ** 2)
    seam_v = shape.mouth_v + lips.seam
    z = z - 1.5 * across * np.exp(-0.5 * ((v - seam_v) / 0.8) ** 2)
    return z + relief.chin * _gauss(u, v - shape.mouth_v - 15.0, 9.0, 6.0)


def _keypoints_3d(shape: painted._Shape, relief: _Relief) -> np.ndarray:
    """The 15 keypoints as surface points ``(15, 3)`` ``(u, v, z)``, Kaggle's order."""
    points: dict[str, tuple[float, float]] = {}
    brow_mid = (shape.brow_inner + shape.brow_outer) / 2
    half_brow = shape.brow_len / 2
    for side, prefix in ((1, "left"), (-1, "right")):
        points[f"{prefix}_eye_center"] = (
            side * (shape.eye_u + shape.gaze_u),
            shape.gaze_v,
        )
        points[f"{prefix}_eye_inner_corner"] = (side * (shape.eye_u - shape.eye_w), 0.0)
        points[f"{prefix}_eye_outer_corner"] = (side * (shape.eye_u + shape.eye_w), 0.0)
        for end, a in (("inner", -half_brow), ("outer", half_brow)):
            points[f"{prefix}_eyebrow_{end}_end"] = (
                side * (brow_mid + a),
                shape.brow_v + float(shape.brow_centre(a)),
            )
    points["nose_tip"] = (0.0, shape.nose_v - 1.0)
    lips = shape.lips(0.0)
    points["mouth_left_corner"] = (shape.mouth_w, shape.mouth_v - shape.smile)
    points["mouth_right_corner"] = (-shape.mouth_w, shape.mouth_v - shape.smile)
    points["mouth_center_top_lip"] = (0.0, shape.mouth_v + float(lips.top))
    points["mouth_center_bottom_lip"] = (0.0, shape.mouth_v + float(lips.bottom))
    uv = np.array([points[name] for name in KEYPOINT_NAMES])
    return np.column_stack([uv, _height(shape, relief, uv[:, 0], uv[:, 1])])


# --------------------------------------------------------------------------- pose


@dataclass(frozen=True)
class _Pose:
    """Turns face points in 3D (yaw about the vertical, then pitch, then roll, about
    :data:`_PIVOT`), scales them and places them: ``x0, y0`` is where the point
    between the eyes lands when the head faces the camera."""

    x0: float
    y0: float
    scale: float
    rotation: np.ndarray  # (3, 3)

    @property
    def roll(self) -> float:
        return math.atan2(self.rotation[1, 0], self.rotation[0, 0])

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Face points ``(N, 3)`` → image ``x``, ``y`` (pixels) and depth towards the
        camera (face units), each ``(N,)``."""
        turned = (points - _PIVOT) @ self.rotation.T + _PIVOT
        return (
            self.x0 + self.scale * turned[:, 0],
            self.y0 + self.scale * turned[:, 1],
            turned[:, 2],
        )

    def moved(self, dx: float, dy: float) -> _Pose:
        return replace(self, x0=self.x0 + dx, y0=self.y0 + dy)


def _rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """``roll @ pitch @ yaw`` (radians); image axes x right, y down, z to the camera."""
    cy, sy = math.cos(yaw), math.sin(yaw)
    cp, sp = math.cos(pitch), math.sin(pitch)
    cr, sr = math.cos(roll), math.sin(roll)
    turn = np.array([[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]])
    nod = np.array([[1.0, 0.0, 0.0], [0.0, cp, -sp], [0.0, sp, cp]])
    tilt = np.array([[cr, -sr, 0.0], [sr, cr, 0.0], [0.0, 0.0, 1.0]])
    return tilt @ nod @ turn


def _sample_pose(rng: np.random.Generator) -> _Pose:
    def clipped(sigma: float, limit: float) -> float:
        return painted._clipped_normal(rng, sigma, limit)

    return _Pose(
        x0=48.3 + clipped(2.5, 7.0),
        y0=37.9 + clipped(2.5, 7.0),
        scale=math.exp(clipped(0.08, 0.2)),
        rotation=_rotation(
            yaw=math.radians(clipped(15.0, 45.0)),
            pitch=math.radians(clipped(8.0, 20.0)),
            roll=math.radians(clipped(10.0, 30.0)),
        ),
    )


# --------------------------------------------------------------------------- albedo


def _albedo(
    rng: np.random.Generator,
    shape: painted._Shape,
    u: np.ndarray,
    v: np.ndarray,
    skin: float,
    hair: float,
) -> np.ndarray:
    """Brightness of the surface before light, at face points ``(u, v)``."""
    texture = painted._gaussian_blur(
        rng.standard_normal(u.shape), rng.uniform(1.5, 12.0) / SAMPLE_STEP
    )
    texture /= texture.std() + 1e-9
    albedo = skin * (1.0 + rng.uniform(0.02, 0.2) * texture)
    albedo *= 1.0 + rng.uniform(0.01, 0.05) * rng.standard_normal(u.shape)
    if rng.random() < 0.45:
        albedo *= 1.0 - _lines_of_age(rng, shape, u, v)
    if rng.random() < 0.15:
        albedo = _beard(rng, shape, u, v, albedo, hair)
    albedo = _paint_mouth(rng, shape, u, v, albedo)
    brow_tone = min(hair * 0.8, skin * 0.45)
    brow_mid = (shape.brow_inner + shape.brow_outer) / 2
    for side in (1, -1):
        a, b = side * u - brow_mid, v - shape.brow_v
        t = np.clip(a / shape.brow_len + 0.5, 0.0, 1.0)  # 0 inner end, 1 outer end
        half = shape.brow_thick * 0.5 * (1.1 - 0.6 * t**2)
        brow = (np.abs(b - shape.brow_centre(a)) < half) & (
            np.abs(a) < shape.brow_len / 2
        )
        albedo = np.where(
            brow, albedo + rng.uniform(0.2, 0.95) * (brow_tone - albedo), albedo
        )
    albedo = _paint_eyes(rng, shape, u, v, albedo, skin)
    for side in (1, -1):
        nostril = ((side * u - shape.nostril_u) / 1.7) ** 2 + (
            (v - shape.nose_v - 1.6) / 0.95
        ) ** 2
        albedo = np.where(nostril < 1.0, skin * 0.15, albedo)
    return albedo


def _lines_of_age(
    rng: np.random.Generator, shape: painted._Shape, u: np.ndarray, v: np.ndarray
) -> np.ndarray:
    """How much lines on the forehead, crow's feet and bags under the eyes darken each
    point (0..1)."""
    depth = rng.uniform(0.1, 0.45)
    darkening = np.zeros_like(u)
    for _ in range(int(rng.integers(1, 4))):  # the forehead
        curve = (
            rng.uniform(-26.0, -13.0)
            + rng.uniform(-3.0, 3.0) * (u / 30.0) ** 2
            + 0.8 * np.sin(u / rng.uniform(5.0, 12.0))
        )
        line = np.exp(-0.5 * ((v - curve) / rng.uniform(0.3, 0.7)) ** 2)
        darkening += depth * line * (np.abs(u) < rng.uniform(12.0, 28.0))
    for side in (1, -1):
        a = side * u - shape.eye_u
        bag_v = shape.lid_lo + rng.uniform(2.0, 4.5) + 0.03 * a * a
        bag = np.exp(-0.5 * ((v - bag_v) / 0.6) ** 2) * (np.abs(a) < shape.eye_w)
        darkening += depth * 0.8 * bag
        for _ in range(int(rng.integers(0, 3))):  # crow's feet
            angle = rng.uniform(-0.5, 0.5)
            outward = a - shape.eye_w - 1.0
            along = outward * math.cos(angle) + v * math.sin(angle)
            across = -outward * math.sin(angle) + v * math.cos(angle)
            darkening += (
                depth * np.exp(-0.5 * (across / 0.4) ** 2) * (along > 0) * (along < 5)
            )
    return np.clip(darkening, 0.0, 0.9)


def _beard(
    rng: np.random.Generator,
    shape: painted._Shape,
    u: np.ndarray,
    v: np.ndarray,
    albedo: np.ndarray,
    hair: float,
) -> np.ndarray:
    """A beard or stubble of tone ``hair`` on the lower face, not on the lips."""
    lower = 1.0 / (1.0 + np.exp(-(v - shape.nose_v - 3.0)))
    beside = np.clip((np.abs(u) - 6.0) / 4.0, 0.0, 1.0) + (v > shape.mouth_v + 4.0)
    cover = lower * np.clip(beside, 0.0, 1.0) * rng.uniform(0.3, 0.9)
    grain = 1.0 + 0.3 * rng.standard_normal(u.shape)
    return albedo + cover * (hair * grain - albedo) * rng.uniform(0.2, 0.9)


def _paint_mouth(
    rng: np.random.Generator,
    shape: painted._Shape,
    u: np.ndarray,
    v: np.ndarray,
    albedo: np.ndarray,
) -> np.ndarray:
    lips = shape.lips(u)
    b = v - shape.mouth_v
    across = np.abs(u) < shape.mouth_w
    upper = across & (b > lips.top) & (b < lips.upper_inner)
    lower = across & (b > lips.lower_inner) & (b < lips.bottom)
    albedo = np.where(upper | lower, albedo * rng.uniform(0.55, 1.0), albedo)
    if shape.mouth_open > 0.3:
        inside = across & (b >= lips.upper_inner) & (b <= lips.lower_inner)
        teeth = rng.uniform(0.5, 0.9) if rng.random() < 0.7 else 0.08
        under_lip = b < lips.upper_inner + min(2.0, shape.mouth_open * 0.45)
        albedo = np.where(inside, np.where(under_lip, teeth, 0.06), albedo)
    seam = across & (np.abs(b - lips.seam) < 0.5)
    return np.where(seam, albedo * 0.3, albedo)


def _paint_eyes(
    rng: np.random.Generator,
    shape: painted._Shape,
    u: np.ndarray,
    v: np.ndarray,
    albedo: np.ndarray,
    skin: float,
) -> np.ndarray:
    """Eye whites, irises, pupils and the lash line in each eye's opening."""
    white = min(1.0, rng.uniform(0.3, 0.95) * skin / 0.6)
    iris = rng.uniform(0.08, 0.45)
    for side in (1, -1):
        a = side * u - shape.eye_u
        t = np.clip(a / shape.eye_w, -1.0, 1.0)
        envelope = np.clip(1.0 - t * t, 1e-3, None) ** 0.8
        top, bottom = -shape.lid_up * envelope, shape.lid_lo * envelope
        opening = (np.abs(a) < shape.eye_w) & (v > top) & (v < bottom)
        r = np.hypot(a - shape.gaze_u, v - shape.gaze_v)
        eye = np.where(
            r < shape.iris_r, iris * (1.0 - 0.4 * (r / shape.iris_r) ** 4), white
        )
        eye = np.where(r < shape.iris_r * 0.42, 0.02, eye)
        albedo = np.where(opening, eye, albedo)
        lash = (np.abs(a) < shape.eye_w * 1.08) & (
            np.abs(v - top) < 0.5 + 0.4 * np.clip(t, 0.0, 1.0)
        )
        albedo = np.where(lash, 0.04, albedo)
    return albedo


# --------------------------------------------------------------------------- light


def _shaded_surface(
    rng: np.random.Generator,
    shape: painted._Shape,
    relief: _Relief,
    pose: _Pose,
    skin: float,
    hair: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The face's samples: face points ``(N, 3)`` and their lit brightness ``(N,)``."""
    z = _height(shape, relief, _U, _V)
    dz_du = np.gradient(z, SAMPLE_STEP, axis=1)
    dz_dv = np.gradient(z, SAMPLE_STEP, axis=0)
    normals = np.stack([-dz_du, -dz_dv, np.ones_like(z)], axis=-1)
    normals /= np.linalg.norm(normals, axis=-1, keepdims=True)
    hollows = np.clip(painted._gaussian_blur(z, 4.0 / SAMPLE_STEP) - z, 0.0, None)
    occlusion = np.clip(1.0 - rng.uniform(0.05, 0.15) * hollows, 0.25, 1.0)
    albedo = _albedo(rng, shape, _U, _V, skin, hair) * occlusion
    on_face = (z > 0.5).ravel()
    points = np.column_stack([_U.ravel(), _V.ravel(), z.ravel()])[on_face]
    normals = normals.reshape(-1, 3)[on_face] @ pose.rotation.T
    angle = rng.uniform(0.0, 2.0 * math.pi)
    strength = rng.uniform(0.2, 1.2)
    light = np.array(
        [math.cos(angle) * strength, math.sin(angle) * strength - 0.3, 1.0]
    )
    light /= np.linalg.norm(light)
    halfway = light + np.array([0.0, 0.0, 1.0])
    halfway /= np.linalg.norm(halfway)
    ambient = rng.uniform(0.15, 0.5)
    lambert = np.clip(normals @ light, 0.0, None)
    shine = rng.uniform(0.0, 0.25) * np.clip(
        normals @ halfway, 0.0, None
    ) ** rng.uniform(8.0, 40.0)
    brightness = albedo.ravel()[on_face] * (ambient + (1.0 - ambient) * lambert)
    return points, brightness + shine


def _splat(
    pose: _Pose, points: np.ndarray, brightness: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Project the samples; each pixel averages those within
    :data:`_DEPTH_TOLERANCE` of its nearest one. Returns ``(value, coverage)``, both
    ``(96, 96)``, coverage in [0, 1] (0 where no sample fell)."""
    x, y, depth = pose.project(points)
    column, row = np.floor(x + 0.5).astype(int), np.floor(y + 0.5).astype(int)
    inside = (column >= 0) & (column < IMAGE_SIZE) & (row >= 0) & (row < IMAGE_SIZE)
    pixel = (row * IMAGE_SIZE + column)[inside]
    depth, brightness = depth[inside], brightness[inside]
    order = np.lexsort((-depth, pixel))  # by pixel, nearest first
    pixel, depth, brightness = pixel[order], depth[order], brightness[order]
    first = np.r_[True, pixel[1:] != pixel[:-1]]
    nearest = np.maximum.accumulate(np.where(first, np.arange(len(pixel)), 0))
    front = depth > depth[nearest] - _DEPTH_TOLERANCE
    size = IMAGE_SIZE * IMAGE_SIZE
    total = np.bincount(pixel[front], brightness[front], size)
    count = np.bincount(pixel[front], None, size)
    full = 0.7 / (SAMPLE_STEP * pose.scale) ** 2  # samples a covered pixel gets, about
    shape = (IMAGE_SIZE, IMAGE_SIZE)
    value = (total / np.maximum(count, 1)).reshape(shape)
    return value, np.clip(count / full, 0.0, 1.0).reshape(shape)


# --------------------------------------------------------------------------- one face


def _render_one(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One face: ``(image uint8 (96, 96), keypoints float32 (30,))``."""
    shape = _sample_shape(rng)
    relief = _sample_relief(rng, shape)
    pose = _sample_pose(rng)
    surface_points = _keypoints_3d(shape, relief)
    x, y, _ = pose.project(surface_points)
    dx, dy = painted._shift_inside(np.column_stack([x, y]))
    pose = pose.moved(float(dx), float(dy))
    x, y, _ = pose.project(surface_points)

    skin = rng.uniform(0.35, 0.85)
    hair, hair_style = painted._sample_hair(rng)
    head_x, head_y, _ = pose.project(np.array([[0.0, shape.face_v, 0.0]]))
    head = painted._Frame(
        float(head_x[0]), float(head_y[0]), pose.roll, pose.scale, pose.scale
    )
    canvas = painted._background(rng)
    a, b = head.local()
    painted._draw_neck_and_shoulders(canvas, rng, a, b, shape, skin * 0.8)
    painted._draw_hair_behind(canvas, rng, a, b, shape, hair, hair_style)
    head_outline = painted._ellipse(
        a, b + 4.0, shape.face_w * 1.08, shape.face_h * 1.05
    )
    painted._paint(canvas, painted._cover(head_outline), skin * rng.uniform(0.45, 0.8))
    value, coverage = _splat(
        pose, *_shaded_surface(rng, shape, relief, pose, skin, hair)
    )
    canvas += coverage * (value - canvas)
    painted._draw_hair_in_front(canvas, rng, a, b, shape, hair, hair_style)
    if rng.random() < 0.3:
        _draw_glasses(rng, canvas, x[:2], y[:2], pose.scale, shape.eye_w)
    image = painted._camera(rng, canvas)
    labels = np.column_stack([x, y]) + rng.normal(0.0, 0.5, (len(x), 2))
    labels = np.clip(labels, 0.0, IMAGE_SIZE - 1.0)
    return image, labels.reshape(-1).astype(np.float32)


def _draw_glasses(
    rng: np.random.Generator,
    canvas: np.ndarray,
    eye_x: np.ndarray,
    eye_y: np.ndarray,
    scale: float,
    eye_w: float,
) -> None:
    """Frames around the eye centres ``eye_x, eye_y`` (left, right; pixels): round to
    square, thin to thick, the lower rim thinner or heavier, sometimes a glint."""
    tone = rng.uniform(0.02, 0.6)
    thickness = rng.uniform(0.5, 2.8)
    half_w = (eye_w + rng.uniform(2.5, 6.0)) * scale
    half_h = rng.uniform(4.5, 8.0) * scale
    squareness = rng.uniform(2.0, 5.0)
    lower_rim = rng.uniform(0.6, 1.6)
    tilt = math.atan2(eye_y[0] - eye_y[1], eye_x[0] - eye_x[1])
    drop = rng.uniform(-1.0, 2.5) * scale  # frames sit a little below the eyes
    c, s = math.cos(tilt), math.sin(tilt)
    for centre_x, centre_y in zip(eye_x, eye_y, strict=True):
        dx, dy = painted._X - (centre_x - s * drop), painted._Y - (centre_y + c * drop)
        a, b = (dx * c + dy * s) / half_w, (-dx * s + dy * c) / half_h
        r = (np.abs(a) ** squareness + np.abs(b) ** squareness) ** (1.0 / squareness)
        width = thickness * np.where(b > 0, lower_rim, 1.0) / min(half_w, half_h)
        canvas += 0.9 * np.exp(-0.5 * ((r - 1.0) / (width / 2)) ** 2) * (tone - canvas)
        if rng.random() < 0.3:
            glint = painted._blob(
                dx - rng.uniform(-3.0, 3.0), dy - rng.uniform(-3.0, 0.0), 2.0, 1.0
            )
            canvas += 0.3 * glint * (1.0 - canvas)
    dx = painted._X - (eye_x[0] + eye_x[1]) / 2
    dy = painted._Y - (eye_y[0] + eye_y[1]) / 2
    a, b = dx * c + dy * s, -dx * s + dy * c
    gap = abs((eye_x[0] - eye_x[1]) * c + (eye_y[0] - eye_y[1]) * s) / 2 - half_w
    bridge = np.exp(-0.5 * ((b + 0.15 * half_h) / max(thickness / 2, 0.4)) ** 2)
    canvas += 0.9 * bridge * (np.abs(a) < gap + 1.0) * (tone - canvas)
