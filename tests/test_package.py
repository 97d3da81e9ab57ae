import subprocess
import sys


def test_import_is_light():
    """`import fkp_helpers` must not pull in TensorFlow, pandas or matplotlib."""
    code = (
        "import sys, fkp_helpers; fkp_helpers.KEYPOINT_NAMES; "
        "heavy = [m for m in ('tensorflow', 'keras', 'pandas', 'matplotlib') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_lazy_attribute_errors_name_the_attribute():
    import fkp_helpers

    try:
        fkp_helpers.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")
