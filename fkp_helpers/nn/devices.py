"""Which device trains, decided once: CPU, one GPU, or several GPUs in step.

:func:`plan_devices` is a pure function from the list of GPU names to a
:class:`DevicePlan`, so the decision is testable anywhere; :func:`detect_plan`
asks TensorFlow for the GPUs, and :func:`distribution_strategy` turns a plan
into the ``tf.distribute`` strategy to build and train the model under.

On a GPU the plan asks for mixed precision (``mixed_float16``: float16 maths,
float32 weights, a float32 output layer and loss scaling). On a CPU with
bfloat16 instructions (``avx512_bf16`` or ``amx_bf16``: recent Intel Xeon and
AMD EPYC) and TensorFlow's oneDNN kernels switched on (the default on x86
Linux) it asks for ``mixed_bfloat16`` (bfloat16 maths, float32 weights and
output layer; bfloat16 has float32's range, so no loss scaling); on other
CPUs everything stays float32. Without oneDNN (``TF_ENABLE_ONEDNN_OPTS=0``)
bfloat16 is emulated and far slower than float32, so the plan then keeps float32
(measurements: ``benchmarks/results/measurements.md``). ``mixed_precision=False``
keeps float32 anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

FLOAT32 = "float32"
MIXED_FLOAT16 = "mixed_float16"
MIXED_BFLOAT16 = "mixed_bfloat16"
BFLOAT16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
"""``/proc/cpuinfo`` flags of CPUs that compute in bfloat16 natively (elsewhere it is
emulated, and slow)."""


@dataclass(frozen=True)
class DevicePlan:
    """How to train: on what, in which precision, with which strategy.

    ``kind`` is ``"cpu"``, ``"gpu"`` (one) or ``"multi-gpu"`` (``MirroredStrategy``
    over ``gpu_names``); ``dtype_policy`` is the Keras dtype policy for every
    layer but the output layer.
    """

    kind: Literal["cpu", "gpu", "multi-gpu"]
    gpu_names: tuple[str, ...]
    dtype_policy: str

    @property
    def mixed_precision(self) -> bool:
        """True when layers compute in 16 bits (float16 or bfloat16) with float32
        weights."""
        return self.dtype_policy in (MIXED_FLOAT16, MIXED_BFLOAT16)

    @property
    def loss_scaling(self) -> bool:
        """True for float16, whose small range needs a scaled loss to keep gradients
        from underflowing."""
        return self.dtype_policy == MIXED_FLOAT16

    def describe(self) -> str:
        """One line for the reader, e.g.
        ``Training on 2 GPUs (…) with MirroredStrategy, mixed_float16``."""
        if self.kind == "cpu":
            cores = os.cpu_count() or 1
            return f"Training on the CPU ({cores} cores), {self.dtype_policy}"
        names = ", ".join(sorted(set(self.gpu_names)))
        if self.kind == "gpu":
            return f"Training on 1 GPU ({names}), {self.dtype_policy}"
        return (
            f"Training on {len(self.gpu_names)} GPUs ({names}) with MirroredStrategy, "
            f"{self.dtype_policy}"
        )


def plan_devices(
    gpu_names: Sequence[str],
    *,
    use_gpu: bool = True,
    cpu_bfloat16: bool = False,
    mixed_precision: bool = True,
) -> DevicePlan:
    """The plan for a machine with these GPUs (names as TensorFlow reports them).

    No GPUs, or ``use_gpu=False``: the CPU, in ``mixed_bfloat16`` if
    ``cpu_bfloat16`` (the CPU has bfloat16 instructions), else float32. One GPU:
    that GPU with ``mixed_float16``. Several: all of them under
    ``MirroredStrategy``, ``mixed_float16``. ``mixed_precision=False``: float32
    everywhere.
    """
    gpus = tuple(gpu_names) if use_gpu else ()
    if not gpus:
        policy = MIXED_BFLOAT16 if cpu_bfloat16 and mixed_precision else FLOAT32
        return DevicePlan(kind="cpu", gpu_names=(), dtype_policy=policy)
    kind: Literal["gpu", "multi-gpu"] = "gpu" if len(gpus) == 1 else "multi-gpu"
    return DevicePlan(
        kind=kind,
        gpu_names=gpus,
        dtype_policy=MIXED_FLOAT16 if mixed_precision else FLOAT32,
    )


def detect_plan(*, use_gpu: bool = True, mixed_precision: bool = True) -> DevicePlan:
    """:func:`plan_devices` for the GPUs TensorFlow sees and the CPU of this machine
    (imports TensorFlow)."""
    tf = _tensorflow()
    names = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        names.append(str(details.get("device_name", device.name)))
    cpu_bfloat16 = cpu_has_bfloat16() and onednn_enabled()
    return plan_devices(
        names,
        use_gpu=use_gpu,
        cpu_bfloat16=cpu_bfloat16,
        mixed_precision=mixed_precision,
    )


def onednn_enabled() -> bool:
    """False when ``TF_ENABLE_ONEDNN_OPTS`` switches TensorFlow's oneDNN CPU kernels off
    ("0" or "false")."""
    return os.environ.get("TF_ENABLE_ONEDNN_OPTS", "1").strip().lower() not in (
        "0",
        "false",
    )


def cpu_has_bfloat16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether the CPU lists one of :data:`BFLOAT16_CPU_FLAGS` (False where ``cpuinfo``
    cannot be read: not Linux)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    flags = {
        flag
        for line in text.splitlines()
        if line.startswith("flags")
        for flag in line.split(":", 1)[-1].split()
    }
    return any(flag in flags for flag in BFLOAT16_CPU_FLAGS)


def distribution_strategy(plan: DevicePlan) -> Any:
    """The ``tf.distribute.Strategy`` for ``plan``: ``MirroredStrategy`` for several
    GPUs, else the default.

    On a machine with GPUs, a CPU plan hides them from the default strategy by
    placing work on ``/cpu:0``.
    """
    tf = _tensorflow()
    if plan.kind == "multi-gpu":
        return tf.distribute.MirroredStrategy()
    if plan.kind == "cpu" and tf.config.list_physical_devices("GPU"):
        return tf.distribute.OneDeviceStrategy("/cpu:0")
    return tf.distribute.get_strategy()


def _tensorflow() -> Any:
    from .tensorflow_setup import tf

    return tf
