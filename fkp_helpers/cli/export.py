"""``fkp export``: save a trained run for serving, as a Keras file and a TFLite file.

:func:`add_commands` registers the command on ``fkp``'s sub-parsers; its
handler returns the exit status. Problems the user can fix raise
:class:`~fkp_helpers.cli.errors.CommandError`, which ``fkp`` prints on one line
(exit 2). TensorFlow is imported only when the handler runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from .errors import CommandError

EXIT_OK = 0
CHECK_FACES = 16
"""Stand-in faces on which the two files' keypoints are compared after exporting."""


def add_commands(subparsers: Any) -> None:
    """Register ``export`` on ``subparsers`` (from
    ``ArgumentParser.add_subparsers``)."""
    export = subparsers.add_parser(
        "export",
        help="save a trained run for serving (Keras file and TFLite file)",
        description="Write keypoints.keras and keypoints.tflite: images (N, 96, 96, 1) "
        "in [0, 1] → keypoints (N, 30) in pixels, flip-averaged (for runs trained "
        "with flips) as `fkp predict` does; both load without fkp_helpers.",
    )
    export.add_argument(
        "--model",
        type=Path,
        required=True,
        metavar="RUN_DIR",
        help="run folder from `fkp train`",
    )
    export.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder to write the two files into",
    )
    export.add_argument(
        "--float16",
        action="store_true",
        help="store the TFLite file's weights in float16: half the size, as fast on a "
        "CPU",
    )
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    """``fkp export``: write both files, print their sizes and how far apart their
    keypoints are.

    :class:`CommandError` if the two files disagree by more than ``MAX_DIFFERENCE_PX``
    on the check faces.
    """
    from ..nn.export import MAX_DIFFERENCE_PX, TFLiteKeypoints, export_run
    from ..nn.tensorflow_setup import keras
    from ..standin.faces import render_faces

    files = export_run(args.model, args.out, float16=args.float16)
    pixels, _ = render_faces(CHECK_FACES, seed=0)
    images = (pixels[..., None] / np.float32(255)).astype(np.float32)
    from_keras = keras.saving.load_model(files.keras_path).predict_on_batch(images)
    from_tflite = TFLiteKeypoints(files.tflite_path).predict_px(images)
    difference = float(np.max(np.abs(np.asarray(from_keras) - from_tflite)))
    print(
        f"Wrote {files.keras_path} ({_size(files.keras_bytes)}) and "
        f"{files.tflite_path} ({_size(files.tflite_bytes)}) from {args.model}"
    )
    print(
        f"Keras vs TFLite on {CHECK_FACES} stand-in faces: keypoints differ by at most "
        f"{difference:.5f} px"
    )
    if difference > MAX_DIFFERENCE_PX:
        raise CommandError(
            "the TFLite file's keypoints differ from the Keras file's by "
            f"{difference:.3f} px (more than {MAX_DIFFERENCE_PX} px)"
        )
    return EXIT_OK


def _size(n_bytes: int) -> str:
    return (
        f"{n_bytes / 1e6:.2f} MB" if n_bytes >= 100_000 else f"{n_bytes / 1e3:.1f} kB"
    )
