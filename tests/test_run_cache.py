import numpy as np

from fkp_helpers.nn.devices import detect_plan, plan_devices
from fkp_helpers.nn.run_cache import run_folder, run_metrics, trained_run
from fkp_helpers.nn.training import TrainConfig


def test_trains_once_then_loads(isolated_cache_dir, monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.random((24, 96, 96, 1), dtype=np.float32)
    y = (rng.random((24, 30)) * 96).astype(np.float32)
    config = TrainConfig("mlp", epochs=1, valid_rows=4)
    first = trained_run(X, y, config)
    plan = detect_plan()
    assert (
        first.run_dir == run_folder(X, y, config, plan)
        and run_metrics(first)["epochs_run"] == 1
    )
    assert not list(first.run_dir.parent.glob(".*")), "scratch folder left behind"

    import fkp_helpers.nn.run_cache as run_cache

    monkeypatch.setattr(
        run_cache,
        "train",
        lambda *a, **k: (_ for _ in ()).throw(AssertionError("retrained")),
    )
    second = trained_run(X, y, config)
    np.testing.assert_allclose(
        second.predict_px(X[:2]), first.predict_px(X[:2]), rtol=1e-6
    )
    assert (
        run_folder(X, y, TrainConfig("mlp", epochs=2, valid_rows=4), plan)
        != first.run_dir
    )
    other_precision = plan_devices([], cpu_bfloat16=plan.dtype_policy == "float32")
    assert run_folder(X, y, config, other_precision) != first.run_dir


def test_a_change_to_the_training_code_trains_afresh(monkeypatch, tmp_path):
    """A cached run is only reused by the code that made it."""
    import fkp_helpers.nn.run_cache as run_cache

    rng = np.random.default_rng(1)
    X = rng.random((8, 96, 96, 1), dtype=np.float32)
    y = (rng.random((8, 30)) * 96).astype(np.float32)
    config, plan = TrainConfig("mlp", epochs=1, valid_rows=2), detect_plan()
    before = run_folder(X, y, config, plan)
    assert run_folder(X, y, config, plan) == before

    package = tmp_path / "fkp_helpers"
    package.mkdir()
    for name in run_cache.TRAINING_MODULES:
        (package / f"{name}.py").write_text(f"# edited {name}\n", encoding="utf-8")
    monkeypatch.setattr(run_cache, "__file__", str(package / "run_cache.py"))
    assert run_folder(X, y, config, plan) != before
