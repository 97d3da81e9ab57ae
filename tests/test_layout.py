"""The package's shape: subpackages like the book, a thin top level, the CLI at the
edge, old paths kept."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "fkp_helpers"
# everything but the command line and its `python -m fkp_helpers` entry point
LIBRARY = [
    p
    for p in PACKAGE.rglob("*.py")
    if "cli" not in p.relative_to(PACKAGE).parts and p.name != "__main__.py"
]


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """``(absolute module, imported names)`` of every import in ``path`` (relative ones
    resolved)."""
    package = ".".join(("fkp_helpers", *path.relative_to(PACKAGE).parts[:-1]))
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.append((module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
    return found


def test_at_most_eight_top_level_modules_and_at_least_four_subpackages():
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    subpackages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert len(modules) <= 8, modules
    assert len(subpackages) >= 4, subpackages


def test_no_library_module_imports_the_command_line():
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in LIBRARY
        for module, names in _imports(path)
        if module.startswith("fkp_helpers.cli")
        or (module == "fkp_helpers" and "cli" in names)
    ]
    assert not offenders


def test_only_the_atomic_helper_replaces_files():
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "os.replace(" in p.read_text(encoding="utf-8") and p.name != "atomic.py"
    ]
    assert not offenders


def test_no_module_imports_another_modules_private_names():
    offenders = [
        f"{path.relative_to(PACKAGE)}: {name} from {module}"
        for path in PACKAGE.rglob("*.py")
        for module, names in _imports(path)
        if module.startswith("fkp_helpers")
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not offenders


def test_old_module_paths_import_the_moved_modules():
    code = (
        "import fkp_helpers.losses as old, fkp_helpers.nn.losses as new, sys; "
        "from fkp_helpers.synthetic import write_dataset; "
        "from fkp_helpers.standin import dataset; "
        "print(old is new, write_dataset is dataset.write_dataset, "
        "'tensorflow' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "True", "True"]


def test_models_saved_before_the_move_load(tmp_path):
    """A ``.keras`` file names its loss by module (``fkp_helpers.losses`` before the
    move) and registered name."""
    from fkp_helpers.nn.tensorflow_setup import keras

    from fkp_helpers.nn import losses
    from fkp_helpers.nn.devices import plan_devices
    from fkp_helpers.nn.models import get_spec
    from fkp_helpers.nn.training import compile_model, save_model_atomically

    for cls in (
        losses.MaskedMeanSquaredError,
        losses.MaskedRootMeanSquaredError,
        losses.MaskedRMSEPixels,
    ):
        assert (
            keras.saving.get_registered_name(cls) == f"fkp>{cls.__name__}"
        )  # the names saved files hold
    model = compile_model(
        get_spec("mlp"),
        plan_devices([], mixed_precision=False),
        steps_per_epoch=1,
        epochs=1,
    )
    new = tmp_path / "new.keras"
    save_model_atomically(model, new)
    old = tmp_path / "old.keras"  # the same file as the code before the move wrote it
    with zipfile.ZipFile(new) as source, zipfile.ZipFile(old, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "config.json":
                data = data.replace(b'"fkp_helpers.nn.losses"', b'"fkp_helpers.losses"')
                assert b'"fkp_helpers.losses"' in data
            target.writestr(item, data)
    loaded = keras.models.load_model(old)
    assert isinstance(loaded.loss, losses.MaskedMeanSquaredError)
    assert (
        json.loads(zipfile.ZipFile(old).read("config.json"))["class_name"]
        == "Functional"
    )
    images = keras.random.uniform((2, 96, 96, 1), seed=0)
    assert loaded.predict(images, verbose=0) == pytest.approx(
        model.predict(images, verbose=0)
    )
