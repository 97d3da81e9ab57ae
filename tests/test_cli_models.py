"""``fkp train``, ``fkp predict`` and ``fkp score``: a full run on a tiny stand-in, and
every way to fail (exit 2)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
from pathlib import Path

import pytest

from fkp_helpers.cli.main import main
from fkp_helpers.nn import training
from fkp_helpers.standin.dataset import write_dataset


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    """A stand-in with 40 training rows and 6 test images, in Kaggle's format."""
    folder = tmp_path_factory.mktemp("standin") / "data"
    write_dataset(folder, n_train=40, n_test=6, seed=1, progress=False, workers=1)
    return folder


def train_argv(
    standin: Path, out: Path, *options: str, model: str | None = "mlp"
) -> list[str]:
    """``fkp train`` on the tiny stand-in: ``--data``, ``--model`` (``None``: none,
    as on ``--resume``), ``--out``, then ``options``."""
    model_option = ["--model", model] if model else []
    return ["train", "--data", str(standin), *model_option, "--out", str(out), *options]


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FKP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FKP_DATA_DIR", raising=False)


def test_train_predict_score_on_a_tiny_standin(tmp_path, standin, capsys):
    run_dir, submission = tmp_path / "run", tmp_path / "submission.csv"
    argv = train_argv(
        standin,
        run_dir,
        "--epochs",
        "2",
        "--valid-rows",
        "8",
        "--batch-size",
        "16",
        "--float32",
        "--verbose",
        "0",
    )
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Training on" in out and "mlp: valid RMSE" in out and str(run_dir) in out
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert (
        metrics["epochs_run"] == 2
        and metrics["train_rows"] == 32
        and metrics["precision"] == "float32"
    )

    assert (
        main(
            train_argv(
                standin,
                run_dir,
                "--epochs",
                "3",
                "--resume",
                "--verbose",
                "0",
                model=None,
            )
        )
        == 0
    )
    assert json.loads((run_dir / "metrics.json").read_text())["epochs_run"] == 3
    capsys.readouterr()

    assert (
        main(
            [
                "predict",
                "--data",
                str(standin),
                "--model",
                str(run_dir),
                "--out",
                str(submission),
            ]
        )
        == 0
    )
    assert "Wrote" in capsys.readouterr().out
    lines = submission.read_text().splitlines()
    assert lines[0] == "RowId,Location" and len(lines) > 1
    assert all(0.0 <= float(line.split(",")[1]) <= 96.0 for line in lines[1:])

    assert (
        main(
            [
                "score",
                "--submission",
                str(submission),
                "--solution",
                str(standin / "solution.csv"),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert printed.startswith("RMSE: ") and printed.rstrip().endswith(" px")
    assert 0 < float(printed.split()[1]) < 96


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--model", "resnet", "--out", "run"],
        ["train", "--model", "mlp", "--out", "run", "--epochs", "0"],
        [
            "train",
            "--model",
            "mlp",
            "--out",
            "run",
            "--valid-rows",
            "5",
            "--valid-fraction",
            "0.2",
        ],
        ["train", "--model", "mlp", "--out", "run", "--valid-fraction", "1.5"],
        ["train", "--model", "mlp"],
        ["train", "--model", "mlp", "--out", "run", "--seed", "-1"],
        ["predict", "--model", "run"],
        ["score", "--submission", "a.csv"],
    ],
)
def test_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_a_missing_model_name_or_a_changed_setting_on_resume_fails_in_one_line(
    tmp_path, standin, fkp_fails
):
    fkp_fails(
        ["train", "--data", str(standin), "--out", str(tmp_path / "run")],
        "--model is required",
    )
    fkp_fails(
        train_argv(standin, tmp_path / "run", "--resume", "--seed", "3", model=None),
        "only --epochs and --patience may change, not --seed",
    )
    fkp_fails(
        ["train", "--data", str(standin), "--out", str(tmp_path / "run"), "--resume"],
        "run.json: missing",
    )
    (tmp_path / "file").write_text("")
    fkp_fails(
        train_argv(standin, tmp_path / "file"),
        "not a folder",
    )


def test_predict_needs_a_run_folder_a_readable_model_and_a_test_set(
    tmp_path, standin, fkp_fails
):
    out = str(tmp_path / "submission.csv")
    fkp_fails(
        [
            "predict",
            "--data",
            str(standin),
            "--model",
            str(tmp_path / "nothing"),
            "--out",
            out,
        ],
        "no such run folder",
    )

    run_dir = tmp_path / "run"
    assert (
        main(
            train_argv(
                standin, run_dir, "--epochs", "1", "--valid-rows", "8", "--verbose", "0"
            )
        )
        == 0
    )
    no_test = tmp_path / "no-test"
    no_test.mkdir()
    shutil.copy(standin / "training.csv", no_test / "training.csv")
    fkp_fails(
        ["predict", "--data", str(no_test), "--model", str(run_dir), "--out", out],
        "no-test: no test.csv or IdLookupTable.csv in this folder",
    )

    (run_dir / "model.keras").write_bytes(b"PK\x03\x04 broken")
    fkp_fails(
        ["predict", "--data", str(standin), "--model", str(run_dir), "--out", out],
        "model.keras: truncated or corrupt",
    )
    assert not (tmp_path / "submission.csv").exists()


def test_score_names_a_missing_file(tmp_path, standin, fkp_fails):
    fkp_fails(
        [
            "score",
            "--submission",
            str(tmp_path / "none.csv"),
            "--solution",
            str(standin / "solution.csv"),
        ],
        "none.csv: file not found",
    )


def test_ctrl_c_during_training_says_how_to_resume(
    tmp_path, standin, capsys, monkeypatch
):
    def interrupted(images, keypoints, run_dir, *args, **kwargs):
        run_dir.mkdir()
        (run_dir / "model.keras").write_bytes(b"the best so far")
        raise training.TrainingInterrupted(
            "training interrupted; the best model so far is intact in run/model.keras"
        )

    monkeypatch.setattr(training, "train", interrupted)
    argv = train_argv(standin, tmp_path / "run", "--verbose", "0")
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert (
        "intact in run/model.keras" in err
        and f"fkp train --data {standin} --out {tmp_path / 'run'} --resume" in err
    )


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, standin):
    """An ``mlp`` run folder after one epoch on the tiny stand-in (read-only: copy it to
    change it)."""
    folder = tmp_path_factory.mktemp("trained") / "run"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FKP_CACHE_DIR", str(folder.parent / "cache"))
        assert (
            main(
                train_argv(
                    standin,
                    folder,
                    "--epochs",
                    "1",
                    "--valid-rows",
                    "8",
                    "--verbose",
                    "0",
                )
            )
            == 0
        )
    return folder


