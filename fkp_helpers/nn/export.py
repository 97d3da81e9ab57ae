"""A trained run, saved for serving: one Keras file and one TFLite file that need none
of this package.

:func:`serving_model` wraps a run's network in a Keras functional model that
takes images ``(N, 96, 96, 1)`` float32 in ``[0, 1]`` and returns keypoints
``(N, 30)`` float32 in **pixels** (Kaggle's column order), exactly what
``load_run(run_dir).predict_px`` returns:

* the run's target scaling is a built-in ``Rescaling`` layer
  (``pixels = model units · scale + offset``);
* for a run trained with flips (``cnn``), the graph also mirrors the image
  (``keras.ops.flip``), predicts, mirrors those keypoints back (``x → 95 − x``
  and every left/right pair swapped, as :func:`fkp_helpers.nn.tf_data.flip_horizontally`
  does) and averages the two predictions,
  like :func:`fkp_helpers.nn.training.predict_px`.

It holds only built-in Keras layers and ``keras.ops`` calls, no custom layer,
so ``keras.saving.load_model("keypoints.keras")`` loads it in any program with
Keras 3 and nothing of ``fkp_helpers`` imported (checked with Keras 3.13 and
3.15 on TensorFlow 2.21).

:func:`export_run` writes ``keypoints.keras`` and ``keypoints.tflite`` into a
folder, each atomically (:mod:`fkp_helpers.atomic`). The TFLite file is
float32, or with ``float16=True`` holds its weights in float16: half the size,
no faster on a CPU (the weights are widened back to float32 when loaded), and
close to the float32 keypoints (``benchmarks/export_latency.py`` measures how
close). :func:`tflite_flatbuffer` can also quantise dynamically (int8 weights);
the benchmark measures that too, but :func:`export_run` does not offer it: it
missed :data:`MAX_DIFFERENCE_PX` when measured.

The TFLite file is converted from a SavedModel (``model.export(...,
format="tf_saved_model")`` then ``tf.lite.TFLiteConverter.from_saved_model``):
Keras 3's own route, which TF 2.21's ``TFLiteConverter.from_keras_model`` also
takes internally for a Keras 3 model, but printing the SavedModel's whole
signature to stdout. :class:`TFLiteKeypoints` runs the TFLite file.

This module imports TensorFlow.
"""

from __future__ import annotations

import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from ..atomic import atomic_write
from ..errors import RunError
from ..keypoints import IMAGE_SIZE, NUM_TARGETS, flip_permutation
from .models import INPUT_SHAPE
from .tensorflow_setup import keras, stderr_file_descriptor_silenced, tf
from .tf_data import X_COLUMNS
from .training import TrainedRun, load_run, save_model_atomically

KERAS_FILE = "keypoints.keras"
TFLITE_FILE = "keypoints.tflite"
MAX_DIFFERENCE_PX = 0.1
"""The most the two exported files' keypoints may differ by, in pixels."""


@dataclass(frozen=True)
class ExportedFiles:
    """The two files :func:`export_run` wrote, and their sizes in bytes."""

    keras_path: Path
    tflite_path: Path

    @property
    def keras_bytes(self) -> int:
        return self.keras_path.stat().st_size

    @property
    def tflite_bytes(self) -> int:
        return self.tflite_path.stat().st_size


def serving_model(run: TrainedRun) -> keras.Model:
    """``run``'s network as a model from images ``(N, 96, 96, 1)`` in ``[0, 1]`` to
    keypoints ``(N, 30)`` in pixels.

    Flip-averaged when the run trained with flips; float32 throughout. The
    result equals ``run.predict_px(images)`` (see the module docstring).
    """
    spec = run.spec
    images = keras.Input(shape=INPUT_SHAPE, dtype="float32", name="image")
    keypoints = keras.layers.Rescaling(
        spec.scaling.scale, offset=spec.scaling.offset, name="to_pixels"
    )(run.model(images))
    if run.config.flip:
        mirrored = keras.ops.flip(images, axis=2)
        from_mirror = keras.layers.Rescaling(
            spec.scaling.scale, offset=spec.scaling.offset, name="mirror_to_pixels"
        )(run.model(mirrored))
        keypoints = keras.layers.Average(name="flip_average")(
            [keypoints, _mirror_keypoints(from_mirror)]
        )
    return keras.Model(
        images, keypoints, name=f"{spec.name.replace('-', '_')}_keypoints_px"
    )


def _mirror_keypoints(keypoints_px: keras.KerasTensor) -> keras.KerasTensor:
    """Keypoints ``(N, 30)`` px of a mirrored image → those of the original: pairs
    swapped, ``x → 95 − x``."""
    swapped = keras.ops.take(
        keypoints_px, np.asarray(flip_permutation(), dtype="int32"), axis=1
    )
    return keras.ops.where(X_COLUMNS, float(IMAGE_SIZE - 1) - swapped, swapped)


