"""Training speed of article A's network: the book's pipeline vs article A's own
``feed_dict`` loop.

On the same data, for 3 epochs each, one after another:

* ``TF1 port`` — ``benchmarks/article_a_tf1.py``: graph mode, placeholders, a
  Python loop feeding NumPy batches of 64 through ``feed_dict``;
* ``seed-cnn`` — the same network and rows (``fkp train --model seed-cnn
  --complete-only``): Keras ``fit`` on a ``tf.data`` pipeline, in the
  precision ``fkp train`` picks for the machine (``mixed_bfloat16`` on a CPU
  with bfloat16 instructions, ``mixed_float16`` on a GPU);
* ``seed-cnn float32`` — the same with ``--float32``: the port's own
  arithmetic, so this row compares the pipelines alone (run only where the
  machine's choice is not float32 already);
* ``cnn`` — the book's own network on every row, for reference.

Images per second count training steps only, on both sides: images trained on
divided by the seconds spent in the training loop (shuffling and feeding
batches, forward and backward passes), not loading data, building the model,
validating or saving; the first epoch (graph building, tracing) is left out on
both sides too. The machine may be shared, so the port and ``seed-cnn`` run
``--repeats`` times, alternating, and each side's best run counts. The check:
``seed-cnn`` (what ``fkp train`` does on this machine) must reach at least
1.0x the port's images/s (exit status 1 otherwise).

Usage (one command regenerates ``benchmarks/results/speed.md`` and ``.json``)::

    # the full-size stand-in (7049 training rows)
    python benchmarks/compare_speed.py
    # any Kaggle-format folder
    python benchmarks/compare_speed.py --data DIR
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
    run_fkp_train,
    run_port,
    standin,
)

EPOCHS = 3
STANDIN_TRAIN_ROWS = 7049
STANDIN_TEST_IMAGES = 1783
MIN_RATIO = 1.0  # seed-cnn must train at least as fast as the port
REPEATS = 3


@dataclass(frozen=True)
class Speed:
    """One training run's throughput."""

    name: str
    how: str
    precision: str
    images_per_epoch: int
    images_per_second: float
    train_seconds: float


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Images/s of article A's network: the book's pipeline vs TF1."
    )
    parser.add_argument(
        "--data",
        type=Path,
        help="Kaggle-format folder (default: the full-size stand-in)",
    )
    parser.add_argument(
        "--epochs",
        type=positive_int,
        default=EPOCHS,
        help=f"epochs per run (default {EPOCHS})",
    )
    parser.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    parser.add_argument(
        "--repeats",
        type=positive_int,
        default=REPEATS,
        help=f"runs per side, best counts (default {REPEATS})",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS_DIR,
        help="folder for speed.md and speed.json",
    )
    args = parser.parse_args(argv)

    if args.data is None:
        data = standin(STANDIN_TRAIN_ROWS, STANDIN_TEST_IMAGES)
        data_line = f"generated stand-in, {STANDIN_TRAIN_ROWS} training rows"
    else:
        data, data_line = args.data, f"Kaggle-format files in `{args.data}`"

    try:
        speeds, every_run, tensorflow_version = measure(
            data, epochs=args.epochs, seed=args.seed, repeats=args.repeats
        )
    except BenchmarkError as error:
        print(error, file=sys.stderr)
        return 2
    port, seed_cnn = speeds[0], speeds[1]
    ratio = seed_cnn.images_per_second / port.images_per_second
    passed = ratio >= MIN_RATIO
    title = "Speed: article A's network, the book's pipeline vs the TF1 feed_dict loop"
    command = " ".join(
        [
            "python benchmarks/compare_speed.py",
            *(sys.argv[1:] if argv is None else argv),
        ]
    )
    details = run_details(tensorflow_version, data_line, command)
    markdown = render(
        speeds,
        ratio,
        passed,
        every_run,
        header_text=header(title, details),
        epochs=args.epochs,
        command=command,
    )
    record = {
        "run": details,
        "data": str(data),
        "epochs": args.epochs,
        "seed": args.seed,
        "best_runs": [speed.__dict__ for speed in speeds],
        "images_per_second_every_run": every_run,
        "seed_cnn_vs_port": ratio,
        "passed": passed,
    }
    publish_results(args.results, "speed", markdown, record)
    return 0 if passed else 1


