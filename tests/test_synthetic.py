"""The stand-in dataset: file format, determinism, missing keypoints, atomicity, and
faces."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fkp_helpers.keypoints import (
    FOUR_KEYPOINT_SOURCE,
    KEYPOINT_COLUMNS,
    KEYPOINT_NAMES,
    LOOKUP_COLUMNS,
    NUM_PIXELS,
    SUBMISSION_COLUMNS,
    TEST_COLUMNS,
    TRAINING_COLUMNS,
    keypoint_index,
)
from fkp_helpers.standin import dataset as synthetic
from fkp_helpers.standin.dataset import (
    KAGGLE_LABELLED_COUNTS,
    labelled_mask,
    lookup_features,
    write_dataset,
)
from fkp_helpers.standin.faces import render_faces
from fkp_helpers.standin.progress import ProgressBar

FILES = (
    "training.csv",
    "test.csv",
    "IdLookupTable.csv",
    "SampleSubmission.csv",
    "solution.csv",
    "standin.json",
)
N_TRAIN, N_TEST, SEED = 40, 12, 3


@pytest.fixture(scope="module")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small stand-in written once for the format tests (read-only)."""
    out = tmp_path_factory.mktemp("standin") / "data"
    write_dataset(out, n_train=N_TRAIN, n_test=N_TEST, seed=SEED, progress=False)
    return out


def _lines(path: Path) -> list[str]:
    raw = path.read_bytes()
    assert raw.endswith(b"\n"), f"{path.name}: no final newline"
    assert b"\r" not in raw, f"{path.name}: expected \\n line ends"
    return raw.decode("ascii").split("\n")[:-1]


def _pixels(field: str) -> np.ndarray:
    values = field.split(" ")
    assert len(values) == NUM_PIXELS
    assert all(v.isdigit() for v in values)
    pixels = np.array(values, dtype=np.int64)
    assert pixels.min() >= 0 and pixels.max() <= 255
    return pixels


# --------------------------------------------------------------------------- format


def test_folder_holds_the_six_files_and_nothing_else(small_set: Path) -> None:
    assert sorted(p.name for p in small_set.iterdir()) == sorted(FILES)
    assert [p.name for p in small_set.parent.iterdir()] == [
        "data"
    ]  # no temporary folder left


def test_training_csv_matches_kaggles_format(small_set: Path) -> None:
    lines = _lines(small_set / "training.csv")
    assert lines[0] == ",".join(TRAINING_COLUMNS)
    assert len(lines) == 1 + N_TRAIN
    for line in lines[1:]:
        fields = line.split(",")
        assert len(fields) == len(TRAINING_COLUMNS)
        for text in fields[:-1]:
            if text:
                assert 0.0 <= float(text) <= 95.0
                assert (
                    len(text.split(".")[-1]) <= 11
                )  # Kaggle-like: at most 12 significant digits
        _pixels(fields[-1])


def test_test_csv_matches_kaggles_format(small_set: Path) -> None:
    lines = _lines(small_set / "test.csv")
    assert lines[0] == ",".join(TEST_COLUMNS)
    assert [line.split(",")[0] for line in lines[1:]] == [
        str(i) for i in range(1, N_TEST + 1)
    ]
    for line in lines[1:]:
        _pixels(line.split(",")[1])


def test_lookup_sample_and_solution_agree(small_set: Path) -> None:
    lookup = [line.split(",") for line in _lines(small_set / "IdLookupTable.csv")]
    sample = [line.split(",") for line in _lines(small_set / "SampleSubmission.csv")]
    solution = [line.split(",") for line in _lines(small_set / "solution.csv")]
    assert lookup[0] == list(LOOKUP_COLUMNS)
    assert sample[0] == solution[0] == list(SUBMISSION_COLUMNS)
    row_ids = [str(i) for i in range(1, len(lookup))]
    assert (
        [r[0] for r in lookup[1:]]
        == [r[0] for r in sample[1:]]
        == [r[0] for r in solution[1:]]
        == row_ids
    )
    assert all(
        r[3] == "" for r in lookup[1:]
    )  # Location left empty, as in Kaggle's table
    assert all(r[1] == "0" for r in sample[1:])
    assert [(int(r[1]), r[2]) for r in lookup[1:]] == lookup_features(N_TEST)
    # the solution holds the true keypoints of the test faces (test stream of the seed)
    _, truth = render_faces(N_TEST, seed=SEED, stream=synthetic.TEST_STREAM)
    for (_, image_id, feature, _), (_, value) in zip(
        lookup[1:], solution[1:], strict=True
    ):
        assert float(value) == pytest.approx(
            truth[int(image_id) - 1, KEYPOINT_COLUMNS.index(feature)], abs=1e-9
        )


