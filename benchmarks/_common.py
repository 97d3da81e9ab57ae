"""Code the benchmark scripts share: stand-in data, running each side, tables and
headers.

Every training run happens in its own process, one after another: the
TensorFlow 1 port switches eager execution off for its whole process, and the
machines these run on are small. Generated data and run folders live in the
project's cache folder (``$FKP_CACHE_DIR``, else ``~/.cache/fkp``), results in
``benchmarks/results/``; the JSON records a chapter shows are also copied into
the package (``fkp_helpers/benchmark_results/``), so that a chapter opened on
its own (in Colab) shows them too.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# re-exported for the benchmark scripts' options (the redundant alias keeps it)
from fkp_helpers.cli.argtypes import positive_int as positive_int

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
PORT_SCRIPT = REPO_ROOT / "benchmarks" / "article_a_tf1.py"
PACKAGED_RESULTS_DIR = (
    REPO_ROOT / "fkp_helpers" / "benchmark_results"
)  # read by fkp_helpers.figures.benchmark_tables


class BenchmarkError(RuntimeError):
    """A step of a benchmark failed; the message names the step and its log file."""


def standin(n_train: int, n_test: int, seed: int = 0) -> Path:
    """Folder of the generated stand-in with ``n_train`` training rows and ``n_test``
    test images.

    Made once into the cache folder (the same one ``fkp_helpers.data.sources`` uses)
    and reused afterwards; it holds Kaggle's files plus ``solution.csv``.
    """
    from fkp_helpers.data.sources import STANDIN_MARKER, standin_folder
    from fkp_helpers.standin.dataset import write_dataset

    folder = standin_folder(seed, (n_train, n_test))
    if not (folder / STANDIN_MARKER).is_file():
        print(
            f"Writing the stand-in ({n_train} training / {n_test} test images, seed "
            f"{seed}) to {folder}",
            flush=True,
        )
        write_dataset(folder, n_train=n_train, n_test=n_test, seed=seed)
    return folder


def fresh_work_dir(name: str) -> Path:
    """An empty folder ``<cache>/benchmarks/<name>`` for one benchmark's runs (emptied
    if it exists)."""
    from fkp_helpers.settings import cache_dir

    folder = cache_dir() / "benchmarks" / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


# --- Running the two sides ----------------------------------------------------


def run_logged(label: str, command: list[str], log_path: Path) -> float:
    """Run ``command`` with its output going to ``log_path``; return its wall time in
    seconds.

    Raises :class:`BenchmarkError` with the log's last lines if it fails.
    """
    print(f"{label}: {' '.join(command)}", flush=True)
    started = time.perf_counter()
    with open(log_path, "w") as log:
        status = subprocess.run(
            command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, check=False
        ).returncode
    seconds = time.perf_counter() - started
    if status != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
        raise BenchmarkError(
            f"{label} failed (exit status {status}); log {log_path}:\n{tail}"
        )
    print(f"{label}: done in {seconds:.0f} s", flush=True)
    return seconds


def run_port(
    data: Path, out: Path, *, epochs: int, patience: int, seed: int
) -> dict[str, Any]:
    """Train and predict with article A's TF1 program; return its ``timings.json``.

    Its submission is ``out / "submit.csv"``.
    """
    command = [sys.executable, str(PORT_SCRIPT), "--data", str(data), "--out", str(out)]
    command += [
        "--epochs",
        str(epochs),
        "--patience",
        str(patience),
        "--seed",
        str(seed),
    ]
    out.mkdir(parents=True, exist_ok=True)
    run_logged("TF1 port", command, out.parent / f"{out.name}.log")
    return read_json(out / "timings.json")


def run_fkp_train(
    data: Path,
    run_dir: Path,
    model: str,
    *,
    epochs: int,
    seed: int,
    complete_only: bool = False,
    float32: bool = False,
) -> dict[str, Any]:
    """``fkp train`` one model (its own defaults but for ``epochs``); return its
    ``metrics.json``.

    ``float32`` turns mixed precision off (``--float32``); otherwise the run uses
    what ``fkp train`` chooses for this machine (its ``device`` entry says which).
    """
    command = [
        sys.executable,
        "-m",
        "fkp_helpers",
        "train",
        "--data",
        str(data),
        "--model",
        model,
    ]
    command += ["--out", str(run_dir), "--epochs", str(epochs), "--seed", str(seed)]
    if complete_only:
        command.append("--complete-only")
    if float32:
        command.append("--float32")
    run_logged(
        f"fkp train {model}", command, run_dir.parent / f"{run_dir.name}-train.log"
    )
    return read_json(run_dir / "metrics.json")


def run_fkp_predict(data: Path, run_dir: Path, submission: Path) -> None:
    """``fkp predict`` with the model in ``run_dir``, writing ``submission``."""
    command = [
        sys.executable,
        "-m",
        "fkp_helpers",
        "predict",
        "--data",
        str(data),
        "--model",
        str(run_dir),
    ]
    command += ["--out", str(submission)]
    run_logged(
        f"fkp predict {run_dir.name}",
        command,
        run_dir.parent / f"{run_dir.name}-predict.log",
    )


# --- Results --------------------------------------------------------------------


def device_description() -> str:
    """The machine in words: CPU model and cores, GPU names if ``nvidia-smi`` lists
    any."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    description = f"{cpu}, {os.cpu_count()} cores"
    if shutil.which("nvidia-smi"):
        query = ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"]
        gpus = subprocess.run(
            query, capture_output=True, text=True, check=False
        ).stdout.split("\n")
        names = [name.strip() for name in gpus if name.strip()]
        if names:
            description += ", GPU: " + ", ".join(names)
    return description


