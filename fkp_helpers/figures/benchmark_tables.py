"""The benchmarks' latest results as tables for a chapter, from the package's own copy.

``benchmarks/compare_accuracy.py`` and ``benchmarks/export_latency.py`` write
their JSON records to ``benchmarks/results/`` and copy them into this package
(``fkp_helpers/benchmark_results/``), so that a chapter opened on its own, in
Colab, shows them too. The tables are pandas DataFrames (pandas is imported
inside the functions), which a notebook shows as HTML tables.
"""

from __future__ import annotations

import datetime
import json
import textwrap
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

RESULTS_FOLDER = "benchmark_results"
"""The package's folder of records: ``fkp_helpers/benchmark_results/<name>.json``."""


def benchmark_record(name: str) -> dict[str, Any]:
    """The JSON record of benchmark ``name`` (``"accuracy"``, ``"export"``).

    Raises ``FileNotFoundError``, naming the records there are, if there is
    no such record.
    """
    folder = resources.files("fkp_helpers").joinpath(RESULTS_FOLDER)
    record = folder.joinpath(f"{name}.json")
    if not record.is_file():
        known = ", ".join(sorted(item.name.split(".")[0] for item in folder.iterdir()))
        raise FileNotFoundError(
            f"no benchmark record {name!r} in fkp_helpers/{RESULTS_FOLDER} "
            f"(there are: {known})"
        )
    return dict(json.loads(record.read_text(encoding="utf-8")))


def benchmark_details(name: str, width: int = 88) -> str:
    """Where, when and on what benchmark ``name`` ran, and the command that reruns it.

    Lines are at most ``width`` characters (longer ones wrap, indented).
    """
    run = benchmark_record(name)["run"]
    date = datetime.datetime.fromisoformat(run["date"])
    lines = [
        f"Measured {date:%Y-%m-%d %H:%M %Z} on {run['device']} "
        f"(load average {run['load_average_15min']:.1f})",
        f"Software: Python {run['python']}, TensorFlow {run['tensorflow']}",
        f"Data: {run['data']}",
        f"Regenerate (in the book's repository): {run['command']}",
    ]
    wrapped = (textwrap.fill(line, width, subsequent_indent="  ") for line in lines)
    return "\n".join(wrapped)


def accuracy_table() -> pd.DataFrame:
    """``benchmarks/compare_accuracy.py``'s table: one row per model.

    Columns: what it trained on, its precision, test RMSE in pixels (Kaggle's
    metric), that RMSE over the TF1 port's, epochs run and training-loop
    seconds.
    """
    import pandas as pd

    results = benchmark_record("accuracy")["results"]
    port = next(r["test_rmse_px"] for r in results if r["name"] == "TF1 port")
    table = pd.DataFrame(
        {
            "Trained on": result["trained_on"],
            "Precision": result["precision"],
            "Test RMSE (px)": round(result["test_rmse_px"], 3),
            "vs TF1 port": round(result["test_rmse_px"] / port, 2),
            "Epochs run": result["epochs_run"],
            "Train time (s)": round(result["train_seconds"]),
        }
        for result in results
    )
    table.index = pd.Index([result["name"] for result in results], name="Model")
    return table


def latency_table() -> pd.DataFrame:
    """``benchmarks/export_latency.py``'s latency table: each way of serving one image.

    Columns: the median and 90th percentile of the single-image latency (ms),
    images per second at the median, and the median over the TFLite
    interpreter's. (The record's ``"what"`` says what each way runs.)
    """
    import pandas as pd

    latencies = benchmark_record("export")["latency"]
    tflite = next(t["median_ms"] for t in latencies if t["name"] == "TFLite")
    table = pd.DataFrame(
        {
            "Median (ms)": round(latency["median_ms"], 2),
            "90th percentile (ms)": round(latency["p90_ms"], 2),
            "Images / s": round(1000 / latency["median_ms"]),
            "Median vs TFLite": round(latency["median_ms"] / tflite, 1),
        }
        for latency in latencies
    )
    table.index = pd.Index([latency["name"] for latency in latencies], name="Way")
    return table


def file_size_table() -> pd.DataFrame:
    """``benchmarks/export_latency.py``'s file sizes: each file in MB (10^6 bytes)."""
    import pandas as pd

    sizes = benchmark_record("export")["file_bytes"]
    megabytes = [round(size / 1e6, 2) for size in sizes.values()]
    index = pd.Index(list(sizes), name="File")
    return pd.DataFrame({"Size (MB)": megabytes}, index=index)


def real_faces_table() -> pd.DataFrame:
    """``benchmarks/real_faces.py``'s table: NME in per cent, one column per model,
    one row per real face the detector found, then the mean and median.

    NME is the mean distance from the reference points over the reference eye
    distance (see the benchmark's docstring); the models' long labels are in
    :func:`real_faces_models`.
    """
    import pandas as pd

    record = benchmark_record("real_faces")
    faces = [
        f"{f['photo'].rsplit('.', 1)[0]} #{f['face']}"
        for f in record["faces"]
        if f["found"]
    ]
    columns = {}
    for result in record["results"]:
        values = [round(100 * face["nme"], 1) for face in result["per_face"]]
        values += [
            round(100 * result["nme_mean"], 1),
            round(100 * result["nme_median"], 1),
        ]
        columns[result["name"]] = values
    index = pd.Index([*faces, "mean", "median"], name="NME (%)")
    return pd.DataFrame(columns, index=index)


def real_faces_models(width: int = 88) -> str:
    """One line per model of :func:`real_faces_table`: its column name and what it
    is."""
    lines = (
        f"{result['name']}: {result['label']}"
        for result in benchmark_record("real_faces")["results"]
    )
    return "\n".join(
        textwrap.fill(line, width, subsequent_indent="  ") for line in lines
    )


def real_faces_detector(width: int = 88) -> str:
    """How many reference faces the Haar cascade found, and its false boxes (lines of
    at most ``width`` characters)."""
    record = benchmark_record("real_faces")
    found = sum(face["found"] for face in record["faces"])
    return textwrap.fill(
        f"The detector found {found} of {len(record['faces'])} reference faces in "
        f"{len(record['photos'])} photos (and {record['false_boxes']} boxes on no "
        "reference face); the missed faces are not scored.",
        width,
    )