def test_marker_records_the_arguments(small_set: Path) -> None:
    marker = json.loads((small_set / "standin.json").read_text(encoding="utf-8"))
    assert marker == {
        "generator": "fkp_helpers.synthetic",
        "standin_version": synthetic.STANDIN_VERSION,
        "seed": SEED,
        "n_train": N_TRAIN,
        "n_test": N_TEST,
    }


def test_training_keypoints_are_the_rendered_ones_where_labelled(
    small_set: Path,
) -> None:
    _, truth = render_faces(N_TRAIN, seed=SEED, stream=synthetic.TRAIN_STREAM)
    mask = np.repeat(labelled_mask(N_TRAIN, seed=SEED), 2, axis=1)
    for row, line in enumerate(_lines(small_set / "training.csv")[1:]):
        fields = line.split(",")[:-1]
        for column, text in enumerate(fields):
            assert (text != "") == mask[row, column]
            if text:
                assert (
                    float(text) == truth[row, column]
                )  # float32 survives the text round trip


def test_summary_counts(tmp_path: Path) -> None:
    summary = write_dataset(
        tmp_path / "d", n_train=30, n_test=7, seed=1, progress=False
    )
    assert summary.path == tmp_path / "d"
    assert (summary.n_train, summary.n_test, summary.seed) == (30, 7, 1)
    assert summary.n_complete == int(labelled_mask(30, seed=1).all(axis=1).sum())
    assert summary.n_lookup_rows == len(lookup_features(7))


# -------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(
    tmp_path: Path,
) -> None:
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        write_dataset(tmp_path / name, n_train=6, n_test=3, seed=seed, progress=False)
    for file in FILES:
        assert (tmp_path / "a" / file).read_bytes() == (
            tmp_path / "b" / file
        ).read_bytes(), file
    assert (tmp_path / "a" / "training.csv").read_bytes() != (
        tmp_path / "c" / "training.csv"
    ).read_bytes()
    assert (tmp_path / "a" / "test.csv").read_bytes() != (
        tmp_path / "c" / "test.csv"
    ).read_bytes()


def test_worker_count_does_not_change_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(synthetic, "_CHUNK", 3)  # several jobs even for a tiny set
    write_dataset(
        tmp_path / "one", n_train=7, n_test=4, seed=2, progress=False, workers=1
    )
    write_dataset(
        tmp_path / "two", n_train=7, n_test=4, seed=2, progress=False, workers=2
    )
    for file in FILES:
        assert (tmp_path / "one" / file).read_bytes() == (
            tmp_path / "two" / file
        ).read_bytes(), file


# sha256 of each file of a 48 x 16 stand-in (seed 0), per STANDIN_VERSION. Keep old
# versions' rows.
FINGERPRINTS: dict[int, dict[str, str]] = {
    2: {
        "IdLookupTable.csv": (
            "5f44b11c01a1b36648105fbadbe940299267b1b0099dcc4221562f9c2f7676d9"
        ),
        "SampleSubmission.csv": (
            "68dd7eb26898db7bff0b4ce8411e07c4ca72e6a291ae8027ffffc992da10dabb"
        ),
        "solution.csv": (
            "66b64deadf48401354e1dbaf08d55e291342d33fec3b5a8cacfec57ec4e36c5d"
        ),
        "standin.json": (
            "f36f2f40e74676cab3ff5d52398534c2acdba95c48e7746089b7a446630d0f2a"
        ),
        "test.csv": "61d94d9ca134d3d94e6b0f22ad34cc2c2a5720a2564e523d279d5ca1080256de",
        "training.csv": (
            "0d5a5220a2f56d0c74af091b8da63a1cf1a08f763d972af0e7792ff03f248420"
        ),
    },
}