def hidden_files(folder):
    """Temporary files and folders (hidden names) left in ``folder``."""
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    "name",
    [
        "solution.csv",
        "test.csv",
        "IdLookupTable.csv",
        "training.csv",
        "SampleSubmission.csv",
        "standin.json",
    ],
)
def test_predict_refuses_to_overwrite_a_file_of_the_data(
    tmp_path, standin, run_dir, fkp_fails, name
):
    before = (standin / name).read_bytes()
    fkp_fails(
        [
            "predict",
            "--data",
            str(standin),
            "--model",
            str(run_dir),
            "--out",
            str(standin / name),
        ],
        f"that is the data's {name}; refusing to overwrite it",
    )
    fkp_fails(
        [
            "predict",
            "--data",
            str(standin),
            "--model",
            str(run_dir),
            "--out",
            str(standin / ".." / standin.name / name),
        ],
        "refusing to overwrite",
    )
    assert (standin / name).read_bytes() == before and not hidden_files(standin)


def test_predict_refuses_to_overwrite_the_runs_model(
    tmp_path, standin, run_dir, fkp_fails
):
    fkp_fails(
        [
            "predict",
            "--data",
            str(standin),
            "--model",
            str(run_dir),
            "--out",
            str(run_dir / "model.keras"),
        ],
        "that is the run's model.keras",
    )


def test_predict_to_a_folder_names_that_folder(tmp_path, standin, run_dir, fkp_fails):
    err = fkp_fails(
        [
            "predict",
            "--data",
            str(standin),
            "--model",
            str(run_dir),
            "--out",
            str(tmp_path),
        ],
        f"{tmp_path}: a folder; name the submission file to write",
    )
    assert ".tmp" not in err and not hidden_files(tmp_path)


def test_predict_needs_only_the_test_set_and_a_new_submission_gets_a_new_files_mode(
    tmp_path, standin, run_dir, capsys
):
    folder = tmp_path / "test-only"
    folder.mkdir()
    for name in ("test.csv", "IdLookupTable.csv"):
        shutil.copy(standin / name, folder / name)
    submission = tmp_path / "submission.csv"
    submission.write_text("old\n")
    submission.chmod(0o600)
    previous = os.umask(0o022)
    try:
        assert (
            main(
                [
                    "predict",
                    "--data",
                    str(folder),
                    "--model",
                    str(run_dir),
                    "--out",
                    str(submission),
                ]
            )
            == 0
        )
    finally:
        os.umask(previous)
    assert "Wrote 92 predictions for 6 test images" in capsys.readouterr().out
    assert stat.S_IMODE(submission.stat().st_mode) == 0o644
    assert not hidden_files(tmp_path) and not hidden_files(folder)


