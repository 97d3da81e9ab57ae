"""The model registry: shapes, article A's exact layers, target scalings, mixed
precision."""

from __future__ import annotations

import subprocess
import sys

import keras
import numpy as np
import pytest

from fkp_helpers.nn.models import (
    MODEL_NAMES,
    MODELS,
    TargetScaling,
    build_model,
    cnn_learning_rate,
    get_spec,
    soft_argmax,
)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_model_maps_a_batch_of_images_to_30_float32_values(name):
    model = build_model(name)
    output = model(np.zeros((2, 96, 96, 1), np.float32), training=False)
    assert tuple(output.shape) == (2, 30)
    assert output.dtype == "float32"


def test_seed_cnn_is_article_a_network_with_an_11_by_11_by_128_flatten():
    model = build_model("seed-cnn")
    assert model.get_layer("flatten").output.shape[1] == 11 * 11 * 128
    shapes = [
        tuple(model.get_layer(name).output.shape[1:])
        for name in ("conv1", "pool1", "conv2", "pool2", "conv3")
    ]
    assert shapes == [
        (94, 94, 32),
        (47, 47, 32),
        (46, 46, 64),
        (23, 23, 64),
        (22, 22, 128),
    ]
    assert [model.get_layer(f"conv{i}").kernel_size for i in (1, 2, 3)] == [
        (3, 3),
        (2, 2),
        (2, 2),
    ]
    assert [model.get_layer(n).units for n in ("dense1", "dense2", "keypoints")] == [
        500,
        500,
        30,
    ]
    assert model.get_layer("dropout").rate == 0.5
    for name in ("conv1", "conv2", "conv3", "dense1", "dense2", "keypoints"):
        layer = model.get_layer(name)
        assert isinstance(layer.kernel_initializer, keras.initializers.TruncatedNormal)
        assert layer.kernel_initializer.stddev == 0.1
        np.testing.assert_allclose(layer.bias.numpy(), 0.1)
    assert model.get_layer("keypoints").activation is keras.activations.linear
    assert model.get_layer("dense2").activation is keras.activations.relu


def test_mlp_is_article_b_net1():
    model = build_model("mlp")
    assert model.count_params() == 9216 * 100 + 100 + 100 * 30 + 30
    optimizer = get_spec("mlp").make_optimizer(10, 10)
    assert isinstance(optimizer, keras.optimizers.SGD) and optimizer.nesterov
    assert (
        float(optimizer.learning_rate) == pytest.approx(0.01)
        and optimizer.momentum == 0.9
    )


@pytest.mark.parametrize(
    ("name", "offset", "scale"), [("mlp", 48, 48), ("seed-cnn", 0, 96), ("cnn", 48, 48)]
)
def test_each_model_scales_its_targets_and_back(name, offset, scale):
    scaling = get_spec(name).scaling
    y_px = np.array([[0.0, 48.0, 95.0, np.nan]])
    np.testing.assert_allclose(scaling.to_model(y_px), (y_px - offset) / scale)
    np.testing.assert_allclose(scaling.to_pixels(scaling.to_model(y_px)), y_px)


def test_the_cnn_schedule_warms_up_then_decays():
    schedule = cnn_learning_rate(steps_per_epoch=10, epochs=5)
    rates = [float(schedule(step)) for step in (0, 5, 10, 30, 50)]
    assert rates[0] < rates[1] < rates[2] and rates[2] > rates[3] > rates[4] > 0
    assert (
        get_spec("cnn").scheduled_learning_rate
        and not get_spec("seed-cnn").scheduled_learning_rate
    )


def test_the_soft_argmax_head_returns_the_centre_of_a_peaked_heatmap_in_kaggle_order():
    heatmaps = keras.Input((12, 12, 15))
    head = keras.Model(
        heatmaps, soft_argmax(heatmaps, TargetScaling(offset=0.0, scale=1.0))
    )
    logits = np.zeros((1, 12, 12, 15), np.float32)
    logits[0, 3, 10, 0] = (
        50.0  # keypoint 0 peaks in row 3, column 10: pixel centre (83.5, 27.5)
    )
    logits[0, 0, 0, 1] = 50.0  # keypoint 1 in the top-left cell: (3.5, 3.5)
    logits[0, :, 5:7, 2] = (
        50.0  # keypoint 2 spread evenly over columns 5 and 6: x = 47.5, y = 47.5
    )
    out = head(logits).numpy()[0]
    np.testing.assert_allclose(out[:6], [83.5, 27.5, 3.5, 3.5, 47.5, 47.5], atol=1e-3)
    np.testing.assert_allclose(
        out[6:], 47.5, atol=1e-3
    )  # flat heatmaps: the image centre
    assert not head.get_layer("expected_position").trainable


def test_mixed_precision_keeps_the_output_layer_in_float32():
    model = build_model("cnn", "mixed_float16")
    assert model.get_layer("stem_conv").compute_dtype == "float16"
    assert model.get_layer("stem_conv").variable_dtype == "float32"
    assert model.get_layer("heatmaps").compute_dtype == "float32"
    assert model.get_layer("keypoints").compute_dtype == "float32"


def test_unknown_names_are_refused_with_the_choices():
    with pytest.raises(ValueError, match="mlp, seed-cnn, cnn"):
        get_spec("resnet")
    assert set(MODELS) == set(MODEL_NAMES) == {"mlp", "seed-cnn", "cnn"}


def test_importing_the_registry_does_not_import_tensorflow():
    code = (
        "import fkp_helpers.nn.models, sys; "
        "print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
