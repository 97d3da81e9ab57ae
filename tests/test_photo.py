"""The photo path: reading images, the crop's pixel mapping both ways, cropping, Haar
detection, drawing, writing."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from fkp_helpers import photo
from fkp_helpers.errors import PhotoError
from fkp_helpers.keypoints import KEYPOINT_NAMES
from fkp_helpers.photo import (
    FaceBox,
    FaceKeypoints,
    SquareCrop,
    crop_face,
    detect_keypoints,
    draw_keypoints,
    find_faces,
    points_json,
    read_image,
    smallest_face_px,
    square_around,
    to_gray,
    write_json,
    write_png,
)


@pytest.fixture(scope="module")
def grace_hopper() -> Path:
    """matplotlib's sample photo (public domain, US Navy), 512x600."""
    from matplotlib import cbook

    return Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


def _crops(rng: np.random.Generator, n: int) -> list[SquareCrop]:
    return [
        SquareCrop(
            rng.uniform(-300, 3000), rng.uniform(-300, 3000), rng.uniform(20, 2000)
        )
        for _ in range(n)
    ]


def _centroid(image: np.ndarray) -> np.ndarray:
    ys, xs = np.indices(image.shape)
    return np.array([(xs * image).sum(), (ys * image).sum()]) / image.sum()


# -------------------------------------------------------------------------- the mapping


def test_to_image_follows_the_pixel_interval_convention():
    crop = SquareCrop(left=10.0, top=20.0, side=192.0)  # 2 image pixels per crop pixel
    # Crop pixel 0 covers image [10, 12): its centre is pixel index 10.5. Crop pixel 95
    # covers [200, 202).
    assert crop.to_image(np.array([0.0, 0.0, 95.0, 95.0])) == pytest.approx(
        [10.5, 20.5, 200.5, 210.5]
    )
    same_size = SquareCrop(left=7.0, top=3.0, side=96.0)
    assert same_size.to_image(np.array([0.0, 0.0, 40.0, 50.0])) == pytest.approx(
        [7.0, 3.0, 47.0, 53.0]
    )


def test_mapping_round_trips_on_random_fractional_crops_and_keeps_nan():
    rng = np.random.default_rng(0)
    for crop in _crops(rng, 20):
        points = rng.uniform(-20, 116, size=(4, 30))
        points[1, 7] = np.nan
        in_image = crop.to_image(points)
        assert in_image.shape == (4, 30) and in_image.dtype == np.float64
        assert np.isnan(in_image[1, 7]) and np.isnan(in_image).sum() == 1
        np.testing.assert_allclose(crop.to_crop(in_image), points, atol=1e-9)
        np.testing.assert_allclose(
            crop.to_image(crop.to_crop(points)), points, rtol=1e-12, atol=1e-9
        )
    one_face = SquareCrop(1.5, 2.25, 130.0).to_image(np.full(30, 47.5))
    assert one_face.shape == (30,)
    with pytest.raises(ValueError, match="x, y pairs"):
        SquareCrop(0, 0, 96).to_image(np.zeros(29))


def test_square_around_centres_a_square_of_the_calibrated_size_on_the_box():
    crop = square_around(FaceBox(100, 200, 50, 50), margin=0.1, shift=0.0)
    assert (crop.left, crop.top, crop.side) == pytest.approx((95.0, 195.0, 60.0))
    shifted = square_around(FaceBox(100, 200, 50, 50), margin=0.0, shift=-0.2)
    assert (shifted.left, shifted.top, shifted.side) == pytest.approx(
        (100.0, 190.0, 50.0)
    )


# --------------------------------------------------------------------------- cropping


@pytest.mark.parametrize(
    "side", [40.3, 96.0, 163.7, 317.0, 595.0]
)  # upscale 2.4x ... downscale 6.2x
def test_crop_face_puts_a_bright_image_pixel_where_to_crop_says(side):
    rng = np.random.default_rng(round(side))
    height, width = 900, 1000
    for _ in range(3):
        crop = SquareCrop(
            rng.uniform(-0.3 * side, width - 0.7 * side),
            rng.uniform(0, height - side),
            side,
        )
        bright = np.array(
            [
                crop.left + rng.uniform(0.25, 0.75) * side,
                crop.top + rng.uniform(0.25, 0.75) * side,
            ]
        )
        x, y = np.floor(bright).astype(int)
        gray = np.zeros((height, width), dtype=np.uint8)
        gray[y, x] = 255
        cropped = crop_face(gray, crop)
        assert cropped.shape == (96, 96) and cropped.dtype == np.float32
        assert cropped.min() >= 0.0 and cropped.max() <= 1.0
        expected = crop.to_crop(np.array([x, y], dtype=np.float64))
        assert np.abs(_centroid(cropped) - expected).max() < 0.25, (
            crop,
            expected,
            _centroid(cropped),
        )


