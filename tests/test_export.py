"""Exporting a run for serving: the Keras and TFLite files against
``load_run(...).predict_px``, and ``fkp export``."""

from __future__ import annotations

from fkp_helpers.nn.tensorflow_setup import keras

import os
import shutil

import numpy as np
import pytest

from fkp_helpers.cli import main as cli
from fkp_helpers.errors import RunError
from fkp_helpers.nn import export
from fkp_helpers.nn.devices import plan_devices
from fkp_helpers.nn.export import (
    MAX_DIFFERENCE_PX,
    TFLiteKeypoints,
    export_run,
    serving_model,
)
from fkp_helpers.nn.models import build_mlp
from fkp_helpers.nn.tf_data import flip_horizontally_numpy
from fkp_helpers.nn.training import (
    TrainConfig,
    TrainedRun,
    load_run,
    predict_px,
    save_model_atomically,
    train,
)
from fkp_helpers.standin.faces import render_faces


def _faces(n: int, seed: int) -> np.ndarray:
    """``n`` stand-in faces ``(n, 96, 96, 1)`` float32 in [0, 1]."""
    pixels, _ = render_faces(n, seed=seed)
    return (pixels[..., None] / np.float32(255)).astype(np.float32)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """``cnn`` (flip-trained) after one epoch on 32 stand-in faces, in float32, with
    sharpened heatmaps.

    After one epoch every keypoint sits near the image's centre, where mirroring
    changes little; heatmap logits 30 times larger move the keypoints apart and
    make them depend on the image, so that a slip in the flip average shows.
    """
    images = _faces(32, seed=7)
    _, keypoints = render_faces(32, seed=7)
    folder = tmp_path_factory.mktemp("export") / "run"
    train(
        images,
        keypoints,
        folder,
        TrainConfig(model="cnn", epochs=1),
        plan=plan_devices([]),
        verbose=0,
    )
    run = load_run(folder)
    heatmaps = run.model.get_layer("heatmaps")
    kernel, bias = heatmaps.get_weights()
    heatmaps.set_weights([30 * kernel, 30 * bias])
    save_model_atomically(run.model, folder / "model.keras")
    return folder


@pytest.fixture(scope="module")
def exported(run_dir):
    return export_run(run_dir, run_dir.parent / "exported")


@pytest.fixture(scope="module")
def images():
    """Eight faces the run never saw."""
    return _faces(8, seed=11)


def test_both_files_give_the_runs_flip_averaged_keypoints(run_dir, exported, images):
    run = load_run(run_dir)
    expected = run.predict_px(images)
    from_keras = keras.saving.load_model(exported.keras_path).predict_on_batch(images)
    from_tflite = TFLiteKeypoints(exported.tflite_path).predict_px(images)
    assert (
        from_keras.shape == from_tflite.shape == (8, 30)
        and from_tflite.dtype == np.float32
    )
    assert np.max(np.abs(from_keras - expected)) <= 1e-3
    assert np.max(np.abs(from_tflite - expected)) <= MAX_DIFFERENCE_PX
    # The flip average is inside the files: without it the run predicts visibly
    # differently.
    one_way = predict_px(run.model, run.spec, images, flip_average=False)
    assert np.max(np.abs(one_way - expected)) > 10 * MAX_DIFFERENCE_PX
    assert sorted(path.name for path in exported.keras_path.parent.iterdir()) == [
        "keypoints.keras",
        "keypoints.tflite",
    ]
    umask = os.umask(0)
    os.umask(umask)
    assert {
        path.stat().st_mode & 0o777
        for path in (exported.keras_path, exported.tflite_path)
    } == {0o666 & ~umask}
    assert (
        TFLiteKeypoints(exported.tflite_path).size_bytes
        == exported.tflite_bytes
        > 100_000
    )
    assert exported.keras_bytes > 100_000


def test_the_exported_model_mirrors_its_keypoints_with_the_image(exported, images):
    model = keras.saving.load_model(exported.keras_path)
    mirrored, expected = flip_horizontally_numpy(images, model.predict_on_batch(images))
    assert np.max(np.abs(model.predict_on_batch(mirrored) - expected)) <= 1e-3


