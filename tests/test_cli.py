"""`fkp synth` and `fkp data info`: output and exit codes."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fkp_helpers.cli import main


def run_fkp(*args: str) -> subprocess.CompletedProcess:
    """`python -m fkp_helpers ARGS` in a fresh process, as a user would run it."""
    return subprocess.run([sys.executable, "-m", "fkp_helpers", *args], capture_output=True, text=True)


def test_data_info_on_valid_folder(kaggle_tiny_dir, capsys):
    assert main(["data", "info", "--data", str(kaggle_tiny_dir)]) == 0
    out = capsys.readouterr().out
    assert "all files valid" in out
    assert "training.csv: 6 rows, 2 with all 15 keypoints" in out
    assert "test.csv: 3 images" in out
    assert "IdLookupTable.csv: 46 rows" in out
    assert "SampleSubmission.csv: 46 rows, RowIds match IdLookupTable.csv" in out


def bad_copy(src: Path, dst: Path, name: str, edit) -> Path:
    shutil.copytree(src, dst)
    path = dst / name
    path.write_bytes(edit(path.read_bytes()))
    return dst


BAD_EDITS = {
    "empty training": ("training.csv", lambda b: b"", "training.csv: empty file"),
    "renamed column": ("training.csv", lambda b: b.replace(b"nose_tip_x", b"nose_x", 1), "nose_x"),
    "pixel too large": ("training.csv", lambda b: b.replace(b" 12 ", b" 256 ", 1), "line"),
    "truncated": ("training.csv", lambda b: b[: len(b) // 2], "line"),
    "garbage": ("test.csv", lambda b: b"\x00\xff\xfe" * 100, "test.csv"),
    "lookup names unknown image": (
        "IdLookupTable.csv", lambda b: b.replace(b"\n1,1,", b"\n1,99,", 1), "IdLookupTable.csv, line 2",
    ),
    "sample submission rowid": (
        "SampleSubmission.csv", lambda b: b.replace(b"\n2,", b"\n999,", 1), "SampleSubmission.csv, line 3",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_EDITS))
def test_data_info_bad_input_is_one_line_exit_2(kaggle_tiny_dir, tmp_path, capsys, case):
    name, edit, expected = BAD_EDITS[case]
    folder = bad_copy(kaggle_tiny_dir, tmp_path / "bad", name, edit)
    assert main(["data", "info", "--data", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fkp: error: ") and err.count("\n") == 1, err
    assert expected in err and "Traceback" not in err


def test_data_info_missing_folder_says_how_to_get_data(tmp_path):
    result = run_fkp("data", "info", "--data", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "kaggle competitions download" in result.stderr
    assert "fkp synth --out" in result.stderr


def test_bad_arguments_exit_2(tmp_path):
    assert run_fkp("synth", "--out", str(tmp_path), "--n-train", "0").returncode == 2
    assert run_fkp("no-such-command").returncode == 2


def test_synth_writes_a_valid_folder(tmp_path, capsys):
    out = tmp_path / "standin"
    assert main(["synth", "--out", str(out), "--n-train", "12", "--n-test", "4", "--seed", "1"]) == 0
    assert "Wrote the stand-in (12 training / 4 test images, seed 1)" in capsys.readouterr().out
    assert main(["data", "info", "--data", str(out)]) == 0
    report = capsys.readouterr().out
    assert "generated stand-in, all files valid" in report
    assert "solution.csv: " in report and "training.csv: 12 rows" in report


def test_synth_refuses_a_file_as_output(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["synth", "--out", str(target), "--n-train", "2", "--n-test", "1"]) == 2
    assert "not a folder" in capsys.readouterr().err
