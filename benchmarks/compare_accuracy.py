"""Test-set accuracy of the book's models next to article A's own program.

Four models train for up to 40 epochs each on the same data, predict the test
images, and are scored against the true values (``solution.csv``) with
Kaggle's metric, RMSE in pixels over every submitted value:

* ``TF1 port`` — ``benchmarks/article_a_tf1.py``, article A's program (rows
  with all 15 keypoints, the first 100 of them for validation, patience 10);
* ``seed-cnn`` — article A's network through the book's pipeline, on the same
  complete rows, validation rows and patience (``fkp train --model seed-cnn
  --complete-only``), in the precision ``fkp train`` picks for the machine
  (``mixed_bfloat16`` on a CPU with bfloat16 instructions), and once more in
  float32 (``--float32``) where that differs;
* ``cnn`` — the book's network, on every row with a loss that skips missing
  keypoints;
* ``mlp`` — the one-hidden-layer baseline (article B's net1).

The three ``fkp`` models keep their own defaults (split, batch size, patience)
apart from the number of epochs.

Checks (exit status 1 if one fails): ``cnn`` ≤ 0.6 × the port's RMSE,
``seed-cnn`` (each precision) within ±20 % of the port, ``mlp`` worse than both CNNs.

Usage (one command regenerates ``benchmarks/results/accuracy.md`` and ``.json``)::

    # stand-in: 2000 training rows, 300 test images
    python benchmarks/compare_accuracy.py
    # any Kaggle-format folder with solution.csv
    python benchmarks/compare_accuracy.py --data DIR
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from _common import (
    RESULTS_DIR,
    BenchmarkError,
    fresh_work_dir,
    header,
    markdown_table,
    positive_int,
    publish_results,
    run_details,
    run_fkp_predict,
    run_fkp_train,
    run_port,
    standin,
)

EPOCHS = 40
PATIENCE = 10
STANDIN_TRAIN_ROWS = 2000
STANDIN_TEST_IMAGES = 300
CNN_MAX_RATIO = 0.6  # cnn must reach at most 0.6 x the port's test RMSE
SEED_CNN_TOLERANCE = 0.2  # seed-cnn within +-20 % of the port


@dataclass(frozen=True)
class Result:
    """One trained model's score on the test set."""

    name: str
    trained_on: str
    precision: str
    test_rmse_px: float
    epochs_run: int
    train_seconds: float


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Test RMSE of the TF1 port, seed-cnn, cnn and mlp, side by side."
    )
    parser.add_argument(
        "--data",
        type=Path,
        help="Kaggle-format folder with solution.csv (default: the stand-in)",
    )
    parser.add_argument(
        "--solution",
        type=Path,
        help="true test values, RowId,Location (default: DATA/solution.csv)",
    )
    parser.add_argument(
        "--epochs",
        type=positive_int,
        default=EPOCHS,
        help=f"epochs per model (default {EPOCHS})",
    )
    parser.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS_DIR,
        help="folder for accuracy.md and accuracy.json",
    )
    args = parser.parse_args(argv)

    if args.data is None:
        data = standin(STANDIN_TRAIN_ROWS, STANDIN_TEST_IMAGES)
        data_line = (
            f"generated stand-in, {STANDIN_TRAIN_ROWS} training rows, "
            f"{STANDIN_TEST_IMAGES} test images"
        )
    else:
        data, data_line = args.data, f"Kaggle-format files in `{args.data}`"
    solution = args.solution or data / "solution.csv"
    if not solution.is_file():
        parser.error(
            f"{solution}: no solution file; pass --solution FILE "
            "(RowId,Location with the true values)"
        )

    try:
        results, tensorflow_version = train_and_score(
            data, solution, epochs=args.epochs, seed=args.seed
        )
    except BenchmarkError as error:
        print(error, file=sys.stderr)
        return 2
    checks = run_checks(results)
    title = "Accuracy: the book's models vs article A's program"
    command = " ".join(
        [
            "python benchmarks/compare_accuracy.py",
            *(sys.argv[1:] if argv is None else argv),
        ]
    )
    details = run_details(tensorflow_version, data_line, command)
    markdown = render(
        results,
        checks,
        header_text=header(title, details),
        epochs=args.epochs,
        command=command,
    )
    record = {
        "run": details,
        "data": str(data),
        "solution": str(solution),
        "epochs": args.epochs,
        "seed": args.seed,
        "results": [result.__dict__ for result in results],
        "checks": [{"check": text, "passed": passed} for text, passed in checks],
    }
    publish_results(
        args.results, "accuracy", markdown, record, shown_in_book=True
    )  # chapter 6
    return 0 if all(passed for _, passed in checks) else 1