def export_run(
    run_dir: str | Path, out_dir: str | Path, *, float16: bool = False
) -> ExportedFiles:
    """Write ``out_dir/keypoints.keras`` and ``out_dir/keypoints.tflite`` for the run in
    ``run_dir``.

    Both hold :func:`serving_model`: images ``(N, 96, 96, 1)`` float32 in
    ``[0, 1]`` → keypoints ``(N, 30)`` float32 in pixels; ``float16`` stores
    the TFLite file's weights in float16. The TFLite file is converted before
    anything is written, and each file goes to a temporary name in ``out_dir``
    first and is then moved into place, so a failure leaves no partial file.
    :class:`~fkp_helpers.errors.RunError` for an unusable run folder or an ``out_dir``
    that is a file.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise RunError(
            "exists and is not a folder",
            path=out_dir,
            fix="name a folder to export into",
        )
    model = serving_model(load_run(run_dir))
    flatbuffer = tflite_flatbuffer(model, quantization="float16" if float16 else "none")
    out_dir.mkdir(parents=True, exist_ok=True)
    files = ExportedFiles(
        keras_path=out_dir / KERAS_FILE, tflite_path=out_dir / TFLITE_FILE
    )
    save_model_atomically(model, files.keras_path)
    with atomic_write(files.tflite_path, "wb") as out:
        out.write(flatbuffer)
    return files


Quantization = Literal["none", "float16", "dynamic-range"]
"""TFLite weights: float32; float16 (widened to float32 when loaded); int8 with
activations quantised on the fly."""


def tflite_flatbuffer(
    model: keras.Model, *, quantization: Quantization = "none"
) -> bytes:
    """``model`` converted to a TFLite flatbuffer, via a SavedModel in a temporary
    folder.

    ``quantization`` (see :data:`Quantization`) sets how the weights are stored.
    The converter's native log lines are kept off stderr; a failed conversion still
    raises.
    """
    if quantization not in ("none", "float16", "dynamic-range"):
        raise ValueError(
            "quantization must be 'none', 'float16' or 'dynamic-range', got "
            f"{quantization!r}"
        )
    with tempfile.TemporaryDirectory(prefix="fkp-export-") as folder:
        saved_model = str(Path(folder) / "saved_model")
        with stderr_file_descriptor_silenced():
            model.export(saved_model, format="tf_saved_model", verbose=False)
            converter = tf.lite.TFLiteConverter.from_saved_model(saved_model)
            if quantization != "none":
                converter.optimizations = [tf.lite.Optimize.DEFAULT]
            if quantization == "float16":
                converter.target_spec.supported_types = [tf.float16]
            return bytes(converter.convert())


class TFLiteKeypoints:
    """An exported ``keypoints.tflite``, run with TensorFlow's ``tf.lite.Interpreter``.

    ``ai_edge_litert.interpreter.Interpreter`` (``pip install ai-edge-litert``)
    is the standalone LiteRT runtime with the same API, for serving without
    TensorFlow; TensorFlow marks its own copy deprecated, and this class keeps
    that warning and the runtime's "Created TensorFlow Lite XNNPACK delegate"
    line quiet. ``num_threads`` goes to the interpreter (``None``: its default).
    """

    def __init__(self, path: str | Path, *, num_threads: int | None = None) -> None:
        if num_threads is not None and num_threads < 1:
            raise ValueError(f"num_threads must be at least 1, got {num_threads}")
        self.path = Path(path)
        try:
            self._content = self.path.read_bytes()
        except OSError as error:
            raise RunError(str(error.strerror or error), path=self.path) from None
        try:
            with warnings.catch_warnings(), stderr_file_descriptor_silenced():
                warnings.filterwarnings(
                    "ignore",
                    message=".*tf.lite.Interpreter is deprecated",
                    category=UserWarning,
                )
                self._interpreter = tf.lite.Interpreter(
                    model_content=self._content, num_threads=num_threads
                )
                self._interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as error:
            reason = " ".join(str(error).split())[:200]
            raise RunError(
                f"not a readable TFLite model ({reason})", path=self.path
            ) from None
        self._input = self._interpreter.get_input_details()[0]
        self._output = self._interpreter.get_output_details()[0]
        if (
            tuple(self._input["shape_signature"][1:]) != INPUT_SHAPE
            or self._output["shape"][-1] != NUM_TARGETS
        ):
            raise RunError(
                f"not a keypoints model (input {self._input['shape_signature']}, "
                f"output {self._output['shape']})",
                path=self.path,
            )
        self._batch = int(self._input["shape"][0])

    @property
    def size_bytes(self) -> int:
        """Size of the TFLite file as loaded, in bytes."""
        return len(self._content)

    def predict_px(self, images: np.ndarray) -> np.ndarray:
        """Keypoints ``(N, 30)`` float32 in pixels for ``images`` ``(N, 96, 96, 1)``
        float32 in ``[0, 1]``.

        The interpreter's input is resized to ``N`` when ``N`` changes.
        """
        images = np.ascontiguousarray(images, dtype=np.float32)
        if images.ndim != 4 or images.shape[1:] != INPUT_SHAPE:
            raise ValueError(
                f"expected images of shape (N, {', '.join(map(str, INPUT_SHAPE))}), "
                f"got {images.shape}"
            )
        if len(images) == 0:
            return np.empty((0, NUM_TARGETS), dtype=np.float32)
        if len(images) != self._batch:
            self._interpreter.resize_tensor_input(
                self._input["index"], list(images.shape), strict=True
            )
            self._interpreter.allocate_tensors()
            self._batch = len(images)
        self._interpreter.set_tensor(self._input["index"], images)
        self._interpreter.invoke()
        return np.array(
            self._interpreter.get_tensor(self._output["index"]), dtype=np.float32
        )
