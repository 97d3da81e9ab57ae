"""Train a registered model with Keras's ``fit`` and callbacks, into a run folder that
can be resumed.

A run folder holds:

* ``run.json`` — the resolved :class:`TrainConfig` and what the data looked like
  (written before the first epoch, so an interrupted run can be resumed);
* ``model.keras`` — the best model so far (lowest validation RMSE), replaced
  atomically after every improvement, with its optimizer state;
* ``history.csv`` — one row per epoch (``CSVLogger``, appended to on resume);
* ``metrics.json`` — the result: ``valid_rmse_px``, ``epochs_run``,
  ``train_seconds``, ``images_per_second``, ``device`` and more.

Ctrl-C stops training with :class:`TrainingInterrupted`; the best checkpoint is
intact and ``train(..., resume=True)`` continues from it. This module imports
TensorFlow.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import hashlib
import json
import math
import time
import warnings
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import atomic_path, atomic_write
from ..errors import ConfigError, RunError
from ..keypoints import NUM_TARGETS
from ..metrics import rmse_per_keypoint_px, rmse_px
from . import losses
from .augment import Augmentation
from .devices import DevicePlan, detect_plan, distribution_strategy
from .models import INPUT_SHAPE, ModelSpec, get_spec
from .tensorflow_setup import keras, tf
from .tf_data import flip_horizontally_numpy, make_dataset

# TensorFlow's Python logger warns about tf.function retracing whenever several
# models are trained in one process (tests, notebooks); that is expected here.
tf.get_logger().setLevel("ERROR")

MODEL_FILE = "model.keras"
RUN_FILE = "run.json"
HISTORY_FILE = "history.csv"
METRICS_FILE = "metrics.json"
MONITOR = "val_rmse_px"
"""Early stopping and checkpoints follow the validation RMSE in pixels over the whole
validation set."""

EVAL_BATCH_SIZE = 256
MAX_STEPS_PER_EXECUTION = 32
"""At most this many training steps per call into TensorFlow's graph (see
:func:`steps_per_execution`)."""


@dataclass(frozen=True)
class TrainConfig:
    """What to train and how. ``None`` means the model's default (see
    :class:`fkp_helpers.nn.models.ModelSpec`).

    ``complete_only`` keeps only rows with all 15 keypoints (the articles' way);
    otherwise every row trains through the masked loss. The validation set is
    the first ``valid_rows`` rows (article A: 100) or a seeded random
    ``valid_fraction`` (article B: 0.2) of the rows used — give at most one.
    ``reduce_lr_patience`` adds ``ReduceLROnPlateau`` (halve the learning rate
    after that many epochs without improvement; not for scheduled optimizers).
    ``augment`` changes every training batch at random for real photos (framing,
    light, blur, noise, occlusion: :mod:`fkp_helpers.nn.augment`).
    """

    model: str
    epochs: int | None = None
    patience: int | None = None
    batch_size: int | None = None
    seed: int = 0
    complete_only: bool = False
    valid_rows: int | None = None
    valid_fraction: float | None = None
    flip: bool | None = None
    reduce_lr_patience: int | None = None
    augment: bool = False

    def resolved(self) -> TrainConfig:
        """This config with every ``None`` default filled in from the model's spec
        (checked)."""
        spec = get_spec(self.model)
        if self.valid_rows is not None and self.valid_fraction is not None:
            raise ConfigError(
                "give either valid_rows or valid_fraction, not both",
                fix="set the other to None",
            )
        split_given = self.valid_rows is not None or self.valid_fraction is not None
        config = dataclasses.replace(
            self,
            epochs=self.epochs if self.epochs is not None else spec.epochs,
            patience=self.patience if self.patience is not None else spec.patience,
            batch_size=self.batch_size
            if self.batch_size is not None
            else spec.batch_size,
            valid_rows=self.valid_rows if split_given else spec.valid_rows,
            valid_fraction=self.valid_fraction if split_given else spec.valid_fraction,
            flip=self.flip if self.flip is not None else spec.flip,
        )
        for name in (
            "epochs",
            "patience",
            "batch_size",
            "valid_rows",
            "reduce_lr_patience",
        ):
            value = getattr(config, name)
            if value is not None and value < 1:
                raise ConfigError(f"{name} must be at least 1, got {value}")
        if config.valid_fraction is not None and not 0 < config.valid_fraction < 1:
            raise ConfigError(
                f"valid_fraction must lie between 0 and 1, got {config.valid_fraction}"
            )
        return config


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` returns: the run folder, the contents of ``metrics.json`` and
    the best model."""

    run_dir: Path
    metrics: dict[str, Any]
    model: keras.Model


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`train`; ``str()`` says where the intact best checkpoint
    is."""


def train(
    images: np.ndarray,
    keypoints_px: np.ndarray,
    run_dir: str | Path,
    config: TrainConfig,
    *,
    resume: bool = False,
    plan: DevicePlan | None = None,
    verbose: int | str = 2,
) -> TrainResult:
    """Train ``config.model`` on ``images`` ``(N, 96, 96, 1)`` float32 in ``[0, 1]`` and
    ``keypoints_px`` ``(N, 30)``.

    Writes the run folder (see the module docstring). ``resume=True`` loads
    ``run_dir/model.keras`` with its optimizer state and continues from the epoch
    after the last one in ``history.csv`` up to ``config.epochs``; ``config``
    must then match ``run.json`` except for ``epochs`` and ``patience`` (see
    :func:`resume_config`). ``plan`` defaults to
    :func:`fkp_helpers.nn.devices.detect_plan`; ``verbose`` goes to ``model.fit``.
    Raises :class:`~fkp_helpers.errors.ConfigError` for an unusable config,
    :class:`~fkp_helpers.errors.RunError` for an unusable run folder and
    :class:`TrainingInterrupted` on Ctrl-C.
    """
    run_dir = Path(run_dir)
    config, spec = checked_config(config)
    data = _describe_data(images, keypoints_px)
    initial_epoch, best_so_far = _starting_point(run_dir, config, data, resume=resume)
    train_idx, valid_idx = split_rows(keypoints_px, config)
    steps_per_epoch = math.ceil(len(train_idx) / config.batch_size)
    keras.utils.set_random_seed(config.seed)
    plan = plan or detect_plan()
    model = _model_to_train(
        run_dir, config, spec, plan, steps_per_epoch=steps_per_epoch, resume=resume
    )
    _start_run_folder(run_dir, config, data, resume=resume)
    train_data, valid_data = _datasets(
        images, keypoints_px, train_idx, valid_idx, config, spec
    )
    timer, train_seconds = _fit(
        model,
        train_data,
        valid_data,
        run_dir,
        config,
        train_rows=len(train_idx),
        steps_per_epoch=steps_per_epoch,
        initial_epoch=initial_epoch,
        best_so_far=best_so_far,
        resume=resume,
        verbose=verbose,
    )
    _restore_best_weights(model, run_dir)
    valid_pred = predict_px(
        model, spec, images[valid_idx], flip_average=bool(config.flip)
    )
    metrics = {
        "model": spec.name,
        "valid_rmse_px": rmse_px(keypoints_px[valid_idx], valid_pred),
        "valid_rmse_px_per_keypoint": rmse_per_keypoint_px(
            keypoints_px[valid_idx], valid_pred
        ),
        **_history_summary(run_dir / HISTORY_FILE),
        "epochs_this_session": timer.epochs,
        "train_seconds": round(train_seconds, 3),
        "images_per_second": round(timer.images_per_second, 1),
        **_run_description(
            config,
            plan,
            data,
            train_rows=len(train_idx),
            valid_rows=len(valid_idx),
            resume=resume,
        ),
    }
    _write_json(run_dir / METRICS_FILE, metrics)
    return TrainResult(run_dir=run_dir, metrics=metrics, model=model)


def checked_config(config: TrainConfig) -> tuple[TrainConfig, ModelSpec]:
    """``config`` resolved (:meth:`TrainConfig.resolved`) and its model's spec;
    :class:`~fkp_helpers.errors.ConfigError` if they clash."""
    config = config.resolved()
    spec = get_spec(config.model)
    if config.reduce_lr_patience is not None and spec.scheduled_learning_rate:
        raise ConfigError(
            f"{spec.name} follows its own learning-rate schedule; "
            "ReduceLROnPlateau cannot be added",
            fix="leave reduce_lr_patience unset",
        )
    return config, spec


def _model_to_train(
    run_dir: Path,
    config: TrainConfig,
    spec: ModelSpec,
    plan: DevicePlan,
    *,
    steps_per_epoch: int,
    resume: bool,
) -> keras.Model:
    """The compiled model, built under ``plan``'s distribution strategy: the checkpoint
    to resume, or a new one."""
    with distribution_strategy(plan).scope():
        if resume:
            return _load_model(run_dir / MODEL_FILE, config)
        return compile_model(
            spec, plan, steps_per_epoch=steps_per_epoch, epochs=int(config.epochs or 0)
        )


def _start_run_folder(
    run_dir: Path, config: TrainConfig, data: dict[str, Any], *, resume: bool
) -> None:
    """Create ``run_dir`` and, for a new run, write ``run.json`` before the first epoch
    (so it can be resumed)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    if not resume:
        _write_json(
            run_dir / RUN_FILE, {"config": dataclasses.asdict(config), "data": data}
        )


def _datasets(
    images: np.ndarray,
    keypoints_px: np.ndarray,
    train_idx: np.ndarray,
    valid_idx: np.ndarray,
    config: TrainConfig,
    spec: ModelSpec,
) -> tuple[tf.data.Dataset, tf.data.Dataset]:
    """The training pipeline (shuffled, flipped if asked, repeating) and the validation
    one, in model units."""
    train_data = make_dataset(
        images[train_idx],
        keypoints_px[train_idx],
        batch_size=int(config.batch_size or 0),
        scale_targets=spec.scaling.to_model,
        shuffle=True,
        flip=bool(config.flip),
        augmentation=Augmentation() if config.augment else None,
        seed=config.seed,
        repeat=True,
    )
    valid_data = make_dataset(
        images[valid_idx],
        keypoints_px[valid_idx],
        batch_size=EVAL_BATCH_SIZE,
        scale_targets=spec.scaling.to_model,
    )
    return train_data, valid_data


def _fit(
    model: keras.Model,
    train_data: tf.data.Dataset,
    valid_data: tf.data.Dataset,
    run_dir: Path,
    config: TrainConfig,
    *,
    train_rows: int,
    steps_per_epoch: int,
    initial_epoch: int,
    best_so_far: float,
    resume: bool,
    verbose: int | str,
) -> tuple[TrainingThroughput, float]:
    """Run ``model.fit`` with the checkpoint, throughput and Keras callbacks;
    ``(throughput, seconds)``.

    Ctrl-C becomes :class:`TrainingInterrupted`, saying where the intact best checkpoint
    is.
    """
    saver = AtomicBestCheckpoint(
        run_dir / MODEL_FILE, monitor=MONITOR, best=best_so_far
    )
    timer = TrainingThroughput(images_per_epoch=train_rows)
    started = time.perf_counter()
    try:
        model.fit(
            train_data,
            steps_per_epoch=steps_per_epoch,
            validation_data=valid_data,
            epochs=config.epochs,
            initial_epoch=initial_epoch,
            callbacks=[
                timer,
                saver,
                *_keras_callbacks(run_dir, config, best_so_far, resume=resume),
            ],
            shuffle=False,
            verbose=verbose,  # the dataset shuffles itself
        )
    except KeyboardInterrupt:
        raise TrainingInterrupted(_interrupted_message(run_dir, saver)) from None
    return timer, time.perf_counter() - started


def _restore_best_weights(model: keras.Model, run_dir: Path) -> None:
    """Load the best checkpoint's weights into ``model``;
    :class:`~fkp_helpers.errors.RunError` if no epoch made one."""
    if not (run_dir / MODEL_FILE).exists():
        raise RunError(
            f"no epoch produced a finite {MONITOR}; nothing was saved",
            path=run_dir,
            fix="check the data for NaN images, or lower the learning rate",
        )
    model.load_weights(run_dir / MODEL_FILE)


def _history_summary(history: Path) -> dict[str, int]:
    """``best_epoch`` and ``epochs_run`` from ``history.csv``."""
    return {
        "best_epoch": _best_epoch_in_history(history),
        "epochs_run": _epochs_in_history(history),
    }


def _run_description(
    config: TrainConfig,
    plan: DevicePlan,
    data: dict[str, Any],
    *,
    train_rows: int,
    valid_rows: int,
    resume: bool,
) -> dict[str, Any]:
    """What ran where: the device, precision, data rows, versions and date, for
    ``metrics.json``."""
    return {
        "device": plan.describe(),
        "precision": plan.dtype_policy,
        "seed": config.seed,
        "complete_only": config.complete_only,
        "rows_total": data["rows"],
        "rows_used": train_rows + valid_rows,
        "train_rows": train_rows,
        "valid_rows": valid_rows,
        "resumed": resume,
        "tensorflow_version": tf.__version__,
        "keras_version": keras.__version__,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
    }


def _starting_point(
    run_dir: Path, config: TrainConfig, data: dict[str, Any], *, resume: bool
) -> tuple[int, float]:
    """``(initial_epoch, best validation RMSE so far)``; checks that the run folder can
    be started or resumed."""
    if resume:
        _check_resumable(run_dir, config, data)
        initial_epoch = _epochs_in_history(run_dir / HISTORY_FILE)
        best_so_far = _best_in_history(run_dir / HISTORY_FILE)
    elif (run_dir / MODEL_FILE).exists():
        raise RunError(
            "already holds a trained model",
            path=run_dir,
            fix="resume it or choose another folder",
        )
    else:
        initial_epoch, best_so_far = 0, math.inf
    if initial_epoch >= (config.epochs or 0):
        raise RunError(
            f"has already run {initial_epoch} epochs",
            path=run_dir,
            fix="ask for more than that to resume",
        )
    return initial_epoch, best_so_far


def _keras_callbacks(
    run_dir: Path, config: TrainConfig, best_so_far: float, *, resume: bool
) -> list[keras.callbacks.Callback]:
    """Early stopping (patient from the resumed checkpoint's score), the history CSV,
    and ReduceLROnPlateau if asked."""
    callbacks: list[keras.callbacks.Callback] = [
        keras.callbacks.EarlyStopping(
            monitor=MONITOR,
            mode="min",
            patience=config.patience,
            restore_best_weights=True,
            baseline=best_so_far if resume else None,
        ),
        keras.callbacks.CSVLogger(str(run_dir / HISTORY_FILE), append=resume),
    ]
    if config.reduce_lr_patience is not None:
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor=MONITOR,
                mode="min",
                factor=0.5,
                patience=config.reduce_lr_patience,
            )
        )
    return callbacks