def test_predict_names_a_model_file_given_for_the_run_folder(
    tmp_path, standin, run_dir, fkp_fails
):
    fkp_fails(
        [
            "predict",
            "--data",
            str(standin),
            "--model",
            str(run_dir / "model.keras"),
            "--out",
            str(tmp_path / "s.csv"),
        ],
        "model.keras: a file; name the run folder from `fkp train`",
    )


@pytest.fixture
def foreign_run(tmp_path, run_dir):
    """A copy of ``run_dir`` whose model.keras holds another program's network (here: an
    untrained cnn)."""
    from fkp_helpers.nn.models import get_spec

    folder = tmp_path / "foreign"
    shutil.copytree(run_dir, folder)
    training.save_model_atomically(
        get_spec("cnn").build("float32"), folder / "model.keras"
    )
    return folder


def test_a_foreign_model_is_one_error_line_without_keras_warnings(
    tmp_path, standin, foreign_run, fkp_fails
):
    message = "model.keras: holds another network than the mlp that run.json names"
    fkp_fails(
        [
            "predict",
            "--data",
            str(standin),
            "--model",
            str(foreign_run),
            "--out",
            str(tmp_path / "s.csv"),
        ],
        message,
    )
    fkp_fails(
        train_argv(
            standin,
            foreign_run,
            "--epochs",
            "3",
            "--resume",
            "--verbose",
            "0",
            model=None,
        ),
        message,
    )
    assert not (tmp_path / "s.csv").exists()


def test_a_truncated_checkpoint_says_so_and_how_to_fix_it(
    tmp_path, standin, run_dir, fkp_fails
):
    folder = tmp_path / "truncated"
    shutil.copytree(run_dir, folder)
    checkpoint = folder / "model.keras"
    checkpoint.write_bytes(checkpoint.read_bytes()[:100_000])
    message = (
        f"{checkpoint}: truncated or corrupt (not a complete .keras file); "
        "copy an intact one"
    )
    fkp_fails(
        [
            "predict",
            "--data",
            str(standin),
            "--model",
            str(folder),
            "--out",
            str(tmp_path / "s.csv"),
        ],
        message,
    )
    err = fkp_fails(
        train_argv(
            standin, folder, "--epochs", "3", "--resume", "--verbose", "0", model=None
        ),
        message,
    )
    assert (
        "File not found" not in err and f"fkp train --model mlp --out {folder}" in err
    )


def test_score_refuses_a_coordinate_outside_the_image(tmp_path, standin, fkp_fails):
    lines = (standin / "solution.csv").read_text().splitlines()
    row_id = lines[3].split(",")[0]
    lines[3] = f"{row_id},97.5"
    submission = tmp_path / "s.csv"
    submission.write_text("\n".join(lines) + "\n")
    fkp_fails(
        [
            "score",
            "--submission",
            str(submission),
            "--solution",
            str(standin / "solution.csv"),
        ],
        f"{submission}, line 4, column 2 (Location): "
        "expected a coordinate from 0 to 96 pixels, found 97.5",
    )


def test_an_interruption_before_the_first_checkpoint_offers_no_resume(
    tmp_path, standin, capsys, monkeypatch
):
    def interrupted(*args, **kwargs):
        raise training.TrainingInterrupted(
            "training interrupted before the first checkpoint; nothing to resume"
        )

    monkeypatch.setattr(training, "train", interrupted)
    argv = train_argv(standin, tmp_path / "run", "--verbose", "0")
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert (
        err
        == "fkp: training interrupted before the first checkpoint; nothing to resume\n"
    )


def test_sigterm_during_training_stops_like_ctrl_c_and_leaves_no_temporary_file(
    tmp_path, standin, capsys, monkeypatch
):
    start_epoch = training.TrainingThroughput.on_epoch_begin

    def terminated_in_the_second_epoch(self, epoch, logs=None):
        if epoch == 1:
            os.kill(os.getpid(), signal.SIGTERM)
        start_epoch(self, epoch, logs)

    monkeypatch.setattr(
        training.TrainingThroughput, "on_epoch_begin", terminated_in_the_second_epoch
    )
    before = signal.getsignal(signal.SIGTERM)
    run = tmp_path / "run"
    argv = train_argv(
        standin, run, "--epochs", "3", "--valid-rows", "8", "--verbose", "0"
    )
    assert main(argv) == 143
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1
        and "is intact in" in err
        and f"--out {run} --resume" in err
    )
    assert signal.getsignal(signal.SIGTERM) == before
    assert sorted(p.name for p in run.iterdir()) == [
        "history.csv",
        "model.keras",
        "run.json",
    ]
