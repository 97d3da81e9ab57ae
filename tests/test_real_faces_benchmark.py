"""The real-face benchmark's scoring: NME and which detector box a reference face
takes (``benchmarks/real_faces.py``; the photos themselves are not needed)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

from fkp_helpers.photo import FaceBox

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def real_faces(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    module = importlib.import_module("real_faces")
    yield module
    sys.modules.pop("real_faces", None)


def _face(eye_distance: float = 40.0) -> np.ndarray:
    """15 points (x, y): the eye centres ``eye_distance`` apart, the rest below."""
    points = np.tile([50.0, 80.0], (15, 1))
    points[0], points[1] = (
        (50.0 + eye_distance / 2, 40.0),
        (50.0 - eye_distance / 2, 40.0),
    )
    points[10] = (50.0, 60.0)  # nose tip
    return points


def test_nme_is_the_mean_point_distance_over_the_eye_distance(real_faces):
    reference = _face(40.0)[np.newaxis]
    moved = reference + np.array([3.0, 4.0])  # every point 5 px off
    assert real_faces.nme(moved, reference) == pytest.approx([5.0 / 40.0])
    assert real_faces.nme(moved.reshape(1, 30), reference) == pytest.approx([0.125])
    assert real_faces.nme(reference, reference) == pytest.approx([0.0])


def test_nme_does_not_depend_on_the_scale(real_faces):
    reference = _face(40.0)[np.newaxis]
    predicted = reference + np.random.default_rng(0).normal(0, 2, reference.shape)
    assert real_faces.nme(3 * predicted, 3 * reference) == pytest.approx(
        real_faces.nme(predicted, reference)
    )


def test_a_face_takes_the_unused_box_that_holds_its_nose(real_faces):
    points = _face()
    boxes = [
        FaceBox(200, 200, 60, 60),  # elsewhere
        FaceBox(10, 10, 90, 90),  # holds the nose, centred near the face
        FaceBox(0, 55, 60, 8),  # holds the nose too, centred farther away
    ]
    assert real_faces._box_holding(boxes, points, set()) == 1
    assert real_faces._box_holding(boxes, points, {1}) == 2
    assert real_faces._box_holding(boxes, points, {1, 2}) is None


def test_the_alignment_is_the_similarity_that_moves_the_points_onto_the_target(
    real_faces,
):
    source = _face() + np.random.default_rng(1).normal(0, 3, (15, 2))
    angle, scale, shift = 0.3, 0.6, np.array([5.0, -12.0])
    rotation = scale * np.array(
        [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
    )
    target = source @ rotation.T + shift
    matrix = real_faces.similarity_onto(source, target)
    np.testing.assert_allclose(matrix[:, :2], rotation, atol=1e-12)
    np.testing.assert_allclose(matrix[:, 2], shift, atol=1e-9)
    # with noise in the target it is the least-squares fit: no other scale does better
    noisy = target + np.random.default_rng(2).normal(0, 1, target.shape)
    fit = real_faces.similarity_onto(source, noisy)

    def error(m):
        return ((source @ m[:, :2].T + m[:, 2] - noisy) ** 2).sum()

    for factor in (0.98, 1.02):
        scaled = fit.copy()
        scaled[:, :2] *= factor
        assert error(fit) < error(scaled)


def test_the_aligned_crop_shows_a_photo_point_where_the_alignment_maps_it(
    real_faces,
):
    pytest.importorskip("cv2")
    gray = np.zeros((300, 400), dtype=np.uint8)
    gray[140:143, 250:253] = 255  # a bright 3x3 spot centred on (251, 141)
    angle, scale = 0.4, 0.5  # crop pixels per photo pixel
    rotation = scale * np.array(
        [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
    )
    matrix = np.hstack([rotation, [[-40.0], [-80.0]]])
    crop = real_faces.aligned_crop(gray, matrix)
    assert crop.shape == (96, 96) and crop.dtype == np.float32
    assert 0.0 <= crop.min() and crop.max() <= 1.0
    expected = rotation @ [251.0, 141.0] + matrix[:, 2]
    rows, columns = np.indices(crop.shape)
    weights = crop / crop.sum()
    centroid = (weights * columns).sum(), (weights * rows).sum()
    np.testing.assert_allclose(centroid, expected, atol=0.15)


def test_every_photo_has_references_and_a_pinned_sha256(real_faces):
    import json

    records = json.loads(real_faces.REFERENCES_FILE.read_text())["photos"]
    assert [r["name"] for r in records] == [p.name for p in real_faces.PHOTOS]
    for record in records:
        assert len(record["sha256"]) == 64 and record["faces"]
        for face in record["faces"]:
            assert list(face) == list(real_faces.KEYPOINT_NAMES)


@pytest.mark.parametrize("sdist", [False, True])
def test_a_photo_is_read_from_the_cached_wheel_or_source_archive(
    real_faces, tmp_path, monkeypatch, sdist
):
    import io
    import tarfile
    import zipfile

    monkeypatch.setenv("FKP_CACHE_DIR", str(tmp_path))
    folder = tmp_path / "real-faces" / "wheels"
    folder.mkdir(parents=True)
    photo = real_faces.Photo(
        "face.jpg",
        "no-such-package",
        "1.0",
        "no_such_package-1.0/tests/face.jpg" if sdist else "no_such_package/face.jpg",
        "made by this test",
        sdist=sdist,
    )
    content = b"not really a jpeg"
    if sdist:
        with tarfile.open(folder / "no_such_package-1.0.tar.gz", "w:gz") as archive:
            info = tarfile.TarInfo(photo.member)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    else:
        wheel = folder / "no_such_package-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(photo.member, content)
    assert real_faces.photo_bytes(photo) == content
