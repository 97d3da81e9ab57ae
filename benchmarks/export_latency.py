"""Serving the exported ``cnn``: single-image CPU latency and file size, Keras file vs
TFLite file.

A latency benchmark, not an accuracy one: it trains a short ``cnn`` run (3
epochs on 1000 stand-in faces, once; later runs reuse it from the cache through
:func:`fkp_helpers.nn.run_cache.trained_run`) — how well it is trained does not
change how long a prediction takes. It exports the run with
:func:`fkp_helpers.nn.export.export_run` (``keypoints.keras`` and
``keypoints.tflite``, both flip-averaged, in pixels), then, on the CPU only
(GPUs hidden), times one image at a time (a batch of 1), the way a service
answers one request:

* the Keras file loaded with ``keras.saving.load_model``, called four ways:
  ``model.predict`` (what most tutorials show), ``model.predict_on_batch``, a
  direct call ``model(x, training=False)``, and that call in a ``tf.function``;
* the TFLite file in ``tf.lite.Interpreter``
  (:class:`fkp_helpers.nn.export.TFLiteKeypoints`: set the input, invoke, read
  the output), with the interpreter's default threads and with one thread; also
  the file ``fkp export --float16`` writes
  (float16 weights) and, not offered by ``fkp export``, a dynamic-range
  quantised one (int8 weights);
* for reference, the helpers' own path ``load_run(run).predict_px`` (two
  ``model.predict`` calls and a NumPy flip).

Each way is warmed up (``--warmup`` calls), then called ``--calls`` times on
different faces, in 5 interleaved rounds so that a busy shared machine slows
every way alike; the table gives the median and the 90th percentile. Every call
returns a NumPy array. File sizes are listed beside the run's own checkpoint
(which also holds the optimizer's state).

Check (exit status 1 if it fails): on ``--check-faces`` unseen faces (default
200, batch prediction), the keypoints of both TFLite files ``fkp export`` writes
(float32, float16 weights) are within 0.1 px of the Keras file's, and the Keras
file's within 0.1 px of ``load_run(run).predict_px``. The dynamic-range file's
difference is listed, not checked.

Usage (one command regenerates ``benchmarks/results/export.md`` and ``.json``)::

    python benchmarks/export_latency.py
"""

from __future__ import annotations

import os

os.environ["CUDA_VISIBLE_DEVICES"] = (
    "-1"  # a CPU benchmark: hide any GPU before TensorFlow loads
)

from fkp_helpers.nn.tensorflow_setup import keras, tf

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from _common import (
    RESULTS_DIR,
    fresh_work_dir,
    header,
    markdown_table,
    positive_int,
    publish_results,
    run_details,
)

from fkp_helpers.nn.export import (
    MAX_DIFFERENCE_PX,
    ExportedFiles,
    TFLiteKeypoints,
    export_run,
    tflite_flatbuffer,
)
from fkp_helpers.nn.run_cache import run_metrics, trained_run
from fkp_helpers.nn.training import MODEL_FILE, TrainConfig, TrainedRun
from fkp_helpers.standin.faces import render_faces

TRAIN_FACES = 1000
EPOCHS = 3
CALLS = 200
WARMUP = 20
ROUNDS = 5
CHECK_FACES = 200

Predict = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Latency:
    """One way of predicting a single image: its timings in milliseconds."""

    name: str
    what: str
    median_ms: float
    p90_ms: float
    calls: int


