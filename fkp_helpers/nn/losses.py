"""Losses and a metric that skip missing keypoints, so every training row can be used.

A missing keypoint is ``NaN`` in ``y_true``. The loss is the mean over the
*labelled* values of the batch only; the NaNs are replaced with ``tf.where``
before any arithmetic touches them, so the loss and its gradient stay finite.
On rows with all 30 values labelled, the losses equal Keras's plain MSE and
article A's ``sqrt(mean(square(pred - y)))``.

Targets here are in the model's scaled units (see
:class:`fkp_helpers.nn.models.TargetScaling`); :class:`MaskedRMSEPixels` multiplies
back into pixels. This module imports TensorFlow; the classes are registered
with Keras (package ``fkp``) so saved models load again.
"""

from __future__ import annotations

from typing import Any

from .tensorflow_setup import keras, tf

_SMALLEST_MSE = 1e-12
"""Floor under the mean before the square root, so that ``sqrt`` never sees 0 (infinite
slope)."""


def masked_squared_errors(
    y_true: tf.Tensor, y_pred: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """Squared errors (0 where ``y_true`` is NaN) and the 0/1 mask of labelled values,
    both float32 like ``y_true``."""
    y_true = tf.cast(y_true, tf.float32)
    y_pred = tf.cast(y_pred, tf.float32)
    labelled = tf.logical_not(tf.math.is_nan(y_true))
    safe_true = tf.where(labelled, y_true, tf.zeros_like(y_true))
    squared = tf.where(labelled, tf.square(y_pred - safe_true), tf.zeros_like(y_true))
    return squared, tf.cast(labelled, tf.float32)


def masked_mean_squared_error(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    """Mean squared error over the labelled values of the batch (a float32 scalar; 0 if
    none is labelled)."""
    squared, labelled = masked_squared_errors(y_true, y_pred)
    return tf.reduce_sum(squared) / tf.maximum(tf.reduce_sum(labelled), 1.0)


def masked_root_mean_squared_error(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    """Square root of :func:`masked_mean_squared_error` (article A's loss when nothing
    is missing)."""
    return tf.sqrt(tf.maximum(masked_mean_squared_error(y_true, y_pred), _SMALLEST_MSE))


@keras.saving.register_keras_serializable(package="fkp")
class MaskedMeanSquaredError(keras.losses.Loss):
    """Keras loss: :func:`masked_mean_squared_error` of each batch."""

    def __init__(self, name: str = "masked_mse", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)

    def call(self, y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
        return masked_mean_squared_error(y_true, y_pred)


@keras.saving.register_keras_serializable(package="fkp")
class MaskedRootMeanSquaredError(keras.losses.Loss):
    """Keras loss: :func:`masked_root_mean_squared_error` of each batch."""

    def __init__(self, name: str = "masked_rmse", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)

    def call(self, y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
        return masked_root_mean_squared_error(y_true, y_pred)


@keras.saving.register_keras_serializable(package="fkp")
class MaskedRMSEPixels(keras.metrics.Metric):
    """RMSE in pixels over all labelled values seen in an epoch (not a mean of batch
    RMSEs).

    ``pixels_per_unit`` converts the model's scaled units back into pixels
    (``TargetScaling.scale``: 48 for ``(y - 48) / 48``, 96 for ``y / 96``).
    """

    def __init__(
        self, pixels_per_unit: float = 1.0, name: str = "rmse_px", **kwargs: Any
    ) -> None:
        super().__init__(name=name, **kwargs)
        self.pixels_per_unit = float(pixels_per_unit)
        self.sum_squared = self.add_variable(
            shape=(), initializer="zeros", name="sum_squared"
        )
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(
        self,
        y_true: tf.Tensor,
        y_pred: tf.Tensor,
        sample_weight: tf.Tensor | None = None,
    ) -> None:
        if sample_weight is not None:
            raise ValueError("MaskedRMSEPixels does not take sample weights")
        squared, labelled = masked_squared_errors(y_true, y_pred)
        self.sum_squared.assign_add(tf.reduce_sum(squared))
        self.count.assign_add(tf.reduce_sum(labelled))

    def result(self) -> tf.Tensor:
        return (
            tf.sqrt(self.sum_squared / tf.maximum(self.count, 1.0))
            * self.pixels_per_unit
        )

    def reset_state(self) -> None:
        self.sum_squared.assign(0.0)
        self.count.assign(0.0)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pixels_per_unit": self.pixels_per_unit}
