"""Helpers for the Facial Keypoints Book.

``import fkp_helpers`` is light: it pulls in neither TensorFlow, matplotlib nor
pandas. Names below are loaded from their modules on first use.

The package is laid out like the book:

* :mod:`fkp_helpers.data` — Kaggle's files: reading, caching, finding, checking,
  submissions;
* :mod:`fkp_helpers.standin` — the generated stand-in: faces, the dataset writer, photo
  scenes;
* :mod:`fkp_helpers.nn` — TensorFlow: devices, ``tf.data``, losses, models, training,
  export;
* :mod:`fkp_helpers.figures` — the book's figures and tables;
* :mod:`fkp_helpers.photo` — keypoints on any photo (OpenCV);
* :mod:`fkp_helpers.cli` — the ``fkp`` command line, the only part that knows exit
  codes;

with :mod:`~fkp_helpers.keypoints`, :mod:`~fkp_helpers.metrics`,
:mod:`~fkp_helpers.errors`, :mod:`~fkp_helpers.atomic` and :mod:`~fkp_helpers.settings`
at the top, used by all.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "FkpError": "errors",
    "DataError": "errors",
    "ConfigError": "errors",
    "RunError": "errors",
    "PhotoError": "errors",
    "IMAGE_SIZE": "keypoints",
    "KEYPOINT_NAMES": "keypoints",
    "KEYPOINT_COLUMNS": "keypoints",
    "FLIP_PAIRS": "keypoints",
    "FOUR_KEYPOINT_SOURCE": "keypoints",
    "flip_permutation": "keypoints",
    "load_training": "data.kaggle_csv",
    "load_test": "data.kaggle_csv",
    "load_lookup": "data.kaggle_csv",
    "load_locations": "data.kaggle_csv",
    "LookupTable": "data.kaggle_csv",
    "find_data": "data.sources",
    "DataSource": "data.sources",
    "write_dataset": "standin.dataset",
    "render_faces": "standin.dataset",
    "plot_faces": "figures.faces",
    "quick_mode": "settings",
    "TrainConfig": "nn.training",
    "train": "nn.training",
    "load_run": "nn.training",
    "rmse_px": "metrics",
    "rmse_per_keypoint_px": "metrics",
    "build_model": "nn.models",
    "get_spec": "nn.models",
    "MODEL_NAMES": "nn.models",
    "detect_plan": "nn.devices",
    "read_image": "photo",
    "detect_keypoints": "photo",
    "draw_keypoints": "photo",
    "export_run": "nn.export",
    "TFLiteKeypoints": "nn.export",
}

__all__ = sorted(_LAZY)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .data.kaggle_csv import (
        LookupTable,
        load_locations,
        load_lookup,
        load_test,
        load_training,
    )
    from .data.sources import DataSource, find_data
    from .errors import ConfigError, DataError, FkpError, PhotoError, RunError
    from .figures.faces import plot_faces
    from .keypoints import (
        FLIP_PAIRS,
        FOUR_KEYPOINT_SOURCE,
        IMAGE_SIZE,
        KEYPOINT_COLUMNS,
        KEYPOINT_NAMES,
        flip_permutation,
    )
    from .metrics import rmse_per_keypoint_px, rmse_px
    from .nn.devices import detect_plan
    from .nn.export import TFLiteKeypoints, export_run
    from .nn.models import MODEL_NAMES, build_model, get_spec
    from .nn.training import TrainConfig, load_run, train
    from .photo import detect_keypoints, draw_keypoints, read_image
    from .settings import quick_mode
    from .standin.dataset import render_faces, write_dataset

# Modules before the package was split into subpackages -> where they live now.
# Models saved before the move name ``fkp_helpers.losses`` as their loss's
# module, and Keras imports that name to load them; older code imports the
# others. Importing an old name gives the new module itself (no copy, no warning).
_MOVED_MODULES: dict[str, str] = {
    "cli_detect": "cli.detect",
    "cli_export": "cli.export",
    "cli_models": "cli.models",
    "cli_types": "cli.argtypes",
    "data_check": "data.check",
    "devices": "nn.devices",
    "error_plots": "figures.error_analysis",
    "export": "nn.export",
    "faces": "standin.faces",
    "kaggle_csv": "data.kaggle_csv",
    "learning_curves": "figures.learning_curves",
    "losses": "nn.losses",
    "models": "nn.models",
    "parse_cache": "data.parse_cache",
    "paths": "settings",
    "plots": "figures.faces",
    "progress": "standin.progress",
    "reports": "figures.benchmark_tables",
    "run_cache": "nn.run_cache",
    "scenes": "standin.scenes",
    "sources": "data.sources",
    "submission": "data.submission",
    "synthetic": "standin.dataset",
    "tensorflow_setup": "nn.tensorflow_setup",
    "tf_data": "nn.tf_data",
    "training": "nn.training",
}


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import ``fkp_helpers.<old name>`` as the module it moved to
    (see :data:`_MOVED_MODULES`)."""

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != __name__ or name not in _MOVED_MODULES:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def exec_module(self, module: types.ModuleType) -> None:
        moved = importlib.import_module(
            f"{__name__}.{_MOVED_MODULES[module.__name__.rpartition('.')[2]]}"
        )
        sys.modules[module.__name__] = (
            moved  # the import statement returns this entry: the real module
        )


if not any(isinstance(finder, _MovedModuleFinder) for finder in sys.meta_path):
    sys.meta_path.insert(
        0, _MovedModuleFinder()
    )  # before an editable install's finder, which knows the old files


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fkp_helpers' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
