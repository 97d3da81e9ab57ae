"""The masked losses and metric: NaN targets are skipped, and gradients stay finite."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from fkp_helpers.nn.losses import (
    MaskedMeanSquaredError,
    MaskedRMSEPixels,
    MaskedRootMeanSquaredError,
    masked_mean_squared_error,
    masked_root_mean_squared_error,
)


def _batch(seed: int = 0, rows: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, 30)).astype(np.float32), rng.normal(
        size=(rows, 30)
    ).astype(np.float32)


def test_on_complete_rows_the_losses_equal_plain_mse_and_article_a_rmse():
    y_true, y_pred = _batch()
    plain_mse = float(keras.losses.MeanSquaredError()(y_true, y_pred))
    assert float(MaskedMeanSquaredError()(y_true, y_pred)) == pytest.approx(
        plain_mse, rel=1e-6
    )
    article_a = float(tf.sqrt(tf.reduce_mean(tf.square(y_pred - y_true))))
    assert float(MaskedRootMeanSquaredError()(y_true, y_pred)) == pytest.approx(
        article_a, rel=1e-6
    )


def test_missing_targets_are_ignored():
    y_true, y_pred = _batch()
    y_true[1:, 8:] = np.nan
    labelled = ~np.isnan(y_true)
    expected = np.mean((y_pred[labelled] - y_true[labelled]) ** 2)
    assert float(masked_mean_squared_error(y_true, y_pred)) == pytest.approx(
        expected, rel=1e-6
    )
    assert float(masked_root_mean_squared_error(y_true, y_pred)) == pytest.approx(
        math.sqrt(expected), rel=1e-6
    )


@pytest.mark.parametrize(
    "loss", [masked_mean_squared_error, masked_root_mean_squared_error]
)
def test_gradients_are_finite_and_zero_where_the_target_is_missing(loss):
    y_true, y_pred = _batch()
    y_true[::2, 4:] = np.nan
    prediction = tf.Variable(y_pred)
    with tf.GradientTape() as tape:
        value = loss(tf.constant(y_true), prediction)
    gradient = tape.gradient(value, prediction).numpy()
    assert np.isfinite(value.numpy())
    assert np.isfinite(gradient).all()
    assert (gradient[np.isnan(y_true)] == 0).all()
    assert (gradient[~np.isnan(y_true)] != 0).all()


@pytest.mark.parametrize(
    "loss", [masked_mean_squared_error, masked_root_mean_squared_error]
)
def test_a_batch_without_labels_or_errors_gives_finite_gradients(loss):
    prediction = tf.Variable(np.zeros((2, 30), np.float32))
    for y_true in (np.full((2, 30), np.nan, np.float32), np.zeros((2, 30), np.float32)):
        with tf.GradientTape() as tape:
            value = loss(tf.constant(y_true), prediction)
        assert np.isfinite(value.numpy())
        assert np.isfinite(tape.gradient(value, prediction).numpy()).all()


def test_the_metric_is_the_rmse_over_all_labelled_values_of_all_batches_in_pixels():
    metric = MaskedRMSEPixels(pixels_per_unit=48.0)
    first_true, first_pred = _batch(1)
    second_true, second_pred = _batch(2, rows=2)
    second_true[:, 2:] = np.nan
    metric.update_state(first_true, first_pred)
    metric.update_state(second_true, second_pred)
    y_true = np.concatenate([first_true, second_true])
    y_pred = np.concatenate([first_pred, second_pred])
    labelled = ~np.isnan(y_true)
    expected = 48.0 * math.sqrt(np.mean((y_pred[labelled] - y_true[labelled]) ** 2))
    assert float(metric.result()) == pytest.approx(expected, rel=1e-5)
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_the_metric_keeps_its_scale_through_serialisation():
    restored = keras.metrics.deserialize(
        keras.metrics.serialize(MaskedRMSEPixels(pixels_per_unit=96.0))
    )
    assert isinstance(restored, MaskedRMSEPixels)
    assert restored.pixels_per_unit == 96.0
    assert isinstance(
        keras.losses.deserialize(keras.losses.serialize(MaskedRootMeanSquaredError())),
        MaskedRootMeanSquaredError,
    )
