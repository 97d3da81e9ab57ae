import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_is_light():
    """`import fkp_helpers` must not pull in TensorFlow, pandas or matplotlib."""
    code = (
        "import sys, fkp_helpers; fkp_helpers.KEYPOINT_NAMES; "
        "heavy = [m for m in ('tensorflow', 'keras', 'pandas', 'matplotlib') "
        "if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_lazy_attribute_errors_name_the_attribute():
    import fkp_helpers

    try:
        fkp_helpers.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_opencv_is_imported_only_where_a_photo_is_read():
    """The modules of the photo path load without OpenCV; `cv2` comes in with the first
    photo."""
    code = (
        "import sys; import fkp_helpers.photo, fkp_helpers.standin.scenes, "
        "fkp_helpers.cli.detect, fkp_helpers.cli.main; "
        "print('cv2' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_opencv_is_an_extra_so_an_installed_opencv_is_never_replaced():
    """Colab's opencv-python + opencv-contrib-python share `cv2/` with -headless:
    requiring it would break them."""
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"
    ]
    assert not [
        dependency
        for dependency in project["dependencies"]
        if "opencv" in dependency.lower()
    ]
    assert project["optional-dependencies"]["photo"] == [
        "opencv-python-headless>=4.10,<5"
    ]
    lock = (ROOT / "requirements-lock.txt").read_text(encoding="utf-8").splitlines()
    assert any(
        line.startswith("opencv-python-headless==4.") for line in lock
    )  # the Quick start has it


def test_the_benchmark_records_chapters_show_are_package_data():
    tomllib = pytest.importorskip("tomllib")
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"
    ]["setuptools"]
    assert "benchmark_results/*.json" in setuptools["package-data"]["fkp_helpers"]
    assert sorted(
        p.name for p in (ROOT / "fkp_helpers" / "benchmark_results").iterdir()
    ) == ["accuracy.json", "export.json", "real_faces.json"]


def test_the_pretrained_model_is_package_data():
    tomllib = pytest.importorskip("tomllib")
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"
    ]["setuptools"]
    shipped = setuptools["package-data"]["fkp_helpers"]
    for name in ("cnn.keras", "cnn.json"):
        assert f"pretrained/{name}" in shipped
        assert (ROOT / "fkp_helpers" / "pretrained" / name).is_file()


def test_tensorflow_setup_is_silent_and_leaves_the_devices_configurable():
    """Devices are listed inside the silenced start-up (the full wheel's cuInit line on
    a CPU machine goes there), but not initialised: visible devices can still be chosen
    afterwards, and using TensorFlow prints nothing."""
    code = (
        "from fkp_helpers.nn.tensorflow_setup import tf; "
        "tf.config.set_visible_devices(tf.config.list_physical_devices('CPU'), 'CPU'); "
        "print(len(tf.config.list_logical_devices('CPU')), int(tf.constant(1) + 1))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["1", "2"]
    assert result.stderr == ""