def compile_model(
    spec: ModelSpec, plan: DevicePlan, *, steps_per_epoch: int, epochs: int
) -> keras.Model:
    """``spec``'s model in ``plan``'s precision, compiled with its optimizer, masked
    loss and RMSE-in-pixels metric."""
    model = spec.build(plan.dtype_policy)
    optimizer = spec.make_optimizer(steps_per_epoch, epochs)
    if plan.loss_scaling:
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    loss = (
        losses.MaskedRootMeanSquaredError()
        if spec.loss == "rmse"
        else losses.MaskedMeanSquaredError()
    )
    model.compile(
        optimizer=optimizer,
        loss=loss,
        metrics=[losses.MaskedRMSEPixels(spec.scaling.scale)],
        steps_per_execution=steps_per_execution(steps_per_epoch),
    )
    return model


def steps_per_execution(steps_per_epoch: int) -> int:
    """Training steps per graph call: the largest divisor of ``steps_per_epoch`` up to
    :data:`MAX_STEPS_PER_EXECUTION`.

    Several steps per call run the same steps in the same order without a round
    trip to Python after each batch, which is faster (see
    ``benchmarks/results/measurements.md``). The training data repeats forever and
    each epoch takes exactly ``steps_per_epoch`` batches, so the count must divide
    it; otherwise the last call of an epoch would run into the next one.
    """
    if steps_per_epoch < 1:
        raise ValueError(f"steps_per_epoch must be at least 1, got {steps_per_epoch}")
    return max(
        d
        for d in range(1, min(MAX_STEPS_PER_EXECUTION, steps_per_epoch) + 1)
        if steps_per_epoch % d == 0
    )


