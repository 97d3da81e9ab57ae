"""`fkp synth` and `fkp data info`: output and exit codes."""

import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from fkp_helpers.cli.main import main


def run_fkp(*args: str) -> subprocess.CompletedProcess:
    """`python -m fkp_helpers ARGS` in a fresh process, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "fkp_helpers", *args], capture_output=True, text=True
    )


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
    "renamed column": (
        "training.csv",
        lambda b: b.replace(b"nose_tip_x", b"nose_x", 1),
        "nose_x",
    ),
    "pixel too large": (
        "training.csv",
        lambda b: b.replace(b" 12 ", b" 256 ", 1),
        "line",
    ),
    "truncated": ("training.csv", lambda b: b[: len(b) // 2], "line"),
    "garbage": ("test.csv", lambda b: b"\x00\xff\xfe" * 100, "test.csv"),
    "lookup names unknown image": (
        "IdLookupTable.csv",
        lambda b: b.replace(b"\n1,1,", b"\n1,99,", 1),
        "IdLookupTable.csv, line 2",
    ),
    "sample submission rowid": (
        "SampleSubmission.csv",
        lambda b: b.replace(b"\n2,", b"\n999,", 1),
        "SampleSubmission.csv, line 3",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_EDITS))
def test_data_info_bad_input_is_one_line_exit_2(
    kaggle_tiny_dir, tmp_path, capsys, case
):
    name, edit, expected = BAD_EDITS[case]
    folder = bad_copy(kaggle_tiny_dir, tmp_path / "bad", name, edit)
    assert main(["data", "info", "--data", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fkp: error: ") and err.count("\n") == 1, err
    assert expected in err and "Traceback" not in err


def test_data_info_missing_folder_says_how_to_get_data(tmp_path):
    result = run_fkp("data", "info", "--data", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert (
        result.stderr.count("\n") == 1
        and "kaggle competitions download" in result.stderr
    )
    assert "fkp synth --out" in result.stderr


def test_bad_arguments_exit_2(tmp_path):
    assert run_fkp("synth", "--out", str(tmp_path), "--n-train", "0").returncode == 2
    assert run_fkp("no-such-command").returncode == 2


def test_synth_writes_a_valid_folder(tmp_path, capsys):
    out = tmp_path / "standin"
    assert (
        main(
            [
                "synth",
                "--out",
                str(out),
                "--n-train",
                "12",
                "--n-test",
                "4",
                "--seed",
                "1",
            ]
        )
        == 0
    )
    assert (
        "Wrote the stand-in (12 training / 4 test images, seed 1)"
        in capsys.readouterr().out
    )
    assert main(["data", "info", "--data", str(out)]) == 0
    report = capsys.readouterr().out
    assert "generated stand-in, all files valid" in report
    assert "solution.csv: " in report and "training.csv: 12 rows" in report


def test_synth_refuses_a_file_as_output(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["synth", "--out", str(target), "--n-train", "2", "--n-test", "1"]) == 2
    assert "not a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    "name",
    [
        "solution.csv",
        "training.csv",
        "test.csv",
        "IdLookupTable.csv",
        "SampleSubmission.csv",
    ],
)
def test_synth_refuses_a_folder_holding_any_file_it_writes_without_the_marker(
    tmp_path, fkp_fails, name
):
    out = tmp_path / "mine"
    out.mkdir()
    (out / name).write_text("the user's own\n")
    fkp_fails(
        ["synth", "--out", str(out), "--n-train", "2", "--n-test", "1"],
        f"holds {name} but no standin.json, so not a stand-in",
    )
    assert [p.name for p in out.iterdir()] == [name] and (
        out / name
    ).read_text() == "the user's own\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_synth_and_train_refuse_a_negative_or_huge_seed_in_one_error_line(tmp_path):
    for argv in (
        ["synth", "--out", str(tmp_path / "d"), "--seed", "-1"],
        ["train", "--model", "mlp", "--out", str(tmp_path / "run"), "--seed", "-1"],
        ["synth", "--out", str(tmp_path / "d"), "--seed", str(2**32)],
    ):
        result = run_fkp(*argv)
        assert result.returncode == 2 and "Traceback" not in result.stderr, (
            result.stderr
        )
        assert result.stderr.splitlines()[-1].endswith(
            "error: argument --seed: expected a seed from 0 to 4294967295, got "
            f"{argv[-1]}"
        )
    assert not (tmp_path / "d").exists() and not (tmp_path / "run").exists()


def test_data_info_names_the_files_a_folder_lacks(kaggle_tiny_dir, tmp_path, capsys):
    folder = tmp_path / "test-only"
    folder.mkdir()
    for name in ("test.csv", "IdLookupTable.csv"):
        shutil.copy(kaggle_tiny_dir / name, folder / name)
    assert main(["data", "info", "--data", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        f"{folder}: Kaggle's files, the files present are valid; "
        "missing: training.csv, SampleSubmission.csv\n"
    )
    assert "all files valid" not in out and "test.csv: 3 images" in out


def kaggle_zips(src: Path, folder: Path) -> Path:
    """``folder`` as Kaggle's download unpacks to: training.zip and test.zip beside the
    two small CSVs."""
    folder.mkdir()
    for name in ("training", "test"):
        with zipfile.ZipFile(folder / f"{name}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(src / f"{name}.csv", f"{name}.csv")
    for name in ("IdLookupTable.csv", "SampleSubmission.csv"):
        shutil.copy(src / name, folder / name)
    return folder


def test_data_info_checks_what_kaggles_zips_hold(kaggle_tiny_dir, tmp_path, capsys):
    folder = kaggle_zips(kaggle_tiny_dir, tmp_path / "zips")
    assert main(["data", "info", "--data", str(folder)]) == 0
    out = capsys.readouterr().out
    assert (
        "all files valid" in out
        and "training.csv: 6 rows" in out
        and "test.csv: 3 images" in out
    )
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[: len(b) // 2], "training.zip: not a readable zip archive"),
        (
            lambda b: b.replace(b"training.csv", b"training.txt"),
            "training.zip: holds no training.csv",
        ),
    ],
)
def test_data_info_refuses_a_truncated_or_wrong_zip_in_one_line(
    kaggle_tiny_dir, tmp_path, fkp_fails, damage, message
):
    folder = kaggle_zips(kaggle_tiny_dir, tmp_path / "zips")
    archive = folder / "training.zip"
    archive.write_bytes(damage(archive.read_bytes()))
    fkp_fails(["data", "info", "--data", str(folder)], message)
    assert not (folder / "training.csv").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_sigterm_during_synth_cleans_up_prints_one_line_and_exits_143(tmp_path):
    """143 = 128 + SIGTERM (15): what a shell reports for a process that SIGTERM ended,
    unlike Ctrl-C's 130."""
    out = tmp_path / "data"
    command = [
        sys.executable,
        "-m",
        "fkp_helpers",
        "synth",
        "--out",
        str(out),
        "--n-train",
        "400",
        "--n-test",
        "100",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while not any(
        p.name.endswith(".tmp") for p in tmp_path.iterdir()
    ):  # the build folder: rendering began
        assert process.poll() is None and time.monotonic() < deadline, (
            "synth ended before it could be stopped"
        )
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert stderr == "fkp: terminated (SIGTERM)\n" and stdout == ""
    assert list(tmp_path.iterdir()) == []