def run_details(
    tensorflow_version: str, data_line: str, command: str
) -> dict[str, Any]:
    """Where, when and on what a benchmark ran, and the ``command`` that reruns it (a
    record's ``"run"``)."""
    return {
        "device": device_description(),
        "load_average_15min": round(os.getloadavg()[2], 1),
        "python": platform.python_version(),
        "tensorflow": tensorflow_version,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="minutes"),
        "data": data_line,
        "command": command,
    }


def header(title: str, details: dict[str, Any]) -> str:
    """Markdown heading plus the device, software, date and data lines (from
    :func:`run_details`)."""
    date = datetime.datetime.fromisoformat(details["date"])
    return (
        f"# {title}\n\n"
        f"- Device: {details['device']}; load average over the last 15 minutes "
        f"{details['load_average_15min']:.1f}\n"
        f"- Software: Python {details['python']}, TensorFlow {details['tensorflow']}\n"
        f"- Date: {date:%Y-%m-%d %H:%M %Z}\n"
        f"- Data: {details['data']}\n"
    )


def markdown_table(
    columns: list[str], rows: list[list[str]], *, text_columns: int = 2
) -> str:
    """A Markdown table: the first ``text_columns`` columns left-aligned, the (numeric)
    rest right-aligned."""
    align = [":---"] * text_columns + ["---:"] * (len(columns) - text_columns)
    lines = [columns, align, *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines) + "\n"


def write_results(
    results_dir: Path, stem: str, markdown: str, record: dict[str, Any]
) -> tuple[Path, Path]:
    """Write ``<stem>.md`` and ``<stem>.json`` into ``results_dir`` (atomically); return
    both paths."""
    results_dir.mkdir(parents=True, exist_ok=True)
    md_path, json_path = results_dir / f"{stem}.md", results_dir / f"{stem}.json"
    atomic_write_text(md_path, markdown)
    atomic_write_text(json_path, json.dumps(record, indent=2) + "\n")
    return md_path, json_path


def publish_results(
    results_dir: Path,
    stem: str,
    markdown: str,
    record: dict[str, Any],
    *,
    shown_in_book: bool = False,
) -> None:
    """Print the results page, then :func:`write_results` it and say where.

    ``shown_in_book``: a chapter shows this record, so when ``results_dir`` is
    the repository's ``benchmarks/results/`` the JSON is also copied to
    :data:`PACKAGED_RESULTS_DIR`, the package data the chapter reads (a trial
    run into another folder leaves the book as it was).
    """
    print("\n" + markdown)
    md_path, json_path = write_results(results_dir, stem, markdown, record)
    written = [md_path, json_path]
    if shown_in_book and results_dir.resolve() == RESULTS_DIR.resolve():
        PACKAGED_RESULTS_DIR.mkdir(exist_ok=True)
        packaged = PACKAGED_RESULTS_DIR / json_path.name
        atomic_write_text(packaged, json_path.read_text(encoding="utf-8"))
        written.append(packaged)
    print(f"Wrote {', '.join(map(str, written))}")


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and move it into place."""
    tmp_path = path.with_name(f".{path.name}.tmp")
    try:
        tmp_path.write_text(text, encoding="utf-8")
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from ``path``."""
    return dict(json.loads(path.read_text(encoding="utf-8")))