@dataclass(frozen=True)
class TFLiteVariant:
    """One TFLite file of the run: how its weights are stored, its size, how far its
    keypoints are from Keras's."""

    name: str
    path: Path
    offered: bool  # written by `fkp export` (and so checked)
    size_bytes: int
    max_difference_px: float


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Single-image CPU latency and file size of the exported cnn."
    )
    parser.add_argument(
        "--train-faces",
        type=positive_int,
        default=TRAIN_FACES,
        help=f"stand-in faces to train on (default {TRAIN_FACES})",
    )
    parser.add_argument(
        "--epochs",
        type=positive_int,
        default=EPOCHS,
        help=f"training epochs (default {EPOCHS})",
    )
    parser.add_argument(
        "--calls",
        type=positive_int,
        default=CALLS,
        help=f"timed single-image calls per way (default {CALLS})",
    )
    parser.add_argument(
        "--warmup",
        type=positive_int,
        default=WARMUP,
        help=f"untimed calls first (default {WARMUP})",
    )
    parser.add_argument(
        "--check-faces",
        type=positive_int,
        default=CHECK_FACES,
        help=f"unseen faces for the agreement check (default {CHECK_FACES})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed for the faces and training (default 0)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS_DIR,
        help="folder for export.md and export.json",
    )
    args = parser.parse_args(argv)

    run = train_short_cnn(args.train_faces, args.epochs, args.seed)
    work = fresh_work_dir("export")
    files = export_run(run.run_dir, work / "float32")
    keras_model = keras.saving.load_model(files.keras_path)
    faces = stand_in_faces(
        max(args.calls, args.check_faces), seed=args.seed, start=args.train_faces
    )

    checked = faces[: args.check_faces]
    from_keras = keras_model.predict(checked, batch_size=64, verbose=0)
    keras_vs_run = float(np.max(np.abs(from_keras - run.predict_px(checked))))
    variants = [
        _variant(name, path, offered, checked, from_keras)
        for name, path, offered in tflite_files(run, files, keras_model, work)
    ]
    passed = keras_vs_run <= MAX_DIFFERENCE_PX and all(
        v.max_difference_px <= MAX_DIFFERENCE_PX for v in variants if v.offered
    )

    latencies = time_single_images(
        serving_calls(keras_model, variants, run),
        faces[: args.calls],
        warmup=args.warmup,
        rounds=min(ROUNDS, args.calls),
    )
    sizes = {
        "keypoints.keras (serving model)": files.keras_bytes,
        **{
            f"{v.name} ({v.path.parent.name}/{v.path.name})": v.size_bytes
            for v in variants
        },
        "the run's model.keras (weights + optimizer state)": (run.run_dir / MODEL_FILE)
        .stat()
        .st_size,
    }
    title = "Export: single-image CPU latency and file size of the served cnn"
    data_line = (
        f"`cnn` trained {args.epochs} epochs on {args.train_faces} generated stand-in "
        f"faces (a latency benchmark: accuracy plays no part); {args.calls} timed "
        "calls on unseen faces"
    )
    command = " ".join(
        [
            "python benchmarks/export_latency.py",
            *(sys.argv[1:] if argv is None else argv),
        ]
    )
    details = run_details(tf.__version__, data_line, command)
    markdown = render(
        latencies,
        sizes,
        variants,
        keras_vs_run,
        passed,
        check_faces=args.check_faces,
        parameters=keras_model.count_params(),
        header_text=header(title, details),
        command=command,
    )
    record = {
        "run": details,
        "train_faces": args.train_faces,
        "epochs": args.epochs,
        "seed": args.seed,
        "run_dir": str(run.run_dir),
        "valid_rmse_px": run_metrics(run)["valid_rmse_px"],
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "parameters": keras_model.count_params(),
        "latency": [asdict(latency) for latency in latencies],
        "file_bytes": sizes,
        "check_faces": args.check_faces,
        "max_abs_difference_px": {
            "keras_vs_load_run": keras_vs_run,
            **{f"{v.name}_vs_keras": v.max_difference_px for v in variants},
        },
        "passed": passed,
    }
    publish_results(
        args.results, "export", markdown, record, shown_in_book=True
    )  # chapter 7
    return 0 if passed else 1


