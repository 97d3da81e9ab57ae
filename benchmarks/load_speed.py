"""Loading speed of ``training.csv``: the book's parser vs the articles' pandas +
``np.fromstring``.

On the same file, in one run:

* ``articles' way`` — ``pd.read_csv``, then ``np.fromstring(image, sep=" ")`` on every
  row's ``Image``, stacked into float32 ``(N, 96, 96, 1)`` / 255 (as both articles do);
* ``load_training(cache=False)`` — :mod:`fkp_helpers.data.kaggle_csv`, every byte
  checked;
* ``cached reload`` —
  ``python -c "import fkp_helpers; fkp_helpers.load_training(path)"``
  in a new process, wall clock, interpreter start and imports included, with the
  parsed-data cache filled (a temporary cache folder, removed afterwards).

Both ways must give identical arrays. Targets: the parser at least 8x faster than
the articles' way, the cached reload at most 0.5 s (median of 5 processes); the
exit status is 1 if one is missed. Results are also written to
``benchmarks/results/load_speed.md`` and ``.json``.

Usage::

    # the full-size stand-in (7049 training rows)
    python benchmarks/load_speed.py
    # any folder holding training.csv
    python benchmarks/load_speed.py --data DIR
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
from _common import RESULTS_DIR, device_description, standin, write_results

from fkp_helpers.data.kaggle_csv import load_training
from fkp_helpers.keypoints import IMAGE_SIZE, KEYPOINT_COLUMNS

T = TypeVar("T")

MIN_SPEEDUP = 8.0
MAX_CACHED_SECONDS = 0.5
PARSER_RUNS = 3
CACHED_RUNS = 5


def load_the_articles_way(csv_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """``training.csv`` as both articles load it (without their ``dropna``): pandas,
    then a string parse per row."""
    import pandas as pd

    df = pd.read_csv(csv_path)
    df["Image"] = df["Image"].apply(lambda im: np.fromstring(im, sep=" "))
    X = np.vstack(df["Image"].values) / 255.0
    X = X.astype(np.float32).reshape(-1, IMAGE_SIZE, IMAGE_SIZE, 1)
    y = df[list(KEYPOINT_COLUMNS)].to_numpy(dtype=np.float32)
    return X, y


def seconds(function: Callable[[], T]) -> tuple[float, T]:
    """Wall-clock seconds of ``function()``, and its result."""
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def cached_reload_seconds(csv_path: Path) -> list[float]:
    """Wall-clock seconds of ``CACHED_RUNS`` new processes that each load ``csv_path``
    from a filled cache."""
    code = f"import fkp_helpers; fkp_helpers.load_training({str(csv_path)!r})"
    with tempfile.TemporaryDirectory(prefix="fkp-load-speed-") as cache:
        env = {**os.environ, "FKP_CACHE_DIR": cache}
        subprocess.run(
            [sys.executable, "-c", code], env=env, check=True
        )  # fills the cache
        runs = []
        for _ in range(CACHED_RUNS):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
            runs.append(time.perf_counter() - started)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        help="folder holding training.csv (default: the full-size stand-in)",
    )
    args = parser.parse_args(argv)
    csv_path = (args.data or standin(n_train=7049, n_test=1783)) / "training.csv"

    import pandas as pd

    now = datetime.datetime.now().astimezone()
    load_average = os.getloadavg()[
        0
    ]  # other work on the machine makes every time longer
    lines = [
        "# Loading training.csv: the book's parser vs the articles' pandas + "
        "np.fromstring",
        "",
        f"- Date: {now:%Y-%m-%d %H:%M %Z}",
        f"- CPU: {device_description()}; load average at the start: {load_average:.2f}",
        f"- Software: Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}",
        f"- Data: {csv_path} ({csv_path.stat().st_size / 1e6:.1f} MB)",
        "",
    ]
    print("\n".join(lines), flush=True)

    csv_path.read_bytes()  # both ways start with the file in the page cache
    article_s, (X_article, y_article) = seconds(lambda: load_the_articles_way(csv_path))
    print(f"articles' way: {article_s:.2f} s", flush=True)
    parser_runs = []
    for _ in range(PARSER_RUNS):
        run_s, (X, y) = seconds(lambda: load_training(csv_path, cache=False))
        parser_runs.append(run_s)
    parser_s = statistics.median(parser_runs)
    same = np.array_equal(X, X_article) and np.array_equal(y, y_article, equal_nan=True)
    del X, y, X_article, y_article
    cached_runs = cached_reload_seconds(csv_path)
    cached_s = statistics.median(cached_runs)
    speedup = article_s / parser_s

    checks = {
        "identical arrays (X and y, NaN where missing)": same,
        f"speed-up >= {MIN_SPEEDUP:g}x": speedup >= MIN_SPEEDUP,
        f"cached reload <= {MAX_CACHED_SECONDS:g} s": cached_s <= MAX_CACHED_SECONDS,
    }
    results = [
        "- articles' way (pandas.read_csv + np.fromstring per row, 1 run): "
        f"{article_s:.2f} s",
        f"- load_training(cache=False), median of {PARSER_RUNS}: {parser_s:.2f} s "
        f"(runs: {', '.join(f'{run:.2f}' for run in parser_runs)})",
        f"- speed-up: {speedup:.1f}x (target >= {MIN_SPEEDUP:g}x)",
        f"- cached reload, whole new process, median of {CACHED_RUNS}: "
        f"{cached_s:.2f} s (runs: {', '.join(f'{run:.2f}' for run in cached_runs)}; "
        f"target <= {MAX_CACHED_SECONDS:g} s)",
        *(f"- {'PASS' if ok else 'FAIL'}: {name}" for name, ok in checks.items()),
    ]
    print("\n".join(results))
    markdown = "\n".join([*lines, *results]) + "\n"
    record = {
        "date": now.isoformat(timespec="seconds"),
        "cpu": device_description(),
        "load_average": load_average,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "data": str(csv_path),
        "articles_way_s": article_s,
        "parser_runs_s": parser_runs,
        "speedup": speedup,
        "cached_reload_runs_s": cached_runs,
        "identical_arrays": same,
        "passed": all(checks.values()),
    }
    md_path, _ = write_results(RESULTS_DIR, "load_speed", markdown, record)
    print(f"\nwritten: {md_path}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