def split_rows(
    keypoints_px: np.ndarray, config: TrainConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Row indices ``(train, valid)`` for a resolved ``config``; the same every time for
    the same seed.

    Rows are first restricted to complete ones if ``config.complete_only``; the
    validation rows are then the first ``valid_rows`` of them, or a seeded
    random ``valid_fraction`` (at least one row).
    """
    rows = (
        np.flatnonzero(~np.isnan(keypoints_px).any(axis=1))
        if config.complete_only
        else np.arange(len(keypoints_px))
    )
    if config.valid_rows is not None:
        n_valid = config.valid_rows
        valid_positions = np.arange(n_valid)
    else:
        n_valid = max(1, round(len(rows) * float(config.valid_fraction or 0)))
        valid_positions = np.sort(
            np.random.default_rng(config.seed).permutation(len(rows))[:n_valid]
        )
    if n_valid >= len(rows):
        which = "complete rows" if config.complete_only else "rows"
        raise ConfigError(
            f"only {len(rows)} {which}: too few for {n_valid} validation rows "
            "and a training set",
            fix="use fewer validation rows or more data",
        )
    is_valid = np.zeros(len(rows), dtype=bool)
    is_valid[valid_positions] = True
    return rows[~is_valid], rows[is_valid]


def predict_px(
    model: keras.Model,
    spec: ModelSpec,
    images: np.ndarray,
    *,
    flip_average: bool = False,
    batch_size: int = EVAL_BATCH_SIZE,
) -> np.ndarray:
    """Keypoints ``(N, 30)`` float32 in pixels for ``images`` ``(N, 96, 96, 1)``.

    ``flip_average`` also predicts on the mirrored images, mirrors those
    predictions back and averages the two (for models trained with flips).
    """
    images = np.asarray(images, dtype=np.float32)
    predicted = spec.scaling.to_pixels(
        model.predict(images, batch_size=batch_size, verbose=0)
    )
    if flip_average:
        mirrored, _ = flip_horizontally_numpy(images, predicted)
        from_mirror = spec.scaling.to_pixels(
            model.predict(mirrored, batch_size=batch_size, verbose=0)
        )
        _, unflipped = flip_horizontally_numpy(mirrored, from_mirror)
        predicted = (predicted + unflipped) / 2
    return np.asarray(predicted, dtype=np.float32)


@dataclass(frozen=True)
class TrainedRun:
    """A finished (or interrupted) run folder, loaded for prediction on any device, in
    float32."""

    run_dir: Path
    config: TrainConfig
    model: keras.Model

    @property
    def spec(self) -> ModelSpec:
        return get_spec(self.config.model)

    def predict_px(
        self, images: np.ndarray, *, batch_size: int = EVAL_BATCH_SIZE
    ) -> np.ndarray:
        """Keypoints ``(N, 30)`` float32 in pixels (see :func:`predict_px`;
        flip-averaged if trained with flips)."""
        return predict_px(
            self.model,
            self.spec,
            images,
            flip_average=bool(self.config.flip),
            batch_size=batch_size,
        )


def load_run(run_dir: str | Path) -> TrainedRun:
    """Load a run folder's config and best weights;
    :class:`~fkp_helpers.errors.RunError` if it is missing or unreadable."""
    run_dir = Path(run_dir)
    if run_dir.is_file():
        raise RunError(
            "a file",
            path=run_dir,
            fix="name the run folder from `fkp train` "
            f"(it holds {MODEL_FILE} and {RUN_FILE})",
        )
    if not run_dir.is_dir():
        raise RunError(
            "no such run folder",
            path=run_dir,
            fix=f"train one with `fkp train --out {run_dir}`",
        )
    config = read_config(run_dir)
    model = get_spec(config.model).build("float32")
    checkpoint = run_dir / MODEL_FILE
    if not checkpoint.is_file():
        raise RunError("missing; the run saved no model yet", path=checkpoint)
    _check_intact(checkpoint, config)
    try:
        with warnings.catch_warnings():  # for a foreign file Keras warns once per layer
            warnings.simplefilter("ignore")
            model.load_weights(checkpoint)
    except Exception as error:  # Keras raises many types for a foreign file
        raise _not_this_network(checkpoint, config, error) from None
    return TrainedRun(run_dir=run_dir, config=config, model=model)


def read_config(run_dir: str | Path) -> TrainConfig:
    """The resolved :class:`TrainConfig` stored in ``run_dir/run.json``."""
    path = Path(run_dir) / RUN_FILE
    stored = _read_json(path)
    try:
        config = TrainConfig(**stored["config"])
        get_spec(config.model)
    except (KeyError, TypeError, ValueError) as error:
        raise RunError(
            f"not a run description of this version ({_one_line(error)})", path=path
        ) from None
    return config


def resume_config(
    run_dir: str | Path, *, epochs: int | None = None, patience: int | None = None
) -> TrainConfig:
    """``run_dir``'s stored config, with a new total of ``epochs`` and ``patience`` if
    given."""
    config = read_config(run_dir)
    return dataclasses.replace(
        config,
        epochs=epochs if epochs is not None else config.epochs,
        patience=patience if patience is not None else config.patience,
    )


class AtomicBestCheckpoint(keras.callbacks.Callback):
    """Save the model when ``monitor`` improves (:func:`save_model_atomically`).

    A crash or Ctrl-C while saving leaves the previous best file untouched and no
    temporary file. ``best_epoch`` is 1-based (0 until the first save).
    """

    def __init__(self, path: Path, *, monitor: str, best: float = math.inf) -> None:
        super().__init__()
        self.path = Path(path)
        self.monitor = monitor
        self.best = best
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        value = (logs or {}).get(self.monitor)
        if value is None or not math.isfinite(value) or value >= self.best:
            return
        save_model_atomically(self.model, self.path)
        self.best, self.best_epoch = float(value), epoch + 1


def save_model_atomically(model: keras.Model, path: Path) -> None:
    """``model.save(path)`` via a temporary ``.keras`` file (:func:`.atomic_path`)."""
    with atomic_path(path) as temporary, warnings.catch_warnings():
        # TF 2.21's tensors predate NumPy 2's `copy` keyword; Keras's saver trips it
        warnings.filterwarnings(
            "ignore", message="__array__ implementation", category=DeprecationWarning
        )
        model.save(str(temporary))


class TrainingThroughput(keras.callbacks.Callback):
    """Images per second of the training passes (validation excluded; the first epoch,
    which traces, too).

    With a single epoch, that epoch counts.
    """

    def __init__(self, images_per_epoch: int) -> None:
        super().__init__()
        self.images_per_epoch = images_per_epoch
        self.epochs = 0
        self._seconds: list[float] = []
        self._epoch_start: float | None = None

    def on_epoch_begin(
        self, epoch: int, logs: Mapping[str, float] | None = None
    ) -> None:
        self._epoch_start = time.perf_counter()

    def on_test_begin(self, logs: Mapping[str, float] | None = None) -> None:
        self._stop_clock()

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        self._stop_clock()
        self.epochs += 1

    def _stop_clock(self) -> None:
        if self._epoch_start is not None:
            self._seconds.append(time.perf_counter() - self._epoch_start)
            self._epoch_start = None

    @property
    def images_per_second(self) -> float:
        steady = self._seconds[1:] or self._seconds
        return self.images_per_epoch * len(steady) / sum(steady) if steady else 0.0


def _describe_data(images: np.ndarray, keypoints_px: np.ndarray) -> dict[str, Any]:
    """Row count and a fingerprint of the targets, to check that a resumed run sees the
    same data."""
    if images.ndim != 4 or images.shape[1:] != INPUT_SHAPE:
        raise ValueError(
            f"expected images of shape (N, {', '.join(map(str, INPUT_SHAPE))}), "
            f"got {images.shape}"
        )
    if keypoints_px.shape != (len(images), NUM_TARGETS):
        raise ValueError(
            f"expected keypoints of shape ({len(images)}, {NUM_TARGETS}), "
            f"got {keypoints_px.shape}"
        )
    digest = hashlib.sha256(
        np.ascontiguousarray(keypoints_px, dtype=np.float32).tobytes()
    ).hexdigest()
    return {"rows": len(images), "targets_sha256": digest}


def _check_resumable(run_dir: Path, config: TrainConfig, data: dict[str, Any]) -> None:
    if not (run_dir / MODEL_FILE).is_file():
        raise RunError(
            "no saved model to resume",
            path=run_dir,
            fix="start it again without resume",
        )
    stored = read_config(run_dir)
    fixed = ("epochs", "patience")
    changed = [
        f.name
        for f in dataclasses.fields(TrainConfig)
        if f.name not in fixed and getattr(stored, f.name) != getattr(config, f.name)
    ]
    if changed:
        raise RunError(
            "resuming must keep the run's settings; "
            f"these differ: {', '.join(changed)}",
            path=run_dir,
        )
    if _read_json(run_dir / RUN_FILE).get("data") != data:
        raise RunError(
            "was trained on other data than this",
            path=run_dir,
            fix="resume it with the same training.csv",
        )


def _history_rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except FileNotFoundError:
        raise RunError(
            "missing; cannot tell which epoch to resume from", path=path
        ) from None


def _epochs_in_history(path: Path) -> int:
    rows = _history_rows(path)
    return int(rows[-1]["epoch"]) + 1 if rows else 0


def _best_in_history(path: Path) -> float:
    values = [float(row[MONITOR]) for row in _history_rows(path) if row.get(MONITOR)]
    finite = [v for v in values if math.isfinite(v)]
    return min(finite) if finite else math.inf


def _best_epoch_in_history(path: Path) -> int:
    """1-based epoch with the lowest validation RMSE (the saved model)."""
    rows = [
        row
        for row in _history_rows(path)
        if row.get(MONITOR) and math.isfinite(float(row[MONITOR]))
    ]
    return (
        int(min(rows, key=lambda row: float(row[MONITOR]))["epoch"]) + 1 if rows else 0
    )


def _interrupted_message(run_dir: Path, saver: AtomicBestCheckpoint) -> str:
    if saver.best_epoch == 0 and not (run_dir / MODEL_FILE).exists():
        return (
            "training interrupted before the first checkpoint; "
            f"nothing to resume in {run_dir}"
        )
    best = (
        f" (epoch {saver.best_epoch}, valid RMSE {saver.best:.3f} px)"
        if saver.best_epoch
        else ""
    )
    return (
        f"training interrupted; the best model so far{best} "
        f"is intact in {run_dir / MODEL_FILE}; "
        "resume to continue"
    )


def _load_model(path: Path, config: TrainConfig) -> keras.Model:
    """The checkpoint at ``path``, compiled, with its optimizer state, to resume.

    :class:`~fkp_helpers.errors.RunError` unless it is intact and holds
    ``config.model``'s network.
    """
    _check_intact(path, config)
    try:
        with warnings.catch_warnings():  # for a foreign file Keras warns once per layer
            warnings.simplefilter("ignore")
            model = keras.models.load_model(path, compile=True)
    except Exception as error:  # Keras raises many types for a foreign file
        raise _not_this_network(path, config, error) from None
    expected = get_spec(config.model).build("float32")  # same shapes in any precision
    if not isinstance(model, keras.Model) or _shapes(model) != _shapes(expected):
        raise _not_this_network(path, config)
    if getattr(model, "optimizer", None) is None:
        raise RunError(
            "saved without its optimizer, so not by `fkp train`; it cannot be resumed",
            path=path,
            fix="train again into a new folder",
        )
    return model


def _shapes(model: keras.Model) -> list[tuple[int | None, ...]]:
    """The shape of each of ``model``'s weights, in order."""
    return [tuple(weight.shape) for weight in model.weights]


def _check_intact(checkpoint: Path, config: TrainConfig) -> None:
    """:class:`~fkp_helpers.errors.RunError` unless ``checkpoint`` is a whole ``.keras``
    (zip) file."""
    try:
        with zipfile.ZipFile(checkpoint) as archive:
            damaged = archive.testzip()
    except (zipfile.BadZipFile, EOFError, zlib.error):
        damaged = checkpoint.name
    if damaged is not None:
        retrain = f"fkp train --model {config.model} --out {checkpoint.parent}"
        raise RunError(
            "truncated or corrupt (not a complete .keras file)",
            path=checkpoint,
            fix="copy an intact one into place and --resume, "
            f"or delete it and train again ({retrain})",
        )


def _not_this_network(
    checkpoint: Path, config: TrainConfig, error: Exception | None = None
) -> RunError:
    """The error for a readable ``.keras`` file without ``config.model``'s network."""
    reason = f" ({_first_sentence(error)})" if error is not None else ""
    return RunError(
        f"holds another network than the {config.model} that {RUN_FILE} names{reason}; "
        "is it the model.keras of another run or program?",
        path=checkpoint,
        fix="name the run folder that trained it",
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunError(
            "missing; is this a run folder written by `fkp train`?", path=path
        ) from None
    except (OSError, ValueError) as error:
        raise RunError(f"not readable JSON ({_one_line(error)})", path=path) from None
    if not isinstance(value, dict):
        raise RunError("expected a JSON object", path=path)
    return value


def _write_json(path: Path, value: Mapping[str, Any]) -> None:
    """Write ``value`` as indented JSON, atomically (:func:`.atomic_write`)."""
    with atomic_write(path) as out:
        json.dump(value, out, indent=2)
        out.write("\n")


def _first_sentence(error: BaseException) -> str:
    """``error``'s type and its message's first sentence (Keras's can run to pages)."""
    text = " ".join(str(error).split())
    first = text.split(". ")[0].rstrip(".")[:160]
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__