def tflite_files(
    run: TrainedRun, files: ExportedFiles, keras_model: keras.Model, work: Path
) -> list[tuple[str, Path, bool]]:
    """``(name, path, offered by fkp export)`` of the three TFLite files: float32,
    float16 weights, dynamic range."""
    half = export_run(run.run_dir, work / "float16", float16=True)
    dynamic = work / "dynamic-range" / "keypoints.tflite"
    dynamic.parent.mkdir()
    dynamic.write_bytes(tflite_flatbuffer(keras_model, quantization="dynamic-range"))
    return [
        ("TFLite", files.tflite_path, True),
        ("TFLite float16", half.tflite_path, True),
        ("TFLite dynamic-range", dynamic, False),
    ]


def _variant(
    name: str, path: Path, offered: bool, images: np.ndarray, from_keras: np.ndarray
) -> TFLiteVariant:
    difference = float(
        np.max(np.abs(TFLiteKeypoints(path).predict_px(images) - from_keras))
    )
    return TFLiteVariant(name, path, offered, path.stat().st_size, difference)


def train_short_cnn(n_faces: int, epochs: int, seed: int) -> TrainedRun:
    """``cnn`` trained ``epochs`` epochs on ``n_faces`` stand-in faces (from the cache
    if it was trained before)."""
    pixels, keypoints = render_faces(n_faces, seed=seed)
    images = (pixels[..., None] / np.float32(255)).astype(np.float32)
    print(
        f"Training cnn for {epochs} epochs on {n_faces} stand-in faces "
        "(or reusing that run)",
        flush=True,
    )
    return trained_run(
        images, keypoints, TrainConfig(model="cnn", epochs=epochs, seed=seed)
    )


def stand_in_faces(n: int, *, seed: int, start: int) -> np.ndarray:
    """Faces ``start … start + n - 1`` of the stand-in renderer, ``(n, 96, 96, 1)``
    float32 in [0, 1]."""
    pixels, _ = render_faces(n, seed=seed, start=start)
    return (pixels[..., None] / np.float32(255)).astype(np.float32)


def serving_calls(
    keras_model: keras.Model, variants: list[TFLiteVariant], run: TrainedRun
) -> dict[str, tuple[str, Predict]]:
    """Name → (what it runs, a function from one image ``(1, 96, 96, 1)`` to its
    keypoints ``(1, 30)`` px)."""
    signature = [tf.TensorSpec((None, *keras_model.input_shape[1:]), tf.float32)]
    compiled = tf.function(
        lambda images: keras_model(images, training=False), input_signature=signature
    )
    tflite, half, dynamic = variants
    keras_file = "keypoints.keras via keras.saving.load_model"
    interpreter = (
        "in `tf.lite.Interpreter` (its default threads): set input, invoke, get output"
    )
    return {
        "Keras predict": (
            f"{keras_file}; `model.predict(x, verbose=0)`",
            lambda x: keras_model.predict(x, verbose=0),
        ),
        "Keras predict_on_batch": (
            f"{keras_file}; `model.predict_on_batch(x)`",
            keras_model.predict_on_batch,
        ),
        "Keras direct call": (
            f"{keras_file}; `model(x, training=False).numpy()`",
            lambda x: keras_model(x, training=False).numpy(),
        ),
        "Keras tf.function": (
            f"{keras_file}; the direct call in a `tf.function` (traced once)",
            lambda x: compiled(x).numpy(),
        ),
        tflite.name: (
            f"keypoints.tflite, float32, {interpreter}",
            TFLiteKeypoints(tflite.path).predict_px,
        ),
        f"{tflite.name} 1 thread": (
            "the same with `num_threads=1`",
            TFLiteKeypoints(tflite.path, num_threads=1).predict_px,
        ),
        half.name: (
            "`fkp export --float16`'s keypoints.tflite: float16 weights, float32 maths",
            TFLiteKeypoints(half.path).predict_px,
        ),
        dynamic.name: (
            "int8 weights, activations quantised on the fly "
            "(not offered by `fkp export`)",
            TFLiteKeypoints(dynamic.path).predict_px,
        ),
        "helpers' predict_px": (
            "`load_run(run).predict_px(x)`: two `model.predict` calls and a NumPy flip",
            run.predict_px,
        ),
    }


