"""Helpers for the Facial Keypoints Book.

``import fkp_helpers`` is light: it pulls in neither TensorFlow, matplotlib nor
pandas. Names below are loaded from their modules on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "DataError": "errors",
    "IMAGE_SIZE": "keypoints",
    "KEYPOINT_NAMES": "keypoints",
    "KEYPOINT_COLUMNS": "keypoints",
    "FLIP_PAIRS": "keypoints",
    "FOUR_KEYPOINT_SOURCE": "keypoints",
    "flip_permutation": "keypoints",
    "load_training": "kaggle_csv",
    "load_test": "kaggle_csv",
    "load_lookup": "kaggle_csv",
    "load_locations": "kaggle_csv",
    "LookupTable": "kaggle_csv",
    "find_data": "sources",
    "DataSource": "sources",
    "write_dataset": "synthetic",
    "render_faces": "synthetic",
    "plot_faces": "plots",
    "quick_mode": "settings",
    "TrainConfig": "training",
    "train": "training",
    "load_run": "training",
    "rmse_px": "metrics",
    "rmse_per_keypoint_px": "metrics",
    "build_model": "models",
    "get_spec": "models",
    "MODEL_NAMES": "models",
    "detect_plan": "devices",
    "read_image": "photo",
    "detect_keypoints": "photo",
    "draw_keypoints": "photo",
    "export_run": "export",
    "TFLiteKeypoints": "export",
}

__all__ = sorted(_LAZY)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .errors import DataError
    from .kaggle_csv import LookupTable, load_locations, load_lookup, load_test, load_training
    from .keypoints import (
        FLIP_PAIRS,
        FOUR_KEYPOINT_SOURCE,
        IMAGE_SIZE,
        KEYPOINT_COLUMNS,
        KEYPOINT_NAMES,
        flip_permutation,
    )
    from .devices import detect_plan
    from .export import TFLiteKeypoints, export_run
    from .metrics import rmse_per_keypoint_px, rmse_px
    from .models import MODEL_NAMES, build_model, get_spec
    from .photo import detect_keypoints, draw_keypoints, read_image
    from .plots import plot_faces
    from .settings import quick_mode
    from .sources import DataSource, find_data
    from .synthetic import render_faces, write_dataset
    from .training import TrainConfig, load_run, train


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fkp_helpers' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