def test_crop_face_keeps_the_mean_brightness_when_shrinking_a_fine_pattern():
    checkerboard = (np.indices((400, 400)).sum(axis=0) % 2 * 255).astype(
        np.uint8
    )  # aliases without blurring
    cropped = crop_face(checkerboard, SquareCrop(13.3, 21.7, 333.3))
    assert cropped.mean() == pytest.approx(0.5, abs=0.01) and cropped.std() < 0.05


def test_crops_reaching_outside_the_image_repeat_its_edge_pixels():
    gray = np.full((60, 80), 50, dtype=np.uint8)
    gray[:, 0] = 200  # the left edge column
    crop = SquareCrop(
        left=-20.0, top=5.0, side=48.0
    )  # half a crop pixel per image pixel, no blurring
    cropped = crop_face(gray, crop)
    outside = (
        crop.to_image(np.stack([np.arange(96.0), np.zeros(96)], axis=1))[:, 0] < -0.5
    )
    assert outside.sum() == 40  # crop x = 0 ... 39 lie at image x = -20.25 ... -0.75
    np.testing.assert_allclose(cropped[:, outside], 200 / 255, atol=1e-6)
    assert cropped[:, -1] == pytest.approx(50 / 255, abs=1e-6)
    far_away = crop_face(
        gray, SquareCrop(left=500.0, top=-700.0, side=100.0)
    )  # wholly outside: the corner pixel
    np.testing.assert_allclose(far_away, 50 / 255, atol=1e-6)


# --------------------------------------------------------------------------- reading


def test_read_image_gives_rgb_uint8_and_three_channels_for_grayscale(
    tmp_path, grace_hopper
):
    image = read_image(grace_hopper)
    assert image.shape == (600, 512, 3) and image.dtype == np.uint8
    assert (
        image[20, 480, 2] > image[20, 480, 0]
    )  # the sky at the top right is blue, not red: RGB order
    gray_png = tmp_path / "gray.png"
    assert cv2.imwrite(
        str(gray_png),
        np.arange(30 * 40, dtype=np.uint16).reshape(30, 40).astype(np.uint8),
    )
    gray = read_image(gray_png)
    assert (
        gray.shape == (30, 40, 3)
        and (gray[..., 0] == gray[..., 2]).all()
        and gray[0, 5, 1] == 5
    )


