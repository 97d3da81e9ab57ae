"""``fkp train``, ``fkp predict`` and ``fkp score``: a full run on a tiny stand-in, and every way to fail (exit 2)."""

from __future__ import annotations

import json
import shutil

import pytest

from fkp_helpers import training
from fkp_helpers.cli import main
from fkp_helpers.synthetic import write_dataset


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    """A stand-in with 40 training rows and 6 test images, in Kaggle's format."""
    folder = tmp_path_factory.mktemp("standin") / "data"
    write_dataset(folder, n_train=40, n_test=6, seed=1, progress=False, workers=1)
    return folder


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FKP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FKP_DATA_DIR", raising=False)


def test_train_predict_score_on_a_tiny_standin(tmp_path, standin, capsys):
    run_dir, submission = tmp_path / "run", tmp_path / "submission.csv"
    argv = ["train", "--data", str(standin), "--model", "mlp", "--out", str(run_dir), "--epochs", "2",
            "--valid-rows", "8", "--batch-size", "16", "--float32", "--verbose", "0"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Training on" in out and "mlp: valid RMSE" in out and str(run_dir) in out
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["epochs_run"] == 2 and metrics["train_rows"] == 32 and metrics["precision"] == "float32"

    assert main(["train", "--data", str(standin), "--out", str(run_dir), "--epochs", "3", "--resume",
                 "--verbose", "0"]) == 0
    assert json.loads((run_dir / "metrics.json").read_text())["epochs_run"] == 3
    capsys.readouterr()

    assert main(["predict", "--data", str(standin), "--model", str(run_dir), "--out", str(submission)]) == 0
    assert "Wrote" in capsys.readouterr().out
    lines = submission.read_text().splitlines()
    assert lines[0] == "RowId,Location" and len(lines) > 1
    assert all(0.0 <= float(line.split(",")[1]) <= 96.0 for line in lines[1:])

    assert main(["score", "--submission", str(submission), "--solution", str(standin / "solution.csv")]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("RMSE: ") and printed.rstrip().endswith(" px")
    assert 0 < float(printed.split()[1]) < 96


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--model", "resnet", "--out", "run"],
        ["train", "--model", "mlp", "--out", "run", "--epochs", "0"],
        ["train", "--model", "mlp", "--out", "run", "--valid-rows", "5", "--valid-fraction", "0.2"],
        ["train", "--model", "mlp", "--out", "run", "--valid-fraction", "1.5"],
        ["train", "--model", "mlp"],
        ["predict", "--model", "run"],
        ["score", "--submission", "a.csv"],
    ],
)
def test_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_a_missing_model_name_or_a_changed_setting_on_resume_fails_in_one_line(tmp_path, standin, fkp_fails):
    fkp_fails(["train", "--data", str(standin), "--out", str(tmp_path / "run")], "--model is required")
    fkp_fails(["train", "--data", str(standin), "--out", str(tmp_path / "run"), "--resume", "--seed", "3"],
              "only --epochs and --patience may change, not --seed")
    fkp_fails(["train", "--data", str(standin), "--out", str(tmp_path / "run"), "--resume"], "run.json: missing")
    (tmp_path / "file").write_text("")
    fkp_fails(["train", "--data", str(standin), "--model", "mlp", "--out", str(tmp_path / "file")],
              "not a folder")


def test_predict_needs_a_run_folder_a_readable_model_and_a_test_set(tmp_path, standin, fkp_fails):
    out = str(tmp_path / "submission.csv")
    fkp_fails(["predict", "--data", str(standin), "--model", str(tmp_path / "nothing"), "--out", out],
              "no such run folder")

    run_dir = tmp_path / "run"
    assert main(["train", "--data", str(standin), "--model", "mlp", "--out", str(run_dir), "--epochs", "1",
                 "--valid-rows", "8", "--verbose", "0"]) == 0
    no_test = tmp_path / "no-test"
    no_test.mkdir()
    shutil.copy(standin / "training.csv", no_test / "training.csv")
    fkp_fails(["predict", "--data", str(no_test), "--model", str(run_dir), "--out", out], "test.csv: missing")

    (run_dir / "model.keras").write_bytes(b"PK\x03\x04 broken")
    fkp_fails(["predict", "--data", str(standin), "--model", str(run_dir), "--out", out],
              "model.keras: not a readable mlp model")
    assert not (tmp_path / "submission.csv").exists()


def test_score_names_a_missing_file(tmp_path, standin, fkp_fails):
    fkp_fails(["score", "--submission", str(tmp_path / "none.csv"), "--solution", str(standin / "solution.csv")],
              "none.csv: file not found")


def test_ctrl_c_during_training_says_how_to_resume(tmp_path, standin, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise training.TrainingInterrupted("training interrupted; the best model so far is intact in run/model.keras")

    monkeypatch.setattr(training, "train", interrupted)
    argv = ["train", "--data", str(standin), "--model", "mlp", "--out", str(tmp_path / "run"), "--verbose", "0"]
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert "intact in run/model.keras" in err and f"fkp train --data {standin} --out {tmp_path / 'run'} --resume" in err