@pytest.mark.parametrize("workers", [1, 2])
def test_stand_in_bytes_are_pinned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """The chapters' stored outputs were made from these bytes: a change must bump the
    version."""
    monkeypatch.setattr(
        synthetic, "_CHUNK", 16
    )  # several rendering jobs, spread over the workers
    out = tmp_path / "standin"
    write_dataset(out, n_train=48, n_test=16, seed=0, progress=False, workers=workers)
    version = synthetic.STANDIN_VERSION
    assert version == max(FINGERPRINTS), (
        f"STANDIN_VERSION is {version} but the newest pinned fingerprints are for "
        f"version {max(FINGERPRINTS)}: add this version's fingerprints to FINGERPRINTS"
    )
    found = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.iterdir())
    }
    assert found == FINGERPRINTS[version], (
        "the stand-in's bytes changed (files: "
        f"{sorted(k for k in found if found[k] != FINGERPRINTS[version].get(k))}). "
        "If the change is intended: bump STANDIN_VERSION in "
        f"fkp_helpers/standin/dataset.py to {version + 1} (it names the stand-in's "
        "cache folder, so old caches are not read), add these fingerprints under "
        f"{version + 1} in FINGERPRINTS: {found}, and regenerate the chapters' stored "
        "outputs with an empty cache: FKP_CACHE_DIR=$(mktemp -d) make outputs"
    )


def test_faces_depend_only_on_seed_stream_and_index() -> None:
    images, keypoints = render_faces(5, seed=9)
    head, tail = render_faces(2, seed=9), render_faces(3, seed=9, start=2)
    np.testing.assert_array_equal(images, np.concatenate([head[0], tail[0]]))
    np.testing.assert_array_equal(keypoints, np.concatenate([head[1], tail[1]]))
    other_stream, _ = render_faces(5, seed=9, stream=synthetic.TEST_STREAM)
    assert not np.array_equal(images, other_stream)


@pytest.mark.parametrize("workers", [1, 2])
def test_render_in_parallel_gives_render_faces_faces(workers: int) -> None:
    """Chunked over processes, the same faces as one ``render_faces`` call."""
    n = 300  # three chunks of at most 128
    images, keypoints = synthetic.render_in_parallel(
        n, seed=4, stream=1, workers=workers
    )
    expected_images, expected_keypoints = render_faces(n, seed=4, stream=1)
    np.testing.assert_array_equal(images, expected_images)
    np.testing.assert_array_equal(keypoints, expected_keypoints)


def test_render_faces_shapes_and_dtypes() -> None:
    images, keypoints = render_faces(3, seed=1)
    assert images.shape == (3, 96, 96) and images.dtype == np.uint8
    assert keypoints.shape == (3, 30) and keypoints.dtype == np.float32
    assert not np.isnan(keypoints).any()
    assert render_faces(0)[0].shape == (0, 96, 96)


# -------------------------------------------------------------------- missing keypoints


def test_default_size_mirrors_kaggles_labelled_counts() -> None:
    mask = labelled_mask()
    counts = dict(zip(KEYPOINT_NAMES, mask.sum(axis=0).tolist(), strict=True))
    assert counts == KAGGLE_LABELLED_COUNTS
    assert int(mask.all(axis=1).sum()) == 2140


