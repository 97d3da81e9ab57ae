"""The book's three networks, each with its target scaling and training defaults, in one
registry.

* ``mlp`` — article B's net1: 9216 inputs → dense 100 (ReLU) → dense 30;
  targets ``(y - 48) / 48``; SGD with Nesterov momentum (0.01, 0.9); MSE.
* ``seed-cnn`` — article A's network, layer for layer (see :func:`build_seed_cnn`);
  targets ``y / 96``; RMSE; Adam 1e-3; batches of 64.
* ``cnn`` — this book's recipe: a small conv net with batch normalisation and
  a soft-argmax heatmap head, flip augmentation, a masked loss over every row,
  AdamW with a cosine learning-rate schedule (see :func:`build_cnn`).

Every model takes ``(batch, 96, 96, 1)`` float32 images in ``[0, 1]`` and
returns ``(batch, 30)`` float32 targets in its own units;
:attr:`ModelSpec.scaling` converts to and from pixels, so callers only ever
see pixels. Keras is imported inside the functions that need it: importing
this module (for :data:`MODEL_NAMES`) is cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..keypoints import IMAGE_SIZE, KEYPOINT_NAMES, NUM_TARGETS

if TYPE_CHECKING:  # pragma: no cover
    import keras

INPUT_SHAPE = (IMAGE_SIZE, IMAGE_SIZE, 1)


@dataclass(frozen=True)
class TargetScaling:
    """``model units = (pixels - offset) / scale``; ``scale`` is also pixels per model
    unit."""

    offset: float
    scale: float

    def to_model(self, y_px: Any) -> Any:
        """Pixels → model units (NumPy arrays or tensors; NaN stays NaN)."""
        return (y_px - self.offset) / self.scale

    def to_pixels(self, y_model: Any) -> Any:
        """Model units → pixels."""
        return y_model * self.scale + self.offset


CENTRED = TargetScaling(offset=48.0, scale=48.0)
"""``(y - 48) / 48``: targets in ``[-1, 1]`` (article B, and ``cnn``)."""

UNIT = TargetScaling(offset=0.0, scale=96.0)
"""``y / 96``: targets in ``[0, 1]`` (article A)."""


@dataclass(frozen=True)
class ModelSpec:
    """A network and how it is trained by default.

    ``build(dtype_policy)`` returns an uncompiled ``keras.Model`` (all layers
    but the float32 output in ``dtype_policy``); ``make_optimizer(steps_per_epoch,
    epochs)`` a fresh optimizer; ``loss`` names the masked loss in
    :mod:`fkp_helpers.nn.losses`. ``valid_rows`` / ``valid_fraction`` is the
    default validation split (the first rows, or a seeded random fraction).
    ``scheduled_learning_rate`` marks an optimizer with its own learning-rate
    schedule (which ``ReduceLROnPlateau`` cannot change).
    """

    name: str
    summary: str
    build: Callable[[str], keras.Model]
    scaling: TargetScaling
    make_optimizer: Callable[[int, int], keras.optimizers.Optimizer]
    loss: Literal["mse", "rmse"]
    batch_size: int
    epochs: int
    patience: int
    flip: bool
    valid_rows: int | None = None
    valid_fraction: float | None = None
    scheduled_learning_rate: bool = False


def build_mlp(dtype_policy: str = "float32") -> keras.Model:
    """Article B's net1: flatten 96·96 → dense 100 (ReLU) → dense 30 (linear).

    Keras's default Glorot-uniform weights and zero biases, as Lasagne's.
    """
    from .tensorflow_setup import keras

    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = keras.layers.Flatten(dtype=dtype_policy)(inputs)
    x = keras.layers.Dense(100, activation="relu", name="hidden", dtype=dtype_policy)(x)
    outputs = keras.layers.Dense(NUM_TARGETS, name="keypoints", dtype="float32")(x)
    return keras.Model(inputs, outputs, name="mlp")


def build_seed_cnn(dtype_policy: str = "float32") -> keras.Model:
    """Article A's network, exactly.

    conv 3x3x32 → maxpool 2x2 → conv 2x2x64 → maxpool → conv 2x2x128 → maxpool
    (convolutions ``VALID``, pools ``SAME``: 96 → 94 → 47 → 46 → 23 → 22 → 11, so
    the flattened size is 11·11·128 = 15488) → dense 500 → dense 500 → dropout
    0.5 → dense 30. ReLU everywhere but the output; weights truncated-normal
    (stddev 0.1), biases 0.1.
    """
    from .tensorflow_setup import keras

    def weights() -> keras.initializers.Initializer:
        return keras.initializers.TruncatedNormal(stddev=0.1)

    def biases() -> keras.initializers.Initializer:
        return keras.initializers.Constant(0.1)

    def conv(filters: int, size: int, name: str) -> keras.layers.Layer:
        return keras.layers.Conv2D(
            filters,
            size,
            padding="valid",
            activation="relu",
            kernel_initializer=weights(),
            bias_initializer=biases(),
            name=name,
            dtype=dtype_policy,
        )

    def pool(name: str) -> keras.layers.Layer:
        return keras.layers.MaxPooling2D(
            2, padding="same", name=name, dtype=dtype_policy
        )

    def dense(
        units: int,
        name: str,
        activation: str | None = "relu",
        dtype: str = dtype_policy,
    ) -> keras.layers.Layer:
        return keras.layers.Dense(
            units,
            activation=activation,
            kernel_initializer=weights(),
            bias_initializer=biases(),
            name=name,
            dtype=dtype,
        )

    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = pool("pool1")(conv(32, 3, "conv1")(inputs))
    x = pool("pool2")(conv(64, 2, "conv2")(x))
    x = pool("pool3")(conv(128, 2, "conv3")(x))
    x = keras.layers.Flatten(name="flatten", dtype=dtype_policy)(x)
    x = dense(500, "dense1")(x)
    x = dense(500, "dense2")(x)
    x = keras.layers.Dropout(0.5, name="dropout", dtype=dtype_policy)(x)
    outputs = dense(NUM_TARGETS, "keypoints", activation=None, dtype="float32")(x)
    return keras.Model(inputs, outputs, name="seed_cnn")


CNN_FILTERS = (16, 32, 64, 128)
"""Filters of ``cnn``'s stem (stride 2: 96 → 48 pixels), block 1 (→ pool: 24),
block 2 (→ pool: 12) and block 3 (two convolutions at 12x12)."""

CNN_HEATMAP_SIZE = 12
"""``cnn`` predicts each keypoint as a 12x12 heatmap: one cell per 8x8 pixels."""

BATCH_NORM_MOMENTUM = 0.9
"""Faster than Keras's 0.99, so the running statistics used at inference keep up with a
short training run."""


def build_cnn(dtype_policy: str = "float32") -> keras.Model:
    """This book's network: cheaper than ``seed-cnn`` on a CPU, and far more accurate.

    Convolutions (3x3, "same", each followed by batch normalisation and ReLU):
    a stride-2 stem, then [conv → 2x2 max-pool], [conv], [2x2 max-pool → conv →
    conv], with :data:`CNN_FILTERS` filters, down to a 12x12x128 map. A 1x1
    convolution turns it into one 12x12 *heatmap* per keypoint; a softmax makes
    each heatmap a probability map, and the keypoint is its expected position
    (``soft-argmax``, or integral regression; see :func:`soft_argmax`). Unlike a
    dense layer reading a flattened map, this head keeps the convolutions'
    sense of *where*, so it learns fast and to a fraction of a cell.
    """
    from .tensorflow_setup import keras

    def conv_norm_relu(
        x: keras.KerasTensor, filters: int, name: str, strides: int = 1
    ) -> keras.KerasTensor:
        x = keras.layers.Conv2D(
            filters,
            3,
            strides=strides,
            padding="same",
            use_bias=False,
            name=f"{name}_conv",
            dtype=dtype_policy,
        )(x)
        x = keras.layers.BatchNormalization(
            momentum=BATCH_NORM_MOMENTUM, name=f"{name}_norm", dtype=dtype_policy
        )(x)
        return keras.layers.ReLU(name=f"{name}_relu", dtype=dtype_policy)(x)

    stem, first, second, third = CNN_FILTERS
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = conv_norm_relu(inputs, stem, "stem", strides=2)
    x = conv_norm_relu(x, first, "block1")
    x = keras.layers.MaxPooling2D(2, name="block1_pool", dtype=dtype_policy)(x)
    x = conv_norm_relu(x, second, "block2")
    x = keras.layers.MaxPooling2D(2, name="block2_pool", dtype=dtype_policy)(x)
    x = conv_norm_relu(x, third, "block3a")
    x = conv_norm_relu(x, third, "block3b")
    heatmaps = keras.layers.Conv2D(
        len(KEYPOINT_NAMES), 1, name="heatmaps", dtype="float32"
    )(x)
    return keras.Model(inputs, soft_argmax(heatmaps, CENTRED), name="cnn")


def soft_argmax(
    heatmaps: keras.KerasTensor, scaling: TargetScaling
) -> keras.KerasTensor:
    """Heatmap logits ``(batch, H, W, 15)`` → each keypoint's expected ``(x, y)``:
    ``(batch, 30)``, ``scaling``'s units.

    A softmax over the ``H·W`` cells of each heatmap gives probabilities; the
    expected position is their product with the fixed grid of cell centres,
    computed by a frozen bias-free ``Dense`` layer (so the model holds only
    built-in Keras layers). Cell ``i`` of ``W`` across 96 pixels has its
    centre at pixel ``(i + 0.5) · 96 / W - 0.5``: the grid is symmetric under
    ``x → 95 - x``, like the flip. Output columns follow Kaggle's order
    ``<name>_x, <name>_y``. Everything here runs in float32.
    """
    from .tensorflow_setup import keras

    height, width, channels = heatmaps.shape[1:]
    x = keras.layers.Permute((3, 1, 2), name="per_keypoint", dtype="float32")(heatmaps)
    x = keras.layers.Reshape((channels, height * width), name="cells", dtype="float32")(
        x
    )
    x = keras.layers.Softmax(axis=-1, name="probabilities", dtype="float32")(x)
    expectation = keras.layers.Dense(
        2, use_bias=False, trainable=False, name="expected_position", dtype="float32"
    )
    x = expectation(x)  # (batch, 15, 2): x then y of each keypoint
    expectation.set_weights([_cell_centres(height, width, scaling)])
    return keras.layers.Reshape((2 * channels,), name="keypoints", dtype="float32")(x)


def _cell_centres(height: int, width: int, scaling: TargetScaling) -> np.ndarray:
    """``(height·width, 2)`` float32: the ``(x, y)`` centre of each cell, row-major, in
    ``scaling``'s units."""
    xs = (np.arange(width) + 0.5) * IMAGE_SIZE / width - 0.5
    ys = (np.arange(height) + 0.5) * IMAGE_SIZE / height - 0.5
    grid_x, grid_y = np.meshgrid(xs, ys)  # grid_x[row, column]
    centres = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
    return np.asarray(scaling.to_model(centres), dtype=np.float32)


