"""The lit 3D faces the pretrained network learns from
(``fkp_helpers.standin.lit_faces``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fkp_helpers.keypoints import KEYPOINT_NAMES
from fkp_helpers.standin import lit_faces
from fkp_helpers.standin.dataset import render_in_parallel


@pytest.fixture(scope="module")
def faces() -> tuple[np.ndarray, np.ndarray]:
    return lit_faces.render_faces(32, seed=3)


def test_shapes_dtypes_and_ranges(faces: tuple[np.ndarray, np.ndarray]) -> None:
    images, keypoints = faces
    assert images.shape == (32, 96, 96) and images.dtype == np.uint8
    assert keypoints.shape == (32, 30) and keypoints.dtype == np.float32
    assert np.isfinite(keypoints).all()
    assert keypoints.min() >= 0.0 and keypoints.max() <= 95.0
    assert images.std(axis=(1, 2)).min() > 5  # every face has contrast


def test_a_face_depends_only_on_seed_stream_and_index() -> None:
    images, keypoints = lit_faces.render_faces(3, seed=5, stream=2)
    one_image, one_keypoints = lit_faces.render_faces(1, seed=5, stream=2, start=2)
    np.testing.assert_array_equal(images[2], one_image[0])
    np.testing.assert_array_equal(keypoints[2], one_keypoints[0])
    other, _ = lit_faces.render_faces(1, seed=6, stream=2, start=2)
    assert not np.array_equal(other[0], one_image[0])


@pytest.mark.parametrize("workers", [1, 2])
def test_render_in_parallel_draws_the_same_lit_faces(workers: int) -> None:
    expected = lit_faces.render_faces(5, seed=1, stream=3)
    actual = render_in_parallel(5, seed=1, stream=3, workers=workers, lit=True)
    np.testing.assert_array_equal(actual[0], expected[0])
    np.testing.assert_array_equal(actual[1], expected[1])


def test_the_subjects_left_eye_is_on_the_image_right_and_darker_than_around(
    faces: tuple[np.ndarray, np.ndarray],
) -> None:
    images, keypoints = faces
    points = keypoints.reshape(-1, 15, 2)
    left = KEYPOINT_NAMES.index("left_eye_center")
    right = KEYPOINT_NAMES.index("right_eye_center")
    assert (points[:, left, 0] > points[:, right, 0]).all()
    darker = []
    for image, face in zip(images.astype(float), points, strict=True):
        for eye in (left, right):
            x, y = np.rint(face[eye]).astype(int)
            centre = image[y - 1 : y + 2, x - 1 : x + 2].mean()
            around = image[max(y - 5, 0) : y + 6, max(x - 5, 0) : x + 6]
            darker.append(centre < np.median(around))
    assert np.mean(darker) > 0.9  # the iris, under the label (glasses may cover some)


def test_the_pose_turns_about_the_pivot_then_scales_and_places() -> None:
    still = lit_faces._Pose(48.0, 38.0, 1.5, lit_faces._rotation(0.0, 0.0, 0.0))
    x, y, depth = still.project(np.array([[10.0, -4.0, 7.0]]))
    assert (x[0], y[0], depth[0]) == pytest.approx((63.0, 32.0, 7.0))
    turned = lit_faces._Pose(48.0, 38.0, 1.0, lit_faces._rotation(math.pi / 2, 0, 0))
    # a quarter turn of yaw brings the nose-side point (z = 10) to x = +10
    x, _, depth = turned.project(np.array([[0.0, 10.0, 10.0]]))
    assert (x[0], depth[0]) == pytest.approx((58.0, 0.0), abs=1e-9)
    rolled = lit_faces._Pose(48.0, 38.0, 1.0, lit_faces._rotation(0, 0, 0.3))
    assert rolled.roll == pytest.approx(0.3)


def test_a_pixel_shows_the_surface_nearest_the_camera() -> None:
    pose = lit_faces._Pose(0.0, 0.0, 1.0, lit_faces._rotation(0.0, 0.0, 0.0))
    step = lit_faces.SAMPLE_STEP
    u, v = np.meshgrid(np.arange(18.0, 22.0, step), np.arange(28.0, 32.0, step))
    patch = np.column_stack([u.ravel(), v.ravel()])
    near = np.column_stack([patch, np.full(len(patch), 5.0)])
    far = np.column_stack([patch, np.zeros(len(patch))])
    points = np.concatenate([far, near])
    brightness = np.concatenate([np.zeros(len(far)), np.ones(len(near))])
    value, coverage = lit_faces._splat(pose, points, brightness)
    assert value[30, 20] == 1.0 and coverage[30, 20] == 1.0
    assert coverage[10, 10] == 0.0


@pytest.mark.parametrize(
    "arguments", [{"n": -1}, {"n": 2, "seed": -1}, {"n": 2.0}, {"n": True}]
)
def test_bad_arguments_raise_clear_errors(arguments: dict) -> None:
    with pytest.raises(ValueError, match="must be"):
        lit_faces.render_faces(**arguments)


LIT_FACES_PINS = {
    1: (
        "33468f2e73311b5a9a6b148604dfebbaac048393736ece7c548f2967f5cbb3f0",
        [117.3, 116.5, 135.1, 63.0, 157.6, 185.3, 102.4, 168.0],
    )
}
"""Per ``LIT_FACES_VERSION``: the SHA-256 of the keypoints of ``render_faces(8,
seed=0)`` rounded to 0.01 px, and each image's mean brightness (to 0.1)."""


def test_what_the_renderer_draws_is_pinned_to_its_version() -> None:
    import hashlib

    images, keypoints = lit_faces.render_faces(8, seed=0)
    digest = hashlib.sha256(np.round(keypoints.astype(np.float64), 2).tobytes())
    version = lit_faces.LIT_FACES_VERSION
    assert version in LIT_FACES_PINS, f"add pins for LIT_FACES_VERSION {version}"
    pinned_digest, pinned_means = LIT_FACES_PINS[version]
    means = images.reshape(8, -1).mean(axis=1)
    assert digest.hexdigest() == pinned_digest and means == pytest.approx(
        pinned_means, abs=0.06
    ), (
        "lit_faces draws other faces than LIT_FACES_VERSION "
        f"{version} did: bump the version and pin {digest.hexdigest()}, "
        f"{np.round(means, 1).tolist()} (and retrain: make pretrained)"
    )
