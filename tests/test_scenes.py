"""Generated scenes: the pasted face sits exactly where the returned crop, box and
keypoints say."""

from __future__ import annotations

import numpy as np
import pytest

from fkp_helpers.keypoints import keypoint_index
from fkp_helpers.photo import FaceBox, crop_face, square_around, to_gray
from fkp_helpers.standin.faces import render_faces
from fkp_helpers.standin.scenes import (
    FACE_SIDE_RANGE,
    box_iou,
    detection_rate,
    make_scene,
    matching_box,
)

SMALL = (700, 520)  # the smallest comfortable scene: fast, still holds the largest face


@pytest.fixture(scope="module")
def faces() -> tuple[np.ndarray, np.ndarray]:
    return render_faces(3, seed=5)


def test_make_scene_is_deterministic_per_seed(faces):
    images, keypoints = faces
    first = make_scene(images[0], keypoints[0], size=SMALL, seed=3)
    again = make_scene(images[0], keypoints[0], size=SMALL, seed=3)
    other = make_scene(images[0], keypoints[0], size=SMALL, seed=4)
    np.testing.assert_array_equal(first.image, again.image)
    assert (first.crop, first.box) == (again.crop, again.box)
    np.testing.assert_array_equal(first.keypoints_px, again.keypoints_px)
    assert first.box != other.box and not np.array_equal(first.image, other.image)


def test_the_scene_is_a_large_rgb_image_with_the_face_inside(faces):
    images, keypoints = faces
    for seed in range(4):
        scene = make_scene(images[1], keypoints[1], size=SMALL, seed=seed)
        assert scene.image.shape == (520, 700, 3) and scene.image.dtype == np.uint8
        assert scene.crop == square_around(scene.box)
        assert FACE_SIDE_RANGE[0] - 1 <= scene.crop.side <= FACE_SIDE_RANGE[1] + 1
        assert scene.crop.left >= 0 and scene.crop.top >= 0
        assert (
            scene.crop.left + scene.crop.side <= 700
            and scene.crop.top + scene.crop.side <= 520
        )
        assert (
            scene.keypoints_px.shape == (30,) and scene.keypoints_px.dtype == np.float32
        )
        np.testing.assert_allclose(
            scene.keypoints_px, scene.crop.to_image(keypoints[1]), atol=1e-3
        )


def test_cropping_the_true_crop_gives_back_the_pasted_face(faces):
    images, keypoints = faces
    scene = make_scene(images[2], keypoints[2], size=SMALL, seed=11)
    back = crop_face(to_gray(scene.image), scene.crop) * 255
    inner = slice(12, 84)  # away from the feathered, rounded edge
    difference = np.abs(back[inner, inner] - images[2][inner, inner].astype(np.float64))
    assert (
        np.median(difference) < 12
    )  # the skin tint changes the brightness by up to ~10 %
    correlation = np.corrcoef(
        back[inner, inner].ravel(), images[2][inner, inner].ravel()
    )[0, 1]
    assert correlation > 0.97


def test_a_bright_dot_under_a_keypoint_lands_on_that_keypoint_in_the_scene():
    """The paste and the keypoint mapping share one pixel convention (checked to a
    fraction of a pixel)."""
    face = np.zeros((96, 96), dtype=np.uint8)
    keypoints = np.full(30, 48.0, dtype=np.float32)
    keypoints[0:2] = (61.0, 35.0)  # left_eye_center on one bright pixel
    face[35, 61] = 255
    for seed in range(3):
        scene = make_scene(face, keypoints, size=SMALL, seed=seed)
        gray = to_gray(scene.image).astype(np.float64)
        x, y = scene.keypoints_px[0:2]
        reach = int(np.ceil(2 * scene.crop.scale)) + 2
        window = gray[
            int(y) - reach : int(y) + reach + 1, int(x) - reach : int(x) + reach + 1
        ]
        weights = np.clip(window - np.median(window), 0, None)
        ys, xs = np.indices(window.shape)
        centroid = (
            np.array([(xs * weights).sum(), (ys * weights).sum()]) / weights.sum()
        )
        found = centroid + (int(x) - reach, int(y) - reach)
        assert np.abs(found - (x, y)).max() < 0.3, (seed, found, (x, y))


def test_the_true_eye_keypoint_in_the_scene_is_as_dark_as_in_the_face(faces):
    images, keypoints = faces
    eye = keypoint_index("left_eye_center")
    for i in range(3):
        scene = make_scene(images[i], keypoints[i], size=SMALL, seed=20 + i)
        gray = to_gray(scene.image)
        x, y = np.rint(scene.keypoints_px[2 * eye : 2 * eye + 2]).astype(int)
        fx, fy = np.rint(keypoints[i, 2 * eye : 2 * eye + 2]).astype(int)
        face_cheek = float(np.median(images[i][60:70, 60:70]))
        assert int(images[i][fy, fx]) < face_cheek - 20  # the stand-in's pupil is dark
        assert abs(int(gray[y, x]) - int(images[i][fy, fx])) < 25


def test_box_iou():
    a = FaceBox(0, 0, 10, 10)
    assert box_iou(a, a) == 1.0
    assert box_iou(a, FaceBox(5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert box_iou(a, FaceBox(20, 20, 5, 5)) == 0.0


def test_detection_rate_counts_scenes():
    found, n = detection_rate(2, seed=0, size=SMALL)
    assert n == 2 and 0 <= found <= 2


def test_make_scene_rejects_bad_input(faces):
    images, keypoints = faces
    with pytest.raises(ValueError, match=r"\(96, 96\) uint8 face"):
        make_scene(images[0][:90], keypoints[0])
    with pytest.raises(ValueError, match="keypoints of shape"):
        make_scene(images[0], keypoints[0][:28])
    with pytest.raises(ValueError, match="at least 452 px"):
        make_scene(images[0], keypoints[0], size=(800, 400))


def test_matching_box_picks_the_best_overlap_above_the_threshold():
    truth = FaceBox(100, 100, 200, 200)
    near, far = FaceBox(110, 105, 200, 200), FaceBox(400, 400, 200, 200)
    assert matching_box([far, near], truth) == near
    assert matching_box([far], truth) is None and matching_box([], truth) is None
    assert matching_box([FaceBox(200, 200, 200, 200)], truth, min_iou=0.5) is None