def measure(
    data: Path, *, epochs: int, seed: int, repeats: int
) -> tuple[list[Speed], dict[str, list[float]], str]:
    """Train the port, ``seed-cnn`` and ``seed-cnn float32`` ``repeats`` times each
    (alternating), then ``cnn`` once.

    ``seed-cnn float32`` is left out where ``seed-cnn`` trains in float32 anyway.
    Returns the fastest run of each, every run's images/s by name, and TensorFlow's
    version.
    """
    work = fresh_work_dir("speed")
    article_a = "article A's network, Keras fit + tf.data, complete rows"
    runs: dict[str, list[Speed]] = {
        "TF1 port": [],
        "seed-cnn": [],
        "seed-cnn float32": [],
    }
    for attempt in range(1, repeats + 1):
        port = run_port(
            data,
            work / f"tf1-port-{attempt}",
            epochs=epochs,
            patience=epochs,
            seed=seed,
        )
        runs["TF1 port"].append(
            Speed(
                "TF1 port",
                "article A's network, feed_dict loop, complete rows",
                "float32",
                port["n_train"],
                port["images_per_second"],
                port["train_seconds"],
            )
        )
        runs["seed-cnn"].append(
            _fkp_speed(
                data,
                work / f"seed-cnn-{attempt}",
                "seed-cnn",
                epochs=epochs,
                seed=seed,
                complete_only=True,
                how=article_a,
            )
        )
        if runs["seed-cnn"][0].precision != "float32":
            runs["seed-cnn float32"].append(
                _fkp_speed(
                    data,
                    work / f"seed-cnn-float32-{attempt}",
                    "seed-cnn",
                    epochs=epochs,
                    seed=seed,
                    complete_only=True,
                    float32=True,
                    how=article_a,
                )
            )
    cnn = _fkp_speed(
        data,
        work / "cnn",
        "cnn",
        epochs=epochs,
        seed=seed,
        complete_only=False,
        how="the book's network, Keras fit + tf.data, all rows",
    )
    runs = {name: speeds for name, speeds in runs.items() if speeds}
    best = [max(runs[name], key=lambda speed: speed.images_per_second) for name in runs]
    every = {
        name: [speed.images_per_second for speed in speeds]
        for name, speeds in runs.items()
    }
    return [*best, cnn], every, port["tensorflow"]


def _fkp_speed(
    data: Path,
    run_dir: Path,
    model: str,
    *,
    epochs: int,
    seed: int,
    complete_only: bool,
    how: str,
    float32: bool = False,
) -> Speed:
    metrics = run_fkp_train(
        data,
        run_dir,
        model,
        epochs=epochs,
        seed=seed,
        complete_only=complete_only,
        float32=float32,
    )
    name = f"{model} float32" if float32 else model
    return Speed(
        name,
        how,
        metrics["precision"],
        metrics["train_rows"],
        metrics["images_per_second"],
        metrics["train_seconds"],
    )


def render(
    speeds: list[Speed],
    ratio: float,
    passed: bool,
    every_run: dict[str, list[float]],
    *,
    header_text: str,
    epochs: int,
    command: str,
) -> str:
    """The Markdown page: header, one table row per run, the check."""
    port = speeds[0].images_per_second
    rows = [
        [
            speed.name,
            speed.how,
            speed.precision,
            f"{speed.images_per_epoch}",
            f"{speed.images_per_second:.1f}",
            f"{speed.images_per_second / port:.2f}×",
            f"{speed.train_seconds:.1f}",
        ]
        for speed in speeds
    ]
    table = markdown_table(
        [
            "Run",
            "What trains",
            "Precision",
            "Images / epoch",
            "Images / s",
            "vs TF1 port",
            f"Train time, {epochs} epochs (s)",
        ],
        rows,
    )
    verdict = "PASS" if passed else "FAIL"
    runs = "; ".join(
        f"{name}: {', '.join(f'{value:.1f}' for value in values)}"
        for name, values in every_run.items()
    )
    return (
        f"{header_text}\n{table}\n"
        "Images/s = training images / seconds in the training loop (shuffle, batches "
        "of 64, forward and backward passes), the same on both sides; data loading, "
        "model building, validation, saving and the first epoch (graph building / "
        "tracing) are left out. Train time is the whole training loop's wall time. "
        "Precision: `fkp train` computes in bfloat16 (float32 weights and output "
        "layer) on a CPU with bfloat16 instructions and in float16 on a GPU; "
        "`--float32` keeps the port's float32 arithmetic. "
        f"Best of {len(next(iter(every_run.values())))} alternating runs per side "
        f"(images/s of every run: {runs}).\n\n"
        f"Regenerate: `{command}`\n\n"
        f"- {verdict}: seed-cnn, as `fkp train` runs it here ({speeds[1].precision}), "
        f"trains at {ratio:.2f}× the TF1 port's images/s (target ≥ {MIN_RATIO:.1f}×)\n"
    )


if __name__ == "__main__":
    sys.exit(main())