def train_and_score(
    data: Path, solution: Path, *, epochs: int, seed: int
) -> tuple[list[Result], str]:
    """Train, predict and score the four models one after another; also return
    TensorFlow's version."""
    from fkp_helpers.data.submission import score_submission

    work = fresh_work_dir("accuracy")
    port = run_port(
        data, work / "tf1-port", epochs=epochs, patience=PATIENCE, seed=seed
    )
    results = [
        Result(
            name="TF1 port",
            trained_on=f"{port['n_train']} complete rows "
            f"(+{port['n_valid']} validation)",
            precision="float32",
            test_rmse_px=score_submission(work / "tf1-port" / "submit.csv", solution),
            epochs_run=port["epochs_run"],
            train_seconds=port["train_seconds"],
        )
    ]
    runs = [
        ("seed-cnn", "seed-cnn", True, False),
        ("seed-cnn float32", "seed-cnn", True, True),
        ("cnn", "cnn", False, False),
        ("mlp", "mlp", False, False),
    ]
    for name, model, complete_only, float32 in runs:
        if float32 and results[-1].precision == "float32":
            # the machine's own choice was float32 already: the row above is this run
            continue
        run_dir = work / name.replace(" ", "-")
        metrics = run_fkp_train(
            data,
            run_dir,
            model,
            epochs=epochs,
            seed=seed,
            complete_only=complete_only,
            float32=float32,
        )
        submission = run_dir.with_name(f"{run_dir.name}-submission.csv")
        run_fkp_predict(data, run_dir, submission)
        rows = "complete rows" if complete_only else "rows, masked loss"
        results.append(
            Result(
                name=name,
                trained_on=f"{metrics['train_rows']} {rows} "
                f"(+{metrics['valid_rows']} validation)",
                precision=metrics["precision"],
                test_rmse_px=score_submission(submission, solution),
                epochs_run=metrics["epochs_run"],
                train_seconds=metrics["train_seconds"],
            )
        )
    return results, port["tensorflow"]


def run_checks(results: list[Result]) -> list[tuple[str, bool]]:
    """The three claims the book makes, each with whether it held."""
    rmse = {result.name: result.test_rmse_px for result in results}
    port = rmse["TF1 port"]
    seed_cnns = [name for name in rmse if name.startswith("seed-cnn")]
    return [
        (f"cnn ≤ {CNN_MAX_RATIO} × TF1 port", rmse["cnn"] <= CNN_MAX_RATIO * port),
        *(
            (
                f"{name} within ±{SEED_CNN_TOLERANCE:.0%} of TF1 port",
                abs(rmse[name] / port - 1) <= SEED_CNN_TOLERANCE,
            )
            for name in seed_cnns
        ),
        (
            "mlp worse than both CNNs",
            rmse["mlp"] > max(rmse["cnn"], *(rmse[name] for name in seed_cnns)),
        ),
    ]


def render(
    results: list[Result],
    checks: list[tuple[str, bool]],
    *,
    header_text: str,
    epochs: int,
    command: str,
) -> str:
    """The Markdown page: header, one table row per model, the checks."""
    port = results[0].test_rmse_px
    rows = [
        [
            result.name,
            result.trained_on,
            result.precision,
            f"{result.test_rmse_px:.3f}",
            f"{result.test_rmse_px / port:.2f}×",
            f"{result.epochs_run} / {epochs}",
            f"{result.train_seconds:.0f}",
        ]
        for result in results
    ]
    table = markdown_table(
        [
            "Model",
            "Trained on",
            "Precision",
            "Test RMSE (px)",
            "vs TF1 port",
            "Epochs run",
            "Train time (s)",
        ],
        rows,
    )
    check_lines = "\n".join(
        f"- {'PASS' if passed else 'FAIL'}: {text}" for text, passed in checks
    )
    return (
        f"{header_text}\n{table}\n"
        "Test RMSE is Kaggle's metric (pixels, over every row of the lookup table), "
        "scored against the true values. Train time is the training loop's wall time "
        "on both sides (validation and checkpoints included; data loading and "
        "prediction not). The TF1 port and seed-cnn stop early after "
        f"{PATIENCE} epochs without improvement; cnn and mlp keep their own "
        "defaults.\n\n"
        f"Regenerate: `{command}`\n\n{check_lines}\n"
    )


if __name__ == "__main__":
    sys.exit(main())
