"""Run a chapter's own definitions outside the notebook, for tests that compare them.

A chapter writes its network in its own cells (the reader sees the Keras code);
``fkp train`` builds the same network from :mod:`fkp_helpers.nn.models`. The parity
tests take the chapter's functions from its ``py:percent`` file and check that
both give the same network (:func:`assert_same_network`).

:func:`chapter_namespace` executes only the chapter's top-level imports,
function and class definitions and UPPER_CASE constants, not the cells that load
data or train, so it runs in a second.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import numpy as np

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# Layer-config keys that name or place a layer, not what it computes.
_IGNORED_CONFIG_KEYS = {"name", "trainable"}


def _is_definition(node: ast.stmt) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return all(isinstance(t, ast.Name) and t.id.isupper() for t in targets)
    return False


def chapter_namespace(chapter: str) -> dict[str, Any]:
    """The names a chapter defines:
    ``chapter_namespace("04_cnn")["build_article_a_cnn"]``.

    ``chapter`` is the notebook's stem in ``notebooks/``; its ``.py`` pair is read.
    """
    path = NOTEBOOKS / f"{chapter}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = ast.Module(
        body=[node for node in tree.body if _is_definition(node)], type_ignores=[]
    )
    namespace: dict[str, Any] = {"__name__": f"chapter_{chapter}"}
    exec(compile(module, str(path), "exec"), namespace)  # noqa: S102 - the project's own chapter
    return namespace


def _layer_configs(model: Any) -> list[tuple[str, dict[str, Any]]]:
    configs = []
    for layer in model.layers:
        config = {
            k: v for k, v in layer.get_config().items() if k not in _IGNORED_CONFIG_KEYS
        }
        configs.append((type(layer).__name__, config))
    return configs


def assert_same_network(
    chapter_model: Any, package_model: Any, *, seed: int = 0
) -> None:
    """Same layer types and configurations, parameter counts, and outputs for the same
    weights.

    The chapter model takes the package model's weights, then both predict a
    batch of 4 random ``(96, 96, 1)`` images (inference mode: no dropout).
    """
    chapter_layers = _layer_configs(chapter_model)
    package_layers = _layer_configs(package_model)
    assert [t for t, _ in chapter_layers] == [t for t, _ in package_layers], (
        "layer types differ"
    )
    for index, ((kind, mine), (_, theirs)) in enumerate(
        zip(chapter_layers, package_layers, strict=True)
    ):
        assert mine == theirs, (
            f"layer {index} ({kind}) is configured differently:\n{mine}\n{theirs}"
        )
    assert chapter_model.count_params() == package_model.count_params()
    chapter_model.set_weights(package_model.get_weights())
    images = np.random.default_rng(seed).random((4, 96, 96, 1), dtype=np.float32)
    mine = np.asarray(chapter_model(images, training=False))
    theirs = np.asarray(package_model(images, training=False))
    np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)