def test_read_image_errors_name_the_file_on_one_line(tmp_path, grace_hopper):
    text = tmp_path / "notes.png"
    text.write_text("not an image\n")
    truncated = tmp_path / "truncated.png"
    _, encoded = cv2.imencode(".png", cv2.imread(str(grace_hopper)))
    truncated.write_bytes(encoded.tobytes()[: encoded.size // 2])
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    cases = {
        tmp_path / "missing.jpg": "no such file",
        tmp_path: "not a file",
        text: "not an image OpenCV can read",
        truncated: "not an image OpenCV can read",
        empty: "empty file",
    }
    for path, message in cases.items():
        with pytest.raises(PhotoError) as caught:
            read_image(path)
        assert str(caught.value).startswith(f"{path}: ") and message in str(
            caught.value
        )
        assert "\n" not in str(caught.value)


def test_a_huge_image_is_refused_from_its_header_before_decoding(
    monkeypatch, grace_hopper
):
    monkeypatch.setattr(photo, "MAX_PIXELS", 300_000)

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded a too large image")

    monkeypatch.setattr(cv2, "imdecode", no_decoding)
    with pytest.raises(PhotoError) as caught:
        read_image(grace_hopper)
    assert str(caught.value) == (
        f"{grace_hopper}: 512x600 is 0.3 megapixels, more than the limit of 0.3; "
        "downscale it first"
    )


def test_the_size_limit_also_applies_after_decoding_when_the_header_is_unknown(
    monkeypatch, grace_hopper
):
    monkeypatch.setattr(photo, "MAX_PIXELS", 300_000)
    monkeypatch.setattr(photo, "_header_size", lambda path: None)
    with pytest.raises(
        PhotoError, match="512x600 is 0.3 megapixels, more than the limit"
    ):
        read_image(grace_hopper)


# ------------------------------------------------------------------------ finding faces


def test_the_haar_cascade_finds_grace_hoppers_face(grace_hopper):
    boxes = find_faces(to_gray(read_image(grace_hopper)))
    assert len(boxes) == 1
    box = boxes[0]
    assert (
        abs(box.x - 155) <= 8
        and abs(box.y - 105) <= 8
        and abs(box.w - 222) <= 12
        and box.w == box.h
    )


def test_the_crop_of_a_real_face_is_framed_like_kaggles(grace_hopper):
    """Grace Hopper's hand-marked keypoints land near Kaggle's mean positions in the
    crop (see FACE_MARGIN)."""
    marked = np.array(
        [305, 186, 222, 190, 266, 243, 303, 278, 228, 280, 266, 293], dtype=np.float64
    )
    kaggle_means = np.array(
        [66.4, 37.7, 30.3, 38.0, 48.4, 62.7, 63.3, 76.0, 33.0, 76.2, 48.6, 79.0]
    )
    (box,) = find_faces(to_gray(read_image(grace_hopper)))
    in_crop = square_around(box).to_crop(marked)
    distances = np.hypot(*(in_crop - kaggle_means).reshape(-1, 2).T)
    assert distances.max() < 4.0 and np.sqrt(np.mean(distances**2)) < 2.5, distances


def test_find_faces_on_a_big_photo_searches_a_downscaled_copy_and_scales_boxes_back(
    grace_hopper,
):
    gray = to_gray(read_image(grace_hopper))
    canvas = np.full((2500, 3000), 128, dtype=np.uint8)
    canvas[1000:1600, 2000:2512] = gray
    assert smallest_face_px(canvas.shape) == 71 and smallest_face_px(gray.shape) == 48
    boxes = find_faces(canvas)
    assert len(boxes) >= 1
    box = boxes[0]
    assert (
        abs(box.x - 2155) <= 12 and abs(box.y - 1105) <= 12 and abs(box.w - 222) <= 16
    )


def test_find_faces_finds_nothing_in_a_blank_image():
    assert find_faces(np.full((300, 400), 90, dtype=np.uint8)) == []
    with pytest.raises(ValueError, match="grayscale uint8"):
        find_faces(np.zeros((30, 40, 3), dtype=np.uint8))


@pytest.mark.parametrize(
    ("height", "width"),
    [(1, 100_000), (100_000, 1), (47, 3000), (20_000, 50), (30, 40)],
)
def test_an_image_too_thin_or_small_for_a_face_has_none(height, width):
    """A long strip's searched copy would be 0 px high (cv2.resize fails): no face, no
    error."""
    assert not photo.can_hold_a_face((height, width))
    assert find_faces(np.full((height, width), 90, dtype=np.uint8)) == []


def test_an_image_just_large_enough_may_hold_a_face():
    assert photo.can_hold_a_face((48, 48)) and photo.can_hold_a_face((100, 4000))
    assert not photo.can_hold_a_face((47, 48)) and not photo.can_hold_a_face((90, 4000))


def test_every_photo_function_names_the_extra_when_opencv_is_missing(
    monkeypatch, grace_hopper
):
    monkeypatch.setitem(
        sys.modules, "cv2", None
    )  # `import cv2` now fails as if OpenCV were not installed
    gray, rgb = (
        np.zeros((100, 100), dtype=np.uint8),
        np.zeros((100, 100, 3), dtype=np.uint8),
    )
    calls = [
        lambda: read_image(grace_hopper),
        lambda: to_gray(rgb),
        lambda: find_faces(gray),
        lambda: crop_face(gray, SquareCrop(0.0, 0.0, 96.0)),
        lambda: draw_keypoints(rgb, []),
    ]
    for call in calls:
        with pytest.raises(PhotoError) as raised:
            call()
        assert (
            str(raised.value)
            == 'OpenCV is not installed: pip install "fkp-helpers[photo]" '
            "(or opencv-python)"
        )


def test_an_opencv_that_is_installed_but_broken_says_so(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def broken_cv2(name, *args, **kwargs):
        if name == "cv2":
            raise ImportError("libGL.so.1: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "cv2")
    monkeypatch.setattr(builtins, "__import__", broken_cv2)
    with pytest.raises(
        PhotoError,
        match=r"^OpenCV \(cv2\) is installed but does not load: libGL\.so\.1",
    ):
        photo.opencv()


# --------------------------------------------------------------------------- predicting


def test_detect_keypoints_maps_the_models_crop_pixels_back_to_the_photo():
    image = np.full((400, 500, 3), 120, dtype=np.uint8)
    boxes = [FaceBox(50, 60, 200, 200), FaceBox(300, 10, 101, 101)]
    crop_points = np.tile([30.0, 40.0, 66.0, 38.0], 15)[:30]
    seen = []

    def predict_px(batch: np.ndarray) -> np.ndarray:
        seen.append(batch)
        return np.tile(crop_points, (len(batch), 1))

    faces = detect_keypoints(image, predict_px, boxes)
    assert seen[0].shape == (2, 96, 96, 1) and seen[0].dtype == np.float32
    assert [face.box for face in faces] == boxes
    for face in faces:
        assert (
            face.crop == square_around(face.box)
            and face.keypoints_px.dtype == np.float32
        )
        np.testing.assert_allclose(
            face.keypoints_px, face.crop.to_image(crop_points), atol=1e-3
        )
    assert detect_keypoints(image, predict_px, []) == []
    with pytest.raises(ValueError, match=r"predict_px returned shape \(2, 4\)"):
        detect_keypoints(image, lambda batch: np.zeros((len(batch), 4)), boxes)


# ------------------------------------------------------------------ drawing and writing


def _face(box: FaceBox, points: np.ndarray) -> FaceKeypoints:
    return FaceKeypoints(
        box=box,
        crop=square_around(box),
        keypoints_px=np.asarray(points, dtype=np.float32),
    )


@pytest.mark.parametrize(
    ("height", "width", "box"),
    [
        (300, 280, FaceBox(60, 70, 120, 120)),
        (3000, 4000, FaceBox(1200, 800, 1500, 1500)),
    ],
)
def test_draw_keypoints_marks_every_point_visibly_on_a_copy(height, width, box):
    image = np.full((height, width, 3), 128, dtype=np.uint8)
    columns, rows = np.meshgrid(
        np.linspace(0.1, 0.9, 5), np.linspace(0.1, 0.9, 3)
    )  # 15 points, well apart
    points = np.stack([box.x + columns * box.w, box.y + rows * box.h], axis=-1).reshape(
        30
    )
    drawn = draw_keypoints(image, [_face(box, points)])
    assert (
        (image == 128).all() and drawn.shape == image.shape and drawn.dtype == np.uint8
    )
    for name, (x, y) in zip(KEYPOINT_NAMES, points.reshape(-1, 2), strict=True):
        centre = drawn[round(y), round(x)]
        assert tuple(centre) != (128, 128, 128) and tuple(centre) != (0, 0, 0), name
    assert tuple(drawn[box.y, box.x + box.w // 2]) == photo._BOX_COLOUR
    changed = (drawn != 128).any(axis=2).sum()
    radius = max(2.0, box.w / 60)
    assert (
        changed > 15 * np.pi * radius**2 * 0.5
    )  # the points are discs that grow with the face


def test_points_json_has_the_documented_schema():
    points = np.arange(30, dtype=np.float64) + 0.123456
    points[3] = np.nan
    value = points_json([_face(FaceBox(1, 2, 30, 31), points)])
    assert list(value) == ["faces"] and len(value["faces"]) == 1
    face = value["faces"][0]
    assert list(face) == ["box", "keypoints"] and face["box"] == [1, 2, 30, 31]
    assert list(face["keypoints"]) == list(KEYPOINT_NAMES)
    assert face["keypoints"]["left_eye_center"] == [0.12, 1.12]
    assert face["keypoints"]["right_eye_center"] == [2.12, None]
    assert json.loads(json.dumps(value, allow_nan=False)) == value
    assert points_json([]) == {"faces": []}


def test_write_png_and_write_json_write_complete_files_and_leave_no_temporaries(
    tmp_path,
):
    image = np.random.default_rng(0).integers(0, 256, size=(20, 30, 3), dtype=np.uint8)
    write_png(tmp_path / "out.png", image)
    write_json(tmp_path / "out.json", {"faces": []})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "out.png"]
    np.testing.assert_array_equal(read_image(tmp_path / "out.png"), image)
    assert json.loads((tmp_path / "out.json").read_text()) == {"faces": []}
    with pytest.raises(PhotoError, match="name it"):
        write_png(tmp_path / "out.jpg", image)


def test_a_failed_write_leaves_the_existing_file_untouched(tmp_path, monkeypatch):
    png, points = tmp_path / "old.png", tmp_path / "old.json"
    png.write_bytes(b"old picture")
    points.write_text("old points")
    with pytest.raises(
        ValueError
    ):  # NaN is not JSON: fails while writing the temporary file
        write_json(points, {"x": float("nan")})

    def refuse(source, target):
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        write_png(png, np.zeros((4, 4, 3), dtype=np.uint8))
    assert png.read_bytes() == b"old picture" and points.read_text() == "old points"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json", "old.png"]
