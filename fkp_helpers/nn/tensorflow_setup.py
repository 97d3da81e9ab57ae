"""Import TensorFlow and Keras once, without the start-up notices they print.

``tensorflow-cpu`` 2.21 writes an absl "All log messages before
absl::InitializeLog()" line and a oneDNN notice to the process's stderr while it
loads, whatever ``TF_CPP_MIN_LOG_LEVEL`` says; the full ``tensorflow`` wheel on
a machine without a GPU (Colab's CPU runtime) writes ``E … cuda_platform.cc:51]
failed call to cuInit`` when the devices are first looked at. Both happen here,
with file descriptor 2 silenced: the import, then
``tf.config.list_physical_devices()``, which only lists the devices, so that
visible devices, memory growth, mixed precision and distribution strategies can
all still be set afterwards. Every ``fkp_helpers`` module that needs TensorFlow
imports it from here, so command-line output and notebook cells stay clean.
Import errors still raise as usual.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def stderr_file_descriptor_silenced() -> Iterator[None]:
    """Send file descriptor 2 (C++ logging) to /dev/null inside the block."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
with stderr_file_descriptor_silenced():
    import keras
    import tensorflow as tf

    # CUDA's cuInit runs (and may complain) here, silenced
    tf.config.list_physical_devices()

__all__ = ["keras", "stderr_file_descriptor_silenced", "tf"]