def test_a_run_trained_without_flips_is_only_rescaled_to_pixels(tmp_path, images):
    run = TrainedRun(
        run_dir=tmp_path, config=TrainConfig(model="mlp").resolved(), model=build_mlp()
    )
    model = serving_model(run)
    assert not any("flip" in layer.name for layer in model.layers)
    expected = predict_px(run.model, run.spec, images, flip_average=False)
    np.testing.assert_allclose(model.predict_on_batch(images), expected, atol=1e-4)


def test_the_tflite_runner_takes_any_batch_size_and_rejects_bad_input(
    exported, images, tmp_path
):
    runner = TFLiteKeypoints(exported.tflite_path)
    whole = runner.predict_px(images)
    np.testing.assert_allclose(runner.predict_px(images[:1]), whole[:1], atol=1e-4)
    np.testing.assert_allclose(runner.predict_px(images[2:5]), whole[2:5], atol=1e-4)
    assert runner.predict_px(images[:0]).shape == (0, 30)
    with pytest.raises(ValueError, match=r"expected images of shape \(N, 96, 96, 1\)"):
        runner.predict_px(images[:, :, :, 0])
    broken = tmp_path / "broken.tflite"
    broken.write_bytes(b"not a flatbuffer")
    with pytest.raises(RunError, match="broken.tflite: not a readable TFLite model"):
        TFLiteKeypoints(broken)


def test_a_failed_conversion_leaves_the_previous_export_untouched(
    run_dir, exported, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    shutil.copytree(exported.keras_path.parent, out)
    before = {path.name: path.read_bytes() for path in out.iterdir()}

    def failing(model, **options):
        raise RuntimeError("converter failed")

    monkeypatch.setattr(export, "tflite_flatbuffer", failing)
    with pytest.raises(RuntimeError, match="converter failed"):
        export_run(run_dir, out)
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


# --------------------------------------------------------------------------- fkp export


@pytest.fixture
def fkp():
    """The real ``fkp`` entry point (one-line errors, exit codes)."""
    return cli.main


def test_fkp_export_float16_writes_both_files_and_prints_sizes_and_the_difference(
    fkp, run_dir, exported, images, tmp_path, capsys
):
    out = tmp_path / "serving" / "v1"
    assert fkp(["export", "--model", str(run_dir), "--out", str(out), "--float16"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert (
        printed[0].startswith(f"Wrote {out / 'keypoints.keras'} (")
        and f"{out / 'keypoints.tflite'} (" in printed[0]
    )
    assert " MB)" in printed[0] and printed[1].startswith(
        "Keras vs TFLite on 16 stand-in faces"
    )
    assert float(printed[1].split("at most ")[1].split(" px")[0]) <= MAX_DIFFERENCE_PX
    assert sorted(path.name for path in out.iterdir()) == [
        "keypoints.keras",
        "keypoints.tflite",
    ]
    half = TFLiteKeypoints(out / "keypoints.tflite")
    assert half.size_bytes < 0.6 * exported.tflite_bytes
    expected = load_run(run_dir).predict_px(images)
    assert 0 < np.max(np.abs(half.predict_px(images) - expected)) <= MAX_DIFFERENCE_PX


def test_fkp_export_fails_in_one_line_for_a_bad_run_folder_or_out_path(
    run_dir, tmp_path, fkp_fails
):
    out = tmp_path / "out"
    fkp_fails(
        ["export", "--model", str(tmp_path / "nothing"), "--out", str(out)],
        "no such run folder",
    )
    a_file = tmp_path / "a-file"
    a_file.write_text("keep me")
    fkp_fails(
        ["export", "--model", str(run_dir), "--out", str(a_file)],
        "a-file: exists and is not a folder",
    )
    assert a_file.read_text() == "keep me"

    broken = tmp_path / "broken-run"
    shutil.copytree(run_dir, broken)
    (broken / "model.keras").write_bytes(b"PK\x03\x04 broken")
    fkp_fails(
        ["export", "--model", str(broken), "--out", str(out)],
        "model.keras: truncated or corrupt",
    )
    (broken / "run.json").write_text("{")
    fkp_fails(
        ["export", "--model", str(broken), "--out", str(out)],
        "run.json: not readable JSON",
    )
    assert not out.exists()
