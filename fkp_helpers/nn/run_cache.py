"""Trained runs kept between chapters: train once, load afterwards.

Chapter 5 shows the predictions of the network chapter 4 trained; on a fresh
machine (or in Colab) it has to train that network itself. :func:`trained_run`
does either: it keys a run folder under the cache by the model's configuration,
a fingerprint of the data, the source code that trains (models, losses, input
pipeline, training loop, device plan) and the TensorFlow and Keras versions,
trains into it when no finished run is there, and loads it otherwise. A change
to any of those trains afresh instead of loading a run the code no longer makes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np

from ..atomic import replace
from ..settings import cache_dir
from .devices import DevicePlan, detect_plan
from .training import METRICS_FILE, TrainConfig, TrainedRun, load_run, train

# The modules whose code decides what training produces (fkp_helpers/nn/<name>.py).
TRAINING_MODULES = ("augment", "devices", "losses", "models", "tf_data", "training")


def code_fingerprint() -> bytes:
    """A digest of the training modules' source and the TensorFlow and Keras
    versions."""
    from .tensorflow_setup import keras, tf

    digest = hashlib.sha256(
        f"tensorflow {tf.__version__} keras {keras.__version__}".encode()
    )
    package = Path(__file__).resolve().parent
    for name in TRAINING_MODULES:
        digest.update((package / f"{name}.py").read_bytes())
    return digest.digest()


def run_folder(
    images: np.ndarray, keypoints_px: np.ndarray, config: TrainConfig, plan: DevicePlan
) -> Path:
    """The cache folder for training ``config`` on this data with ``plan``'s precision
    (same inputs → same folder)."""
    digest = hashlib.sha256(code_fingerprint())
    digest.update(
        json.dumps(dataclasses.asdict(config.resolved()), sort_keys=True).encode()
    )
    digest.update(plan.dtype_policy.encode())
    digest.update(np.ascontiguousarray(keypoints_px, dtype=np.float32).tobytes())
    digest.update(np.ascontiguousarray(images[:, ::7, ::7], dtype=np.float32).tobytes())
    return cache_dir() / "runs" / f"{config.model}-{digest.hexdigest()[:16]}"


def trained_run(
    images: np.ndarray,
    keypoints_px: np.ndarray,
    config: TrainConfig,
    *,
    plan: DevicePlan | None = None,
    verbose: int | str = 0,
) -> TrainedRun:
    """Load the finished run of ``config`` on this data, training it first if there is
    none.

    ``images`` ``(N, 96, 96, 1)`` float32 in [0, 1], ``keypoints_px`` ``(N, 30)``
    with NaN where missing; ``plan`` defaults
    to :func:`fkp_helpers.nn.devices.detect_plan`. A run interrupted before it finished
    is trained again from the start.
    """
    plan = plan or detect_plan()
    folder = run_folder(images, keypoints_px, config, plan)
    if not (folder / METRICS_FILE).is_file():
        # Train in a private folder and rename it into place, so that two processes
        # training the same configuration never see each other's half-written run.
        scratch = folder.with_name(f".{folder.name}-{os.getpid()}")
        shutil.rmtree(scratch, ignore_errors=True)
        train(images, keypoints_px, scratch, config, plan=plan, verbose=verbose)
        if (folder / METRICS_FILE).is_file():  # another process finished first
            shutil.rmtree(scratch)
        else:
            shutil.rmtree(
                folder, ignore_errors=True
            )  # an interrupted run of an earlier process
            replace(scratch, folder)
    return load_run(folder)


def run_metrics(run: TrainedRun) -> dict[str, object]:
    """The ``metrics.json`` of a run: validation RMSE in px, epochs, timings, device."""
    return json.loads((run.run_dir / METRICS_FILE).read_text(encoding="utf-8"))