def test_missing_pattern_has_two_sources_and_scales(tmp_path: Path) -> None:
    n = 705  # a tenth of Kaggle's size
    mask = labelled_mask(n, seed=4)
    four = [keypoint_index(name) for name in FOUR_KEYPOINT_SOURCE]
    others = [k for k in range(15) if k not in four]
    n_full = int(mask[:, others].any(axis=1).sum())
    assert n_full == round(2284 * n / 7049)
    assert (
        mask[:n_full, others].any(axis=1).all() and not mask[n_full:, others].any()
    )  # full source first
    assert mask[:, keypoint_index("nose_tip")].all()
    assert abs(int(mask.all(axis=1).sum()) - 214) <= 2
    for name, kaggle in KAGGLE_LABELLED_COUNTS.items():
        assert (
            abs(int(mask[:, keypoint_index(name)].sum()) - kaggle * n / 7049)
            <= 0.1 * kaggle * n / 7049 + 1
        )
    incomplete_full = ~mask[:n_full].all(axis=1)
    assert (~mask[:n_full][incomplete_full]).sum(axis=1).min() >= 1


def test_labelled_mask_is_seeded() -> None:
    np.testing.assert_array_equal(
        labelled_mask(300, seed=1), labelled_mask(300, seed=1)
    )
    assert not np.array_equal(labelled_mask(300, seed=1), labelled_mask(300, seed=2))


def test_lookup_asks_for_30_features_of_full_source_images_and_8_of_the_others() -> (
    None
):
    rows = lookup_features()
    assert abs(len(rows) - 27124) <= 30  # Kaggle's IdLookupTable.csv has 27124 rows
    per_image: dict[int, list[str]] = {}
    for image_id, feature in rows:
        per_image.setdefault(image_id, []).append(feature)
    assert sorted(per_image) == list(range(1, 1784))
    four = [c for c in KEYPOINT_COLUMNS if c.rsplit("_", 1)[0] in FOUR_KEYPOINT_SOURCE]
    assert all(f == list(KEYPOINT_COLUMNS) or f == four for f in per_image.values())
    assert sum(f == list(KEYPOINT_COLUMNS) for f in per_image.values()) == 585


# --------------------------------------------------------------------------- faces


@pytest.fixture(scope="module")
def faces() -> tuple[np.ndarray, np.ndarray]:
    return render_faces(150, seed=11)


def test_keypoint_means_are_near_kaggles(faces: tuple[np.ndarray, np.ndarray]) -> None:
    _, keypoints = faces
    means = keypoints.mean(axis=0).reshape(15, 2)
    kaggle = {  # GUIDE §2
        "left_eye_center": (66.4, 37.7),
        "right_eye_center": (30.3, 38.0),
        "nose_tip": (48.4, 62.7),
        "mouth_left_corner": (63.3, 76.0),
        "mouth_right_corner": (33.0, 76.2),
        "mouth_center_bottom_lip": (48.6, 79.0),
    }
    for name, (x, y) in kaggle.items():
        assert means[keypoint_index(name)] == pytest.approx((x, y), abs=2.0), name


def test_keypoints_are_plausible(faces: tuple[np.ndarray, np.ndarray]) -> None:
    _, keypoints = faces
    points = keypoints.reshape(-1, 15, 2)
    assert points.min() >= 0.0 and points.max() <= 95.0

    def x(name: str) -> np.ndarray:
        return points[:, keypoint_index(name), 0]

    def y(name: str) -> np.ndarray:
        return points[:, keypoint_index(name), 1]

    # "left" is the subject's left: the image's right-hand side
    assert (x("left_eye_center") > x("right_eye_center") + 20).all()
    assert (x("left_eye_outer_corner") > x("left_eye_inner_corner")).all()
    assert (x("right_eye_inner_corner") > x("right_eye_outer_corner")).all()
    assert (x("mouth_left_corner") > x("mouth_right_corner")).all()
    assert (y("nose_tip") > y("left_eye_center")).mean() > 0.95
    assert (y("mouth_center_bottom_lip") > y("mouth_center_top_lip")).all()
    assert (y("left_eyebrow_inner_end") < y("left_eye_center")).mean() > 0.95


def test_iris_is_darker_than_the_eye_white_beside_it(
    faces: tuple[np.ndarray, np.ndarray],
) -> None:
    images, keypoints = faces
    points = keypoints.reshape(-1, 15, 2)
    darker = []
    for image, face in zip(images.astype(float), points, strict=True):
        for eye in ("left", "right"):
            centre = face[keypoint_index(f"{eye}_eye_center")]
            white = [
                0.2 * centre + 0.8 * face[keypoint_index(f"{eye}_eye_{end}_corner")]
                for end in ("inner", "outer")
            ]
            darker.append(_patch(image, centre) < min(_patch(image, p) for p in white))
    assert np.mean(darker) > 0.9


