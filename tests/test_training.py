"""Training into a run folder: device plan, split, smoke runs, resume, atomic
checkpoints, Ctrl-C."""

from __future__ import annotations

import csv
import json
import os
import stat

import keras
import numpy as np
import pytest

from fkp_helpers.errors import ConfigError, RunError
from fkp_helpers.metrics import rmse_px
from fkp_helpers.nn import training
from fkp_helpers.nn.devices import (
    DevicePlan,
    cpu_has_bfloat16,
    detect_plan,
    distribution_strategy,
    onednn_enabled,
    plan_devices,
)
from fkp_helpers.nn.training import (
    TrainConfig,
    TrainingInterrupted,
    load_run,
    resume_config,
    save_model_atomically,
    split_rows,
    train,
)
from fkp_helpers.standin.faces import render_faces

CPU = plan_devices([])


@pytest.fixture(scope="module")
def faces() -> tuple[np.ndarray, np.ndarray]:
    """40 drawn faces in [0, 1] and their keypoints in px; every other row labels only 4
    keypoints."""
    images, keypoints = render_faces(40, seed=3)
    keypoints = keypoints.copy()
    keypoints[1::2, 4:20] = np.nan
    return (images[..., None] / 255.0).astype(np.float32), keypoints


def _history(run_dir) -> list[dict[str, str]]:
    with (run_dir / "history.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------- devices


def test_the_device_plan_follows_the_gpus_present():
    assert plan_devices([]) == DevicePlan(
        kind="cpu", gpu_names=(), dtype_policy="float32"
    )
    one = plan_devices(["NVIDIA H100"])
    assert (one.kind, one.dtype_policy, one.mixed_precision) == (
        "gpu",
        "mixed_float16",
        True,
    )
    two = plan_devices(["NVIDIA T4", "NVIDIA T4"])
    assert (
        two.kind == "multi-gpu"
        and "2 GPUs" in two.describe()
        and "MirroredStrategy" in two.describe()
    )
    assert plan_devices(["NVIDIA T4"], use_gpu=False) == plan_devices([])
    assert "CPU" in plan_devices([]).describe() and "\n" not in two.describe()
    assert one.loss_scaling and not plan_devices([]).mixed_precision


def test_a_cpu_with_bfloat16_trains_in_mixed_bfloat16_without_loss_scaling():
    plan = plan_devices([], cpu_bfloat16=True)
    assert (plan.kind, plan.dtype_policy, plan.mixed_precision, plan.loss_scaling) == (
        "cpu",
        "mixed_bfloat16",
        True,
        False,
    )
    assert plan_devices([], cpu_bfloat16=True, mixed_precision=False) == plan_devices(
        []
    )
    assert plan_devices(["NVIDIA T4"], mixed_precision=False).dtype_policy == "float32"


def test_bfloat16_support_is_read_from_the_cpu_flags(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16\n\n"
        "processor\t: 1\n"
    )
    assert cpu_has_bfloat16(cpuinfo)
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n")
    assert not cpu_has_bfloat16(cpuinfo)
    cpuinfo.write_text(
        "model name\t: a CPU whose name says avx512_bf16\nflags\t\t: fpu\n"
    )
    assert not cpu_has_bfloat16(cpuinfo)
    assert not cpu_has_bfloat16(tmp_path / "missing")


def test_without_onednn_the_cpu_stays_in_float32(monkeypatch):
    """bfloat16 without oneDNN's kernels is emulated, about 20x slower than float32."""
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    assert not onednn_enabled()
    if not detect_plan().gpu_names:
        assert detect_plan().dtype_policy == "float32"
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    assert onednn_enabled()


def test_this_machine_trains_on_the_cpu_with_the_default_strategy():
    import tensorflow as tf

    plan = detect_plan()
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("this test describes a machine without a GPU")
    assert plan == plan_devices(
        [], cpu_bfloat16=cpu_has_bfloat16() and onednn_enabled()
    )
    assert detect_plan(mixed_precision=False) == CPU
    assert distribution_strategy(plan) is tf.distribute.get_strategy()


def test_a_gpu_plan_trains_in_mixed_precision_and_predicts_in_float32(tmp_path, faces):
    """The GPU code path, exercised on the CPU: float16 maths, loss scaling, a float32
    output."""
    images, keypoints = faces
    result = train(
        images,
        keypoints,
        tmp_path / "run",
        TrainConfig("mlp", epochs=1, valid_rows=8),
        plan=plan_devices(["Test GPU"]),
        verbose=0,
    )
    assert isinstance(result.model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert result.model.get_layer("hidden").compute_dtype == "float16"
    assert result.model.get_layer("keypoints").compute_dtype == "float32"
    assert (
        np.isfinite(result.metrics["valid_rmse_px"])
        and "1 GPU (Test GPU)" in result.metrics["device"]
    )
    assert (
        load_run(tmp_path / "run").model.get_layer("hidden").compute_dtype == "float32"
    )


def test_a_bfloat16_cpu_plan_trains_without_loss_scaling_and_predicts_in_float32(
    tmp_path, faces
):
    images, keypoints = faces
    result = train(
        images,
        keypoints,
        tmp_path / "run",
        TrainConfig("mlp", epochs=1, valid_rows=8),
        plan=plan_devices([], cpu_bfloat16=True),
        verbose=0,
    )
    assert not isinstance(result.model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert result.model.get_layer("hidden").compute_dtype == "bfloat16"
    assert result.model.get_layer("keypoints").compute_dtype == "float32"
    assert (
        np.isfinite(result.metrics["valid_rmse_px"])
        and result.metrics["precision"] == "mixed_bfloat16"
    )
    assert (
        load_run(tmp_path / "run").model.get_layer("hidden").compute_dtype == "float32"
    )


def test_steps_per_execution_divides_the_epoch_so_no_call_runs_into_the_next():
    assert [training.steps_per_execution(n) for n in (1, 7, 32, 33, 64, 100, 37)] == [
        1,
        7,
        32,
        11,
        32,
        25,
        1,
    ]
    with pytest.raises(ValueError, match="at least 1"):
        training.steps_per_execution(0)


# --------------------------------------------------------------------- split and config


def test_the_validation_split_is_the_first_rows_or_a_seeded_fraction():
    y = np.zeros((50, 30), np.float32)
    y[::5, 6] = np.nan  # 10 incomplete rows
    train_idx, valid_idx = split_rows(
        y, TrainConfig("seed-cnn", valid_rows=7).resolved()
    )
    assert list(valid_idx) == list(range(7)) and list(train_idx) == list(range(7, 50))

    by_fraction = TrainConfig("mlp", valid_fraction=0.2, seed=1).resolved()
    first, again = split_rows(y, by_fraction), split_rows(y, by_fraction)
    np.testing.assert_array_equal(first[1], again[1])
    assert len(first[1]) == 10 and sorted({*first[0], *first[1]}) == list(range(50))
    other_seed = split_rows(
        y, TrainConfig("mlp", valid_fraction=0.2, seed=2).resolved()
    )[1]
    assert list(other_seed) != list(first[1])

    complete = split_rows(
        y, TrainConfig("seed-cnn", valid_rows=5, complete_only=True).resolved()
    )
    assert (
        not np.isnan(y[np.concatenate(complete)]).any()
        and len(complete[0]) + len(complete[1]) == 40
    )
    with pytest.raises(ConfigError, match="too few"):
        split_rows(
            y, TrainConfig("seed-cnn", valid_rows=40, complete_only=True).resolved()
        )


def test_config_defaults_come_from_the_model_and_bad_values_are_refused():
    resolved = TrainConfig("seed-cnn").resolved()
    assert (
        resolved.batch_size,
        resolved.epochs,
        resolved.patience,
        resolved.valid_rows,
    ) == (64, 100, 10, 100)
    assert TrainConfig("seed-cnn", valid_fraction=0.2).resolved().valid_rows is None
    with pytest.raises(ConfigError, match="not both"):
        TrainConfig("mlp", valid_rows=3, valid_fraction=0.2).resolved()
    with pytest.raises(ConfigError, match="epochs"):
        TrainConfig("mlp", epochs=0).resolved()


# ------------------------------------------------------------------------ training runs


@pytest.mark.parametrize("name", ["mlp", "seed-cnn", "cnn"])
def test_one_epoch_writes_the_run_folder_and_predict_sees_the_same_model(
    tmp_path, faces, name
):
    images, keypoints = faces
    run_dir = tmp_path / name
    result = train(
        images,
        keypoints,
        run_dir,
        TrainConfig(name, epochs=1, valid_rows=8, batch_size=16),
        plan=CPU,
        verbose=0,
    )
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "history.csv",
        "metrics.json",
        "model.keras",
        "run.json",
    ]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics == result.metrics
    for key in (
        "valid_rmse_px",
        "epochs_run",
        "train_seconds",
        "images_per_second",
        "device",
        "model",
        "seed",
        "rows_used",
        "tensorflow_version",
        "date",
    ):
        assert key in metrics
    assert (
        metrics["epochs_run"] == 1
        and metrics["rows_used"] == 40
        and metrics["valid_rows"] == 8
    )
    assert metrics["images_per_second"] > 0 and "CPU" in metrics["device"]
    assert [row["epoch"] for row in _history(run_dir)] == ["0"]
    run = load_run(run_dir)
    assert run.config.model == name
    again = rmse_px(keypoints[:8], run.predict_px(images[:8]))
    assert again == pytest.approx(metrics["valid_rmse_px"], rel=1e-4)


def test_the_same_seed_trains_the_same_model_on_the_cpu(tmp_path, faces):
    images, keypoints = faces
    config = TrainConfig("mlp", epochs=2, valid_rows=8, batch_size=8, seed=5)
    first = train(images, keypoints, tmp_path / "a", config, plan=CPU, verbose=0)
    second = train(images, keypoints, tmp_path / "b", config, plan=CPU, verbose=0)
    assert _history(tmp_path / "a") == _history(tmp_path / "b")
    for a, b in zip(first.model.get_weights(), second.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_resume_continues_from_the_checkpoint_and_appends_to_the_history(
    tmp_path, faces
):
    images, keypoints = faces
    run_dir = tmp_path / "run"
    config = TrainConfig("mlp", epochs=1, valid_rows=8, batch_size=8)
    train(images, keypoints, run_dir, config, plan=CPU, verbose=0)
    with pytest.raises(RunError, match="already holds a trained model"):
        train(images, keypoints, run_dir, config, plan=CPU, verbose=0)
    with pytest.raises(RunError, match="already run 1 epochs"):
        train(
            images,
            keypoints,
            run_dir,
            resume_config(run_dir),
            resume=True,
            plan=CPU,
            verbose=0,
        )
    with pytest.raises(RunError, match="seed"):
        train(
            images,
            keypoints,
            run_dir,
            TrainConfig("mlp", epochs=3, valid_rows=8, batch_size=8, seed=9),
            resume=True,
            plan=CPU,
            verbose=0,
        )
    with pytest.raises(RunError, match="other data"):
        train(
            images[:-1],
            keypoints[:-1],
            run_dir,
            resume_config(run_dir, epochs=3),
            resume=True,
            plan=CPU,
            verbose=0,
        )

    result = train(
        images,
        keypoints,
        run_dir,
        resume_config(run_dir, epochs=3),
        resume=True,
        plan=CPU,
        verbose=0,
    )
    assert [row["epoch"] for row in _history(run_dir)] == ["0", "1", "2"]
    assert (
        result.metrics["epochs_run"] == 3 and result.metrics["epochs_this_session"] == 2
    )
    assert result.metrics["resumed"] is True
    assert (
        json.loads((run_dir / "run.json").read_text())["config"]["epochs"] == 1
    )  # the original plan is kept


def test_ctrl_c_leaves_the_best_checkpoint_intact_and_the_run_resumable(
    tmp_path, faces, monkeypatch
):
    images, keypoints = faces
    run_dir = tmp_path / "run"
    start_epoch = training.TrainingThroughput.on_epoch_begin

    def interrupt_in_the_second_epoch(self, epoch, logs=None):
        if epoch == 1:
            raise KeyboardInterrupt
        start_epoch(self, epoch, logs)

    monkeypatch.setattr(
        training.TrainingThroughput, "on_epoch_begin", interrupt_in_the_second_epoch
    )
    with pytest.raises(
        TrainingInterrupted, match=r"epoch 1, valid RMSE .* is intact in .*model\.keras"
    ):
        train(
            images,
            keypoints,
            run_dir,
            TrainConfig("mlp", epochs=4, valid_rows=8),
            plan=CPU,
            verbose=0,
        )
    monkeypatch.undo()
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "history.csv",
        "model.keras",
        "run.json",
    ]
    keras.models.load_model(run_dir / "model.keras")
    result = train(
        images,
        keypoints,
        run_dir,
        resume_config(run_dir),
        resume=True,
        plan=CPU,
        verbose=0,
    )
    assert result.metrics["epochs_run"] == 4


def test_the_run_folders_files_get_a_new_files_mode_and_no_temporary_file_stays(
    tmp_path, faces
):
    images, keypoints = faces
    run_dir = tmp_path / "run"
    previous = os.umask(0o022)
    try:
        train(
            images,
            keypoints,
            run_dir,
            TrainConfig("mlp", epochs=2, valid_rows=8),
            plan=CPU,
            verbose=0,
        )
    finally:
        os.umask(previous)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in run_dir.iterdir()}
    assert modes == dict.fromkeys(
        ["history.csv", "metrics.json", "model.keras", "run.json"], 0o644
    )


def test_a_failed_save_leaves_the_previous_checkpoint_and_no_temporary_file(
    tmp_path, monkeypatch
):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    target = tmp_path / "model.keras"
    save_model_atomically(model, target)
    before = target.read_bytes()

    def save_half_then_fail(self, path, *args, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"PK half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(keras.Model, "save", save_half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        save_model_atomically(model, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


def test_loading_a_missing_or_damaged_run_is_a_command_error(tmp_path, faces):
    with pytest.raises(RunError, match="no such run folder"):
        load_run(tmp_path / "nothing")
    images, keypoints = faces
    run_dir = tmp_path / "run"
    train(
        images,
        keypoints,
        run_dir,
        TrainConfig("mlp", epochs=1, valid_rows=8),
        plan=CPU,
        verbose=0,
    )
    intact = (run_dir / "model.keras").read_bytes()
    (run_dir / "model.keras").write_bytes(b"not a zip file")
    with pytest.raises(
        RunError, match=r"model\.keras: truncated or corrupt .*--resume, or delete it"
    ):
        load_run(run_dir)
    (run_dir / "model.keras").write_bytes(intact[: len(intact) - 1000])
    with pytest.raises(RunError, match=r"model\.keras: truncated or corrupt"):
        load_run(run_dir)
    save_model_atomically(
        keras.Sequential(
            [keras.Input((96, 96, 1)), keras.layers.Flatten(), keras.layers.Dense(30)]
        ),
        run_dir / "model.keras",
    )
    with pytest.raises(
        RunError,
        match=r"model\.keras: holds another network than the mlp that run\.json",
    ):
        load_run(run_dir)
    with pytest.raises(RunError, match="a file; name the run folder"):
        load_run(run_dir / "model.keras")
    (run_dir / "model.keras").unlink()
    with pytest.raises(RunError, match="missing"):
        load_run(run_dir)
    (run_dir / "run.json").write_text("{broken")
    with pytest.raises(RunError, match=r"run\.json: not readable JSON"):
        load_run(run_dir)


def test_reduce_lr_on_plateau_is_refused_for_a_scheduled_optimizer(tmp_path, faces):
    images, keypoints = faces
    with pytest.raises(ConfigError, match="schedule"):
        train(
            images,
            keypoints,
            tmp_path / "run",
            TrainConfig("cnn", reduce_lr_patience=2),
            plan=CPU,
            verbose=0,
        )
