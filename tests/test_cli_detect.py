"""``fkp detect``: end to end on a real photo with a tiny trained run, and every way to
fail (exit 2, one line)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from fkp_helpers.cli import main as cli
from fkp_helpers.keypoints import KEYPOINT_NAMES
from fkp_helpers.photo import OPENCV_MISSING, read_image, write_png


@pytest.fixture(scope="module")
def grace_hopper() -> Path:
    from matplotlib import cbook

    return Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    """An ``mlp`` trained for one epoch on 48 stand-in faces (a few seconds)."""
    from fkp_helpers.nn.devices import detect_plan
    from fkp_helpers.nn.training import TrainConfig, train
    from fkp_helpers.standin.faces import render_faces

    images, keypoints = render_faces(48, seed=2)
    run_dir = tmp_path_factory.mktemp("run") / "mlp"
    config = TrainConfig(model="mlp", epochs=1, batch_size=16, valid_rows=8)
    train(
        (images[..., None] / 255).astype(np.float32),
        keypoints,
        run_dir,
        config,
        plan=detect_plan(use_gpu=False, mixed_precision=False),
        verbose=0,
    )
    return run_dir


@pytest.fixture
def fkp():
    """The real ``fkp`` entry point (one-line errors, exit codes)."""
    return cli.main


def test_detect_writes_an_annotated_png_and_points_json(
    fkp, tmp_path, grace_hopper, tiny_run, capsys
):
    out, points = tmp_path / "annotated.png", tmp_path / "points.json"
    argv = [
        "detect",
        str(grace_hopper),
        "--model",
        str(tiny_run),
        "--out",
        str(out),
        "--json",
        str(points),
        "--max-faces",
        "3",
    ]
    assert fkp(argv) == 0
    printed = capsys.readouterr().out.splitlines()
    assert (
        len(printed) == 2
        and printed[0].startswith("face 1: box ")
        and "left eye (" in printed[0]
    )
    assert printed[1] == f"Wrote {out} and {points}"

    original, annotated = read_image(grace_hopper), read_image(out)
    assert annotated.shape == original.shape and (annotated != original).any()
    value = json.loads(points.read_text())
    (face,) = value["faces"]
    x, y, w, h = face["box"]
    assert abs(x - 155) <= 8 and abs(y - 105) <= 8 and w == h
    assert list(face["keypoints"]) == list(KEYPOINT_NAMES)
    for px, py in face["keypoints"].values():
        assert 0 <= px < 512 and 0 <= py < 600
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "annotated.png",
        "points.json",
    ]


def test_no_face_is_a_one_line_error_and_writes_nothing(tmp_path, tiny_run, fkp_fails):
    blank = tmp_path / "wall.png"
    write_png(blank, np.full((300, 400, 3), 150, dtype=np.uint8))
    out = tmp_path / "annotated.png"
    err = fkp_fails(
        ["detect", str(blank), "--model", str(tiny_run), "--out", str(out)],
        "no face found by OpenCV's frontal-face Haar cascade",
    )
    assert f"{blank}: " in err and "at least 48 px wide" in err
    assert not out.exists()


def test_bad_arguments_and_files_are_one_line_errors(
    tmp_path, grace_hopper, tiny_run, fkp_fails
):
    text = tmp_path / "notes.png"
    text.write_text("hello")
    out = str(tmp_path / "a.png")
    photo = str(grace_hopper)
    model = ["--model", str(tiny_run)]
    fkp_fails(
        ["detect", photo, *model, "--out", str(tmp_path / "a.jpg")],
        "a file name ending in .png",
    )
    fkp_fails(
        ["detect", photo, *model, "--out", out, "--json", str(tmp_path / "p.txt")],
        "ending in .json",
    )
    fkp_fails(
        ["detect", photo, *model, "--out", str(tmp_path / "nowhere" / "a.png")],
        "no such folder",
    )
    fkp_fails(
        ["detect", str(tmp_path / "missing.jpg"), *model, "--out", out],
        "missing.jpg: no such file",
    )
    fkp_fails(
        ["detect", str(text), *model, "--out", out], "not an image OpenCV can read"
    )
    fkp_fails(["detect", str(text), *model, "--out", str(text)], "is the input photo")
    fkp_fails(
        ["detect", photo, "--model", str(tmp_path / "no-run"), "--out", out],
        "no such run folder",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.png"]


@pytest.mark.parametrize(("height", "width"), [(1, 100_000), (100_000, 1), (30, 40)])
def test_an_image_too_thin_or_small_for_a_face_is_a_one_line_error(
    tmp_path, tiny_run, fkp_fails, height, width
):
    strip = tmp_path / "strip.png"
    write_png(strip, np.full((height, width, 3), 150, dtype=np.uint8))
    out = tmp_path / "annotated.png"
    err = fkp_fails(
        ["detect", str(strip), "--model", str(tiny_run), "--out", str(out)],
        f"{strip}: image is {width}x{height} px, "
        "too small or too narrow to hold a face",
    )
    assert "at least" in err
    assert not out.exists()


def test_missing_opencv_is_a_one_line_error_naming_the_extra(
    tmp_path, grace_hopper, tiny_run, fkp_fails, monkeypatch
):
    monkeypatch.setitem(
        sys.modules, "cv2", None
    )  # `import cv2` now fails as if OpenCV were not installed
    err = fkp_fails(
        [
            "detect",
            str(grace_hopper),
            "--model",
            str(tiny_run),
            "--out",
            str(tmp_path / "a.png"),
        ],
        'OpenCV is not installed: pip install "fkp-helpers[photo]" (or opencv-python)',
    )
    assert err == f"fkp: error: {OPENCV_MISSING}\n"


def test_detect_without_model_uses_the_package_pretrained_model(
    fkp, tmp_path, grace_hopper, capsys
):
    from fkp_helpers.nn.pretrained import load_pretrained

    out = tmp_path / "annotated.png"
    argv = ["detect", str(grace_hopper), "--out", str(out), "--max-faces", "1"]
    assert cli.build_parser().parse_args(argv).model is None
    assert fkp(argv) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == (
        f"Using {load_pretrained().label}; pass --model RUN_DIR for a network you "
        "trained"
    )
    assert printed[0].startswith("Using the package's pretrained")
    assert printed[1].startswith("face 1: box ") and printed[-1] == f"Wrote {out}"
    original, annotated = read_image(grace_hopper), read_image(out)
    assert annotated.shape == original.shape and (annotated != original).any()


def test_detect_without_model_and_no_package_model_is_a_one_line_error(
    tmp_path, grace_hopper, fkp_fails, monkeypatch
):
    from fkp_helpers.nn import pretrained

    missing = tmp_path / "pretrained" / "cnn.keras"
    monkeypatch.setattr(pretrained, "MODEL_FILE", missing)
    out = tmp_path / "annotated.png"
    err = fkp_fails(
        ["detect", str(grace_hopper), "--out", str(out)],
        f"{missing}: missing from the package",
    )
    assert "make pretrained" in err
    assert not out.exists()