def _sgd_nesterov(steps_per_epoch: int, epochs: int) -> keras.optimizers.Optimizer:
    from .tensorflow_setup import keras

    return keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True)


def _adam_article_a(steps_per_epoch: int, epochs: int) -> keras.optimizers.Optimizer:
    from .tensorflow_setup import keras

    return keras.optimizers.Adam(
        learning_rate=1e-3, epsilon=1e-8
    )  # TF 1's AdamOptimizer defaults


def cnn_learning_rate(
    steps_per_epoch: int, epochs: int
) -> keras.optimizers.schedules.LearningRateSchedule:
    """``cnn``'s schedule: linear warm-up to 2e-3 over the first epoch, then cosine
    decay to 1 % by the last step."""
    from .tensorflow_setup import keras

    warmup = steps_per_epoch
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0,
        warmup_target=2e-3,
        warmup_steps=warmup,
        decay_steps=max(1, steps_per_epoch * epochs - warmup),
        alpha=0.01,
    )


def _adamw_cosine(steps_per_epoch: int, epochs: int) -> keras.optimizers.Optimizer:
    from .tensorflow_setup import keras

    return keras.optimizers.AdamW(
        learning_rate=cnn_learning_rate(steps_per_epoch, epochs), weight_decay=1e-4
    )


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="mlp",
            summary="article B's net1: one hidden layer of 100 units",
            build=build_mlp,
            scaling=CENTRED,
            make_optimizer=_sgd_nesterov,
            loss="mse",
            batch_size=128,
            epochs=400,
            patience=400,
            flip=False,
            valid_fraction=0.2,
        ),
        ModelSpec(
            name="seed-cnn",
            summary="article A's CNN: 3 conv + 2 dense layers",
            build=build_seed_cnn,
            scaling=UNIT,
            make_optimizer=_adam_article_a,
            loss="rmse",
            batch_size=64,
            epochs=100,
            patience=10,
            flip=False,
            valid_rows=100,
        ),
        ModelSpec(
            name="cnn",
            summary="this book's CNN: batch norm, soft-argmax heatmaps, flips, masked "
            "loss on all rows, AdamW + cosine",
            build=build_cnn,
            scaling=CENTRED,
            make_optimizer=_adamw_cosine,
            loss="mse",
            batch_size=64,
            epochs=40,
            patience=40,
            flip=True,
            valid_fraction=0.1,
            scheduled_learning_rate=True,
        ),
    )
}
"""Model name → :class:`ModelSpec`."""

MODEL_NAMES: tuple[str, ...] = tuple(MODELS)


def get_spec(name: str) -> ModelSpec:
    """The :class:`ModelSpec` called ``name``; ``ValueError`` naming the choices
    otherwise."""
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(
            f"unknown model {name!r}; expected one of {', '.join(MODEL_NAMES)}"
        ) from None


def build_model(name: str, dtype_policy: str = "float32") -> keras.Model:
    """Uncompiled model ``name`` (see :data:`MODELS`)."""
    return get_spec(name).build(dtype_policy)