def _patch(image: np.ndarray, point: np.ndarray) -> float:
    """Mean of the 3x3 pixels around ``point`` (x, y)."""
    col, row = (int(round(v)) for v in point)
    return float(image[max(row - 1, 0) : row + 2, max(col - 1, 0) : col + 2].mean())


# --------------------------------------------------------------------------- safety


def test_an_existing_stand_in_is_replaced_and_other_files_kept(tmp_path: Path) -> None:
    out = tmp_path / "data"
    write_dataset(out, n_train=4, n_test=2, seed=1, progress=False)
    (out / "notes.txt").write_text("mine")
    write_dataset(out, n_train=5, n_test=2, seed=2, progress=False)
    assert json.loads((out / "standin.json").read_text())["seed"] == 2
    assert len(_lines(out / "training.csv")) == 6
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_kaggles_data_is_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "kaggle"
    out.mkdir()
    (out / "training.csv").write_text("Kaggle's\n")
    with pytest.raises(ValueError, match="refusing to overwrite"):
        write_dataset(out, n_train=3, n_test=1, progress=False)
    assert (out / "training.csv").read_text() == "Kaggle's\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kaggle"]


def test_a_failed_run_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(synthetic, "_write_lookup_files", fail)
    with pytest.raises(OSError, match="disk full"):
        write_dataset(tmp_path / "data", n_train=3, n_test=1, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_parent_folders_are_created(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "data"
    write_dataset(out, n_train=2, n_test=1, progress=False)
    assert (out / "standin.json").is_file()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_train": 0}, "n_train must be >= 1"),
        ({"n_test": 0}, "n_test must be >= 1"),
        ({"seed": -1}, "seed must be >= 0"),
        ({"n_train": 2.5}, "n_train must be a whole number"),
        ({"n_train": True}, "n_train must be a whole number"),
        ({"workers": 0}, "workers must be >= 1"),
    ],
)
def test_bad_arguments_raise_clear_errors(
    tmp_path: Path, kwargs: dict, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        write_dataset(tmp_path / "data", **kwargs)
    assert not (tmp_path / "data").exists()


def test_a_file_in_the_way_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("")
    with pytest.raises(ValueError, match="not a folder"):
        write_dataset(tmp_path / "data", n_train=2, n_test=1)


# --------------------------------------------------------------------------- progress


def test_write_dataset_is_silent_without_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_dataset(tmp_path / "data", n_train=3, n_test=2, progress=False)
    assert capsys.readouterr() == ("", "")


def test_forced_progress_bar_draws_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_dataset(tmp_path / "data", n_train=3, n_test=2, progress=True)
    err = capsys.readouterr().err
    assert err.startswith("\rstand-in [")
    assert "100%  5/5" in err and err.endswith("s\n")


def test_progress_bar_is_off_for_a_non_terminal_stream() -> None:
    stream = io.StringIO()
    with ProgressBar(10, "x", stream=stream) as bar:
        bar.update(10)
    assert stream.getvalue() == ""


def test_progress_bar_renders_counts() -> None:
    stream = io.StringIO()
    with ProgressBar(4, "faces", enabled=True, stream=stream) as bar:
        bar.update(1)
        assert (
            bar.render(0.5) == "faces [########----------------------]  25%  1/4  0.5s"
        )
        bar.update(10)  # clamped to the total
    assert bar.done == 4
    assert stream.getvalue().count("\n") == 1 and "100%  4/4" in stream.getvalue()


def test_importing_the_generator_stays_light() -> None:
    code = (
        "import sys, fkp_helpers.standin.dataset, fkp_helpers.standin.progress, "
        "fkp_helpers.standin.faces; "
        "heavy = {'tensorflow', 'matplotlib', 'pandas'} & set(sys.modules); "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
