"""The package's pretrained ``cnn``: it loads, predicts in pixels, says what it is, and
fails in one line when its files are missing. Accuracy is not tested here."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from fkp_helpers.errors import RunError
from fkp_helpers.keypoints import IMAGE_SIZE, NUM_TARGETS
from fkp_helpers.nn import pretrained

RECORD_KEYS = {
    "model",
    "recipe",
    "standin_version",
    "lit_faces_version",
    "training_data_sha256",
    "valid_rmse_px",
    "test_rmse_px",
    "test_rmse_px_lit",
    "epochs_run",
    "train_seconds",
    "device",
    "tensorflow_version",
    "keras_version",
    "date",
    "regenerate",
}


@pytest.fixture(scope="module")
def loaded() -> pretrained.PretrainedModel:
    return pretrained.load_pretrained()


def test_predicts_keypoints_in_crop_pixels(loaded):
    images = np.random.default_rng(0).random(
        (3, IMAGE_SIZE, IMAGE_SIZE, 1), dtype=np.float32
    )
    points = loaded.predict_px(images)
    assert points.shape == (3, NUM_TARGETS) and points.dtype == np.float32
    assert np.isfinite(points).all()
    assert (points >= 0).all() and (points <= IMAGE_SIZE - 1).all()


def test_record_says_what_it_was_trained_on(loaded):
    record = loaded.record
    assert set(record) >= RECORD_KEYS
    assert record["model"] == "cnn"
    assert set(record["recipe"]) == {
        field.name for field in dataclasses.fields(pretrained.Recipe)
    }
    assert len(record["training_data_sha256"]) == 64
    label = loaded.label
    assert "\n" not in label and label.startswith("the package's pretrained cnn")
    assert f"stand-in v{record['standin_version']}" in label
    assert f"lit v{record['lit_faces_version']}" in label


def test_training_data_is_painted_faces_then_lit_ones():
    from fkp_helpers.standin import faces, lit_faces

    recipe = pretrained.Recipe(faces=6, lit_share=0.5, seed=4, test_faces=2)
    images, keypoints = pretrained.training_data(recipe)
    painted_images, painted_points = faces.render_faces(3, seed=4)
    lit_images, lit_points = lit_faces.render_faces(3, seed=4)
    np.testing.assert_array_equal(
        images[..., 0], np.concatenate([painted_images, lit_images]) / np.float32(255)
    )
    np.testing.assert_array_equal(
        keypoints, np.concatenate([painted_points, lit_points])
    )
    test_images, _ = pretrained.training_data(
        recipe, stream=pretrained.TEST_STREAM, lit=True
    )
    unseen, _ = lit_faces.render_faces(2, seed=4, stream=pretrained.TEST_STREAM)
    np.testing.assert_array_equal(test_images[..., 0], unseen / np.float32(255))


def test_model_file_is_small_package_data():
    assert pretrained.MODEL_FILE.stat().st_size < 2 * 1024 * 1024
    assert pretrained.MODEL_FILE.parent == pretrained.RECORD_FILE.parent


@pytest.mark.parametrize("missing", ["MODEL_FILE", "RECORD_FILE"])
def test_a_missing_file_is_a_run_error_naming_it(tmp_path, monkeypatch, missing):
    gone = tmp_path / "gone" / getattr(pretrained, missing).name
    monkeypatch.setattr(pretrained, missing, gone)
    with pytest.raises(RunError) as raised:
        pretrained.load_pretrained()
    message = str(raised.value)
    assert str(gone) in message and "\n" not in message
    assert "make pretrained" in message


def test_an_unreadable_model_file_is_a_run_error_naming_it(tmp_path, monkeypatch):
    broken = tmp_path / "cnn.keras"
    broken.write_bytes(b"not a Keras file")
    monkeypatch.setattr(pretrained, "MODEL_FILE", broken)
    with pytest.raises(RunError, match="unreadable") as raised:
        pretrained.load_pretrained()
    assert str(broken) in str(raised.value)


def test_fingerprint_is_stable_and_sees_one_keypoint_move():
    rng = np.random.default_rng(1)
    images = rng.random((4, IMAGE_SIZE, IMAGE_SIZE, 1), dtype=np.float32)
    keypoints = rng.uniform(0, IMAGE_SIZE - 1, (4, NUM_TARGETS)).astype(np.float32)
    first = pretrained.fingerprint(images, keypoints)
    assert len(first) == 64
    assert pretrained.fingerprint(images.copy(), keypoints.copy()) == first
    moved = keypoints.copy()
    moved[2, 7] += 0.5
    assert pretrained.fingerprint(images, moved) != first