def time_single_images(
    calls: dict[str, tuple[str, Predict]],
    faces: np.ndarray,
    *,
    warmup: int,
    rounds: int,
) -> list[Latency]:
    """Time every way on each face as a batch of 1, in ``rounds`` interleaved rounds;
    medians and 90th percentiles."""
    singles = [faces[i : i + 1] for i in range(len(faces))]
    for _, predict in calls.values():
        for image in singles[:warmup]:
            predict(image)
    seconds: dict[str, list[float]] = {name: [] for name in calls}
    for chunk in np.array_split(np.arange(len(singles)), rounds):
        for name, (_, predict) in calls.items():
            for i in chunk:
                started = time.perf_counter()
                predict(singles[i])
                seconds[name].append(time.perf_counter() - started)
    return [
        Latency(
            name,
            what,
            1000 * statistics.median(seconds[name]),
            1000 * float(np.percentile(seconds[name], 90)),
            len(seconds[name]),
        )
        for name, (what, _) in calls.items()
    ]


def render(
    latencies: list[Latency],
    sizes: dict[str, int],
    variants: list[TFLiteVariant],
    keras_vs_run: float,
    passed: bool,
    *,
    check_faces: int,
    parameters: int,
    header_text: str,
    command: str,
) -> str:
    """The Markdown page: header, the latency table, the size table, the agreement
    table, the check."""
    tflite = next(
        latency for latency in latencies if latency.name == "TFLite"
    ).median_ms
    latency_table = markdown_table(
        [
            "Way",
            "What runs",
            "Median (ms)",
            "90th percentile (ms)",
            "Images / s",
            "Median vs TFLite",
        ],
        [
            [
                latency.name,
                latency.what,
                f"{latency.median_ms:.2f}",
                f"{latency.p90_ms:.2f}",
                f"{1000 / latency.median_ms:.0f}",
                f"{latency.median_ms / tflite:.1f}×",
            ]
            for latency in latencies
        ],
    )
    size_table = markdown_table(
        ["File", "Bytes", "MB"],
        [[name, f"{size}", f"{size / 1e6:.2f}"] for name, size in sizes.items()],
        text_columns=1,
    )
    agreement_table = markdown_table(
        ["Keypoints of", "against", "Checked", "Max abs difference (px)"],
        [
            [
                "keypoints.keras",
                "`load_run(run).predict_px`",
                "yes",
                f"{keras_vs_run:.6f}",
            ]
        ]
        + [
            [
                v.name,
                "keypoints.keras",
                "yes" if v.offered else "no",
                f"{v.max_difference_px:.6f}",
            ]
            for v in variants
        ],
        text_columns=3,
    )
    verdict = "PASS" if passed else "FAIL"
    checked = ", ".join(["keypoints.keras", *(v.name for v in variants if v.offered)])
    return (
        f"{header_text}\n"
        "## Single-image latency on the CPU (batch of 1)\n\n"
        f"{latency_table}\n"
        f"Each way: {latencies[0].calls} timed calls after a warm-up, in interleaved "
        "rounds; every call returns a NumPy array of keypoints in pixels, "
        "flip-averaged (two passes of the network).\n\n"
        f"## File sizes ({parameters:,} parameters)\n\n"
        f"{size_table}\n"
        f"## Same keypoints? ({check_faces} unseen faces)\n\n"
        f"{agreement_table}\n"
        f"Regenerate: `{command}`\n\n"
        f"- {verdict}: {checked} within {MAX_DIFFERENCE_PX} px of their reference on "
        f"{check_faces} unseen faces\n"
    )


if __name__ == "__main__":
    sys.exit(main())
