"""find_data: the order of sources, the one-line report, archives, and errors."""

import json
import zipfile
from pathlib import Path

import pytest

from fkp_helpers.data import sources
from fkp_helpers.errors import DataError


def make_kaggle_folder(folder: Path, *, standin: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "training.csv").write_text("header\n")
    if standin:
        (folder / sources.STANDIN_MARKER).write_text(
            json.dumps({"seed": 3, "n_train": 10, "n_test": 2})
        )
    return folder


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Run each test in an empty folder with no FKP_DATA_DIR and a private cache."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FKP_DATA_DIR", raising=False)
    monkeypatch.setenv("FKP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "no-kaggle"))
    monkeypatch.delenv("KAGGLE_USERNAME", raising=False)
    monkeypatch.delenv("KAGGLE_KEY", raising=False)


def test_explicit_folder_wins_over_everything(tmp_path, monkeypatch, capsys):
    mine = make_kaggle_folder(tmp_path / "mine")
    monkeypatch.setenv("FKP_DATA_DIR", str(make_kaggle_folder(tmp_path / "env")))
    make_kaggle_folder(tmp_path / "data")
    source = sources.find_data(mine)
    assert (
        source.path == mine
        and source.kind == "kaggle"
        and source.origin == "folder given"
    )
    out = capsys.readouterr().out
    assert (
        out.count("\n") == 1 and out.startswith("Data: Kaggle's") and str(mine) in out
    )


def test_env_var_before_local_data(tmp_path, monkeypatch):
    env = make_kaggle_folder(tmp_path / "env")
    make_kaggle_folder(tmp_path / "data")
    monkeypatch.setenv("FKP_DATA_DIR", str(env))
    assert sources.find_data(verbose=False).path == env


def test_local_data_folder(tmp_path):
    make_kaggle_folder(tmp_path / "data")
    source = sources.find_data(verbose=False)
    assert source.path == Path("data") and source.origin == "found in data"


def test_parent_data_folder_for_notebooks(tmp_path, monkeypatch):
    make_kaggle_folder(tmp_path / "data")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert sources.find_data(verbose=False).path == Path("../data")


def test_standin_marker_sets_kind_and_report(tmp_path, capsys):
    folder = make_kaggle_folder(tmp_path / "s", standin=True)
    source = sources.find_data(folder)
    assert source.kind == "stand-in"
    assert "stand-in (seed 3, 10 training / 2 test images)" in capsys.readouterr().out


def test_falls_back_to_generated_standin_once(tmp_path, monkeypatch, capsys):
    calls = []

    def fake_write_dataset(folder, *, n_train, n_test, seed):
        calls.append((n_train, n_test, seed))
        make_kaggle_folder(Path(folder), standin=True)

    monkeypatch.setattr(sources, "write_dataset", fake_write_dataset)
    first = sources.find_data(standin_size=(10, 2), standin_seed=3)
    second = sources.find_data(standin_size=(10, 2), standin_seed=3)
    assert calls == [(10, 2, 3)]
    assert first.path == second.path and first.path.is_relative_to(tmp_path / "cache")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == lines[1] and "stand-in" in lines[0]


def test_download_needs_credentials(tmp_path, monkeypatch):
    """Without credentials, download=True quietly falls back to the stand-in (kaggle
    never imported)."""
    monkeypatch.setattr(
        sources, "download_competition", lambda folder: pytest.fail("must not download")
    )
    monkeypatch.setattr(sources, "_standin", lambda seed, size: "stand-in")
    assert not sources.kaggle_credentials_present()
    assert sources._locate(None, download=True, seed=0, size=None) == "stand-in"


def test_download_with_credentials_and_cli(tmp_path, monkeypatch):
    (tmp_path / "no-kaggle").mkdir()
    (tmp_path / "no-kaggle" / "kaggle.json").write_text("{}")
    monkeypatch.setattr(sources.shutil, "which", lambda name: "/usr/bin/kaggle")
    monkeypatch.setattr(
        sources, "download_competition", lambda folder: make_kaggle_folder(folder)
    )
    source = sources.find_data(download=True, verbose=False)
    assert source.origin == "downloaded from Kaggle" and source.kind == "kaggle"


def test_unpacks_kaggle_archives(tmp_path):
    folder = tmp_path / "k"
    folder.mkdir()
    inner = tmp_path / "training.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("training.csv", "a,b\n")
    with zipfile.ZipFile(folder / "facial-keypoints-detection.zip", "w") as zf:
        zf.write(inner, "training.zip")
        zf.writestr("IdLookupTable.csv", "RowId,ImageId,FeatureName,Location\n")
    source = sources.find_data(folder, verbose=False)
    assert (source.path / "training.csv").read_text() == "a,b\n"
    assert (folder / "IdLookupTable.csv").is_file()
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_bad_zip_is_a_clear_error(tmp_path):
    folder = tmp_path / "k"
    folder.mkdir()
    (folder / "training.zip").write_bytes(b"not a zip")
    with pytest.raises(DataError, match=r"training.zip: not a readable zip archive"):
        sources.find_data(folder)


def test_a_zip_whose_data_is_damaged_is_a_clear_error_and_unpacks_nothing(tmp_path):
    folder = tmp_path / "k"
    folder.mkdir()
    archive = folder / "training.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("training.csv", "a,b\n" * 10_000)
    data = bytearray(archive.read_bytes())
    data[100:120] = (
        b"\xff" * 20
    )  # inside the compressed member: a zlib error or a bad CRC
    archive.write_bytes(bytes(data))
    with pytest.raises(
        DataError,
        match=r"training.zip: not a readable zip archive .*; download it again",
    ):
        sources.find_data(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["training.zip"]


def test_a_zip_without_its_csv_file_is_a_clear_error(tmp_path):
    folder = tmp_path / "k"
    folder.mkdir()
    with zipfile.ZipFile(folder / "test.zip", "w") as zf:
        zf.writestr("readme.txt", "no CSV here")
    with pytest.raises(
        DataError, match=r"test.zip: holds no test.csv; download it again"
    ):
        sources.find_data(folder, needs=sources.TEST_FILES)


def test_predicting_needs_only_the_test_set(tmp_path):
    folder = tmp_path / "test-only"
    folder.mkdir()
    for name in sources.TEST_FILES:
        (folder / name).write_text("header\n")
    assert (
        sources.find_data(folder, needs=sources.TEST_FILES, verbose=False).path
        == folder
    )
    with pytest.raises(DataError, match="no training.csv in this folder"):
        sources.find_data(folder)
    (folder / "IdLookupTable.csv").unlink()
    with pytest.raises(DataError, match="no IdLookupTable.csv in this folder"):
        sources.find_data(folder, needs=sources.TEST_FILES)


def test_a_local_data_folder_with_only_the_test_set_serves_prediction(tmp_path):
    local = tmp_path / "data"
    local.mkdir()
    for name in sources.TEST_FILES:
        (local / name).write_text("header\n")
    assert (
        sources.find_data(needs=sources.TEST_FILES, verbose=False).origin
        == "found in data"
    )


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (
            lambda p: None,
            "folder not found; get Kaggle's data with `kaggle competitions download",
        ),
        (lambda p: p.write_text("x"), "expected a folder"),
        (lambda p: p.mkdir(), "no training.csv in this folder"),
    ],
)
def test_named_folder_problems(tmp_path, setup, message):
    target = tmp_path / "target"
    setup(target)
    with pytest.raises(DataError, match=message) as info:
        sources.find_data(target)
    assert "\n" not in str(info.value) and str(target) in str(info.value)
    assert "fkp synth --out" in str(info.value) or "expected a folder" in message


def test_failed_download_says_how_to_fix(tmp_path, monkeypatch):
    class Result:
        returncode = 1
        stdout = ""
        stderr = "403 - Forbidden"

    monkeypatch.setattr(sources.subprocess, "run", lambda *a, **k: Result())
    with pytest.raises(DataError, match=r"403 - Forbidden\); accept the rules at"):
        sources.download_competition(tmp_path / "d")
