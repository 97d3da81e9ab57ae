"""Chapter 7's own OpenCV code gives what ``fkp_helpers.photo`` (``fkp detect``) gives.

The chapter's ``find_faces``, ``square_around``, ``crop_matrix``, ``crop_face``,
``to_photo`` and ``keypoints_in_photo`` must give what the helpers give (see
``tests/chapter_code.py``), on generated scenes and on matplotlib's portrait.
No network is trained: a stand-in ``predict_px`` reads the crop's pixels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chapter_code import chapter_namespace

from fkp_helpers import photo
from fkp_helpers.photo import FaceBox
from fkp_helpers.standin.faces import render_faces
from fkp_helpers.standin.scenes import Scene, make_scene

SCENE_SIZE = (700, 560)  # (width, height): small scenes, quick to make and search


@pytest.fixture(scope="module")
def chapter() -> dict[str, Any]:
    return chapter_namespace("07_your_own_photo")


@pytest.fixture(scope="module")
def scenes() -> list[Scene]:
    faces, keypoints = render_faces(6, seed=7)
    return [
        make_scene(faces[i], keypoints[i], size=SCENE_SIZE, seed=700 + i)
        for i in range(6)
    ]


def as_tuple(box: FaceBox) -> tuple[int, int, int, int]:
    return box.x, box.y, box.w, box.h


def boxes_to_check(scene: Scene) -> list[FaceBox]:
    """The scene's known box, a small one (enlarged: no blur) and one over the edge."""
    width = scene.image.shape[1]
    return [
        scene.box,
        FaceBox(scene.box.x + 5, scene.box.y + 3, 40, 44),
        FaceBox(width - 60, -20, 150, 140),
    ]


def crop_brightness_predict_px(crops: np.ndarray) -> np.ndarray:
    """A stand-in for ``run.predict_px``: crops ``(N, 96, 96, 1)`` → ``(N, 30)`` crop
    pixels that depend on the crop's brightness."""
    grid = np.linspace(10.0, 85.0, 30)
    return grid + 20.0 * crops.mean(axis=(1, 2, 3))[:, np.newaxis]


def test_the_chapters_constants_are_the_helpers(chapter: dict[str, Any]) -> None:
    assert chapter["CASCADE_FILE"].endswith(photo.CASCADE_FILE)
    assert chapter["MIN_FACE_PX"] == photo.MIN_FACE_PX
    assert chapter["FACE_MARGIN"] == photo.FACE_MARGIN
    assert chapter["FACE_SHIFT"] == photo.FACE_SHIFT
    assert chapter["CROP_SIZE"] == photo.IMAGE_SIZE


def test_the_chapters_cascade_finds_the_helpers_faces(
    chapter: dict[str, Any], scenes: list[Scene]
) -> None:
    images = [photo.read_image(chapter["PHOTO"])] + [scene.image for scene in scenes]
    found_any = 0
    for image in images:
        gray = photo.to_gray(image)
        expected = [as_tuple(box) for box in photo.find_faces(gray)]
        assert chapter["find_faces"](gray) == expected
        found_any += bool(expected)
    assert found_any >= 2, "the comparison needs images where faces are found"
    assert chapter["find_faces"](photo.to_gray(images[0])) == [(155, 105, 222, 222)]


def test_the_chapters_square_and_matrix_are_the_helpers_crop(
    chapter: dict[str, Any], scenes: list[Scene]
) -> None:
    for scene in scenes:
        for box in boxes_to_check(scene):
            left, top, side = chapter["square_around"](as_tuple(box))
            crop = photo.square_around(box)
            expected = (crop.left, crop.top, crop.side)
            np.testing.assert_allclose((left, top, side), expected, rtol=0, atol=1e-9)
            to_crop = chapter["crop_matrix"](left, top, side)
            assert to_crop.shape == (2, 3)
            inverse = np.linalg.inv(np.vstack([to_crop, [0.0, 0.0, 1.0]]))[:2]
            theirs = crop.crop_to_image_matrix()  # crop → photo, the other way round
            np.testing.assert_allclose(inverse, theirs, rtol=0, atol=1e-9)


def test_the_chapters_crop_is_the_helpers_crop(
    chapter: dict[str, Any], scenes: list[Scene]
) -> None:
    for scene in scenes:
        gray = photo.to_gray(scene.image)
        for box in boxes_to_check(scene):
            to_crop = chapter["crop_matrix"](*chapter["square_around"](as_tuple(box)))
            mine = chapter["crop_face"](gray, to_crop)
            assert mine.shape == (96, 96) and mine.dtype == np.float32
            theirs = photo.crop_face(gray, photo.square_around(box))
            np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-5)


def test_the_chapters_mapping_back_is_the_helpers(
    chapter: dict[str, Any], scenes: list[Scene]
) -> None:
    points = np.random.default_rng(0).uniform(-5.0, 100.0, size=30)
    for scene in scenes:
        for box in boxes_to_check(scene):
            to_crop = chapter["crop_matrix"](*chapter["square_around"](as_tuple(box)))
            mine = chapter["to_photo"](points, to_crop)
            assert mine.shape == (30,)
            theirs = photo.square_around(box).to_image(points)
            np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-9)


def test_the_chapters_path_gives_the_helpers_keypoints(
    chapter: dict[str, Any], scenes: list[Scene]
) -> None:
    predict_px = crop_brightness_predict_px
    for scene in scenes:
        gray = photo.to_gray(scene.image)
        boxes = boxes_to_check(scene)
        expected = photo.detect_keypoints(scene.image, predict_px, boxes=boxes)
        for box, face in zip(boxes, expected, strict=True):
            mine = chapter["keypoints_in_photo"](gray, as_tuple(box), predict_px)
            np.testing.assert_allclose(mine, face.keypoints_px, rtol=0, atol=1e-3)


def test_the_portrait_gives_the_same_keypoints_both_ways(
    chapter: dict[str, Any],
) -> None:
    """The chapter's own check, on its own photo, without its network."""
    image = photo.read_image(Path(chapter["PHOTO"]))
    gray = photo.to_gray(image)
    (box,) = chapter["find_faces"](gray)
    (face,) = photo.detect_keypoints(image, crop_brightness_predict_px)
    assert as_tuple(face.box) == box
    mine = chapter["keypoints_in_photo"](gray, box, crop_brightness_predict_px)
    np.testing.assert_allclose(mine, face.keypoints_px, rtol=0, atol=1e-3)
