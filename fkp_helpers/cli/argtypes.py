"""``argparse`` argument types shared by the ``fkp`` commands and the benchmark
scripts."""

from __future__ import annotations

import argparse


def positive_int(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


MAX_SEED = 2**32 - 1
"""NumPy's and Keras's global seeds must lie in [0, 2**32 - 1]."""


def random_seed(text: str) -> int:
    """A random seed: a whole number from 0 to :data:`MAX_SEED`."""
    try:
        value = int(text)
    except ValueError:
        message = f"expected a whole number, got {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not 0 <= value <= MAX_SEED:
        message = f"expected a seed from 0 to {MAX_SEED}, got {value}"
        raise argparse.ArgumentTypeError(message)
    return value


def fraction(text: str) -> float:
    """A number strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number between 0 and 1, got {text!r}"
        ) from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a number between 0 and 1 (exclusive), got {value}"
        )
    return value
