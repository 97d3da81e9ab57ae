"""``fkp train``, ``fkp predict`` and ``fkp score``: the model commands of the command
line.

:func:`add_commands` registers them on ``fkp``'s sub-parsers; each handler
takes the parsed arguments and returns the exit status. Problems the user can
fix raise :class:`~fkp_helpers.cli.errors.CommandError` or
a library :class:`~fkp_helpers.errors.FkpError`, which ``fkp`` prints on one line (exit
2). TensorFlow is imported only when a handler runs, so ``fkp --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..keypoints import IMAGE_SIZE
from ..nn.models import MODEL_NAMES, MODELS
from .argtypes import fraction, positive_int, random_seed
from .errors import CommandError

EXIT_OK = 0
EXIT_INTERRUPTED = 130


def add_commands(subparsers: Any) -> None:
    """Register ``train``, ``predict`` and ``score`` on ``subparsers`` (from
    ``ArgumentParser.add_subparsers``)."""
    data_help = (
        "folder with Kaggle's CSV files "
        "(default: FKP_DATA_DIR, ./data, else the generated stand-in)"
    )

    train = subparsers.add_parser(
        "train",
        help="train a model into a run folder",
        description="Train a model; the run folder gets model.keras (best), "
        "history.csv, run.json and metrics.json.",
    )
    train.add_argument("--data", type=Path, default=None, metavar="DIR", help=data_help)
    networks = "; ".join(f"{spec.name}: {spec.summary}" for spec in MODELS.values())
    train.add_argument(
        "--model",
        choices=MODEL_NAMES,
        default=None,
        help=f"network to train (required unless --resume) — {networks}",
    )
    train.add_argument(
        "--out", type=Path, required=True, metavar="RUN_DIR", help="run folder to write"
    )
    train.add_argument(
        "--epochs",
        type=positive_int,
        default=None,
        help="total epochs (default: the model's)",
    )
    train.add_argument(
        "--patience",
        type=positive_int,
        default=None,
        help="early-stopping patience in epochs",
    )
    train.add_argument(
        "--batch-size",
        type=positive_int,
        default=None,
        help="images per step (default: the model's)",
    )
    train.add_argument(
        "--seed",
        type=random_seed,
        default=None,
        help="seed for weights, split, order and flips (default 0)",
    )
    train.add_argument(
        "--complete-only",
        action="store_true",
        default=None,
        help="train on rows with all 15 keypoints only, as the articles do",
    )
    split = train.add_mutually_exclusive_group()
    split.add_argument(
        "--valid-rows",
        type=positive_int,
        default=None,
        help="validate on the first N rows used (article A: 100)",
    )
    split.add_argument(
        "--valid-fraction",
        type=fraction,
        default=None,
        help="validate on a seeded random fraction of the rows used (article B: 0.2)",
    )
    train.add_argument(
        "--flip",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="mirror half of each batch, swapping left and right keypoints (default: "
        "the model's)",
    )
    train.add_argument(
        "--augment",
        action="store_true",
        default=None,
        help="change every training batch at random for real photos: framing, light, "
        "blur, noise, occlusion",
    )
    train.add_argument(
        "--reduce-lr-patience",
        type=positive_int,
        default=None,
        help="halve the learning rate after N epochs without improvement (not for cnn)",
    )
    train.add_argument(
        "--resume",
        action="store_true",
        help="continue RUN_DIR from its best checkpoint",
    )
    train.add_argument(
        "--cpu", action="store_true", help="train on the CPU even if a GPU is present"
    )
    train.add_argument(
        "--float32",
        action="store_true",
        help="train in float32 even where mixed precision is available (a GPU, or a "
        "CPU with bfloat16)",
    )
    train.add_argument(
        "--verbose",
        type=int,
        choices=(0, 1, 2),
        default=2,
        help="Keras progress: 0 silent, 1 bars, 2 one line per epoch (default)",
    )
    train.set_defaults(handler=run_train)

    predict = subparsers.add_parser(
        "predict",
        help="write a Kaggle submission from a trained run",
        description="Predict every test image and write RowId,Location for each row of "
        "IdLookupTable.csv.",
    )
    predict.add_argument(
        "--data", type=Path, default=None, metavar="DIR", help=data_help
    )
    predict.add_argument(
        "--model",
        type=Path,
        required=True,
        metavar="RUN_DIR",
        help="run folder from `fkp train`",
    )
    predict.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="submission CSV to write",
    )
    predict.set_defaults(handler=run_predict)

    score = subparsers.add_parser(
        "score",
        help="RMSE in pixels of a submission against a solution file",
        description="Score a submission like Kaggle does: RMSE in pixels over the "
        "lookup rows.",
    )
    score.add_argument(
        "--submission",
        type=Path,
        required=True,
        metavar="FILE",
        help="RowId,Location CSV",
    )
    score.add_argument(
        "--solution",
        type=Path,
        required=True,
        metavar="FILE",
        help="the true values (the stand-in's solution.csv)",
    )
    score.set_defaults(handler=run_score)


_FIXED_ON_RESUME = (
    "batch_size",
    "seed",
    "complete_only",
    "valid_rows",
    "valid_fraction",
    "flip",
    "reduce_lr_patience",
    "augment",
)


def run_train(args: argparse.Namespace) -> int:
    """``fkp train``: load ``training.csv``, train into ``--out``, print the result."""
    if args.out.exists() and not args.out.is_dir():
        raise CommandError(f"{args.out}: exists and is not a folder")
    if args.resume:
        changed = [name for name in _FIXED_ON_RESUME if getattr(args, name) is not None]
        if changed:
            flags = ", ".join("--" + name.replace("_", "-") for name in changed)
            raise CommandError(
                f"with --resume only --epochs and --patience may change, not {flags}"
            )
    elif args.model is None:
        raise CommandError(
            f"--model is required to start a run (one of {', '.join(MODEL_NAMES)})"
        )

    from ..data.kaggle_csv import load_training
    from ..data.sources import find_data
    from ..nn.devices import detect_plan
    from ..nn.training import (
        MODEL_FILE,
        TrainConfig,
        TrainingInterrupted,
        resume_config,
        train,
    )

    if args.resume:
        config = resume_config(args.out, epochs=args.epochs, patience=args.patience)
        if args.model is not None and args.model != config.model:
            raise CommandError(f"{args.out} trains {config.model}, not {args.model}")
    else:
        config = TrainConfig(
            model=args.model,
            epochs=args.epochs,
            patience=args.patience,
            batch_size=args.batch_size,
            seed=args.seed if args.seed is not None else 0,
            complete_only=bool(args.complete_only),
            valid_rows=args.valid_rows,
            valid_fraction=args.valid_fraction,
            flip=args.flip,
            reduce_lr_patience=args.reduce_lr_patience,
            augment=bool(args.augment),
        )
    source = find_data(args.data)
    images, keypoints = load_training(source.training_csv)
    plan = detect_plan(use_gpu=not args.cpu, mixed_precision=not args.float32)
    print(plan.describe(), flush=True)
    try:
        result = train(
            images,
            keypoints,
            args.out,
            config,
            resume=args.resume,
            plan=plan,
            verbose=args.verbose,
        )
    except TrainingInterrupted as interrupted:
        resume = ""
        if (args.out / MODEL_FILE).is_file():  # else there is nothing to resume
            data = f" --data {args.data}" if args.data is not None else ""
            resume = f": fkp train{data} --out {args.out} --resume"
        print(f"fkp: {interrupted}{resume}", file=sys.stderr)
        return EXIT_INTERRUPTED
    m = result.metrics
    print(
        f"{m['model']}: valid RMSE {m['valid_rmse_px']:.3f} px "
        f"(best of {m['epochs_run']} epochs: {m['best_epoch']}), "
        f"{m['images_per_second']:.0f} images/s, {m['train_seconds']:.0f} s; "
        f"run folder {args.out}"
    )
    return EXIT_OK


def run_predict(args: argparse.Namespace) -> int:
    """``fkp predict``: predict ``test.csv`` with a run's best model, write a submission
    via the lookup table."""
    import numpy as np

    from ..data.kaggle_csv import load_lookup, load_test
    from ..data.sources import TEST_FILES, find_data
    from ..data.submission import write_submission
    from ..nn.training import load_run

    if args.out.is_dir():
        raise CommandError(
            f"{args.out}: a folder; name the submission file to write, "
            f"e.g. --out {args.out / 'submission.csv'}"
        )
    run = load_run(args.model)
    source = find_data(args.data, needs=TEST_FILES)
    _refuse_to_overwrite_inputs(args.out, source.path, args.model)
    image_ids, images = load_test(source.test_csv)
    lookup = load_lookup(source.lookup_csv, image_ids=image_ids)
    predictions = np.clip(run.predict_px(images), 0.0, float(IMAGE_SIZE))
    write_submission(args.out, lookup, image_ids, predictions)
    print(
        f"Wrote {len(lookup.row_ids)} predictions for {len(image_ids)} test images to "
        f"{args.out}"
    )
    return EXIT_OK


def _refuse_to_overwrite_inputs(out: Path, data_dir: Path, run_dir: Path) -> None:
    """:class:`CommandError` if ``out`` is one of the data's or the run's files."""
    from ..data.sources import ARCHIVE_CONTENTS, DATA_FILES, STANDIN_MARKER
    from ..nn.training import HISTORY_FILE, METRICS_FILE, MODEL_FILE, RUN_FILE

    data_files = (*DATA_FILES, STANDIN_MARKER, *ARCHIVE_CONTENTS)
    run_files = (MODEL_FILE, RUN_FILE, HISTORY_FILE, METRICS_FILE)
    inputs = {data_dir / name: f"the data's {name}" for name in data_files}
    inputs |= {run_dir / name: f"the run's {name}" for name in run_files}
    for path, what in inputs.items():
        if _same_file(out, path):
            raise CommandError(
                f"{out}: that is {what}; refusing to overwrite it: "
                "write the submission elsewhere, e.g. --out submission.csv"
            )


def _same_file(a: Path, b: Path) -> bool:
    """``a`` and ``b`` are one file (links followed); ``False`` if one is missing."""
    try:
        return a.samefile(b)
    except OSError:
        return False


def run_score(args: argparse.Namespace) -> int:
    """``fkp score``: print the submission's RMSE in pixels against the solution."""
    from ..data.submission import score_submission

    for path in (args.submission, args.solution):
        if not path.is_file():
            raise DataError(path, "file not found")
    print(f"RMSE: {score_submission(args.submission, args.solution):.4f} px")
    return EXIT_OK
