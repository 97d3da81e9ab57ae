"""The benchmark records shipped in the package, the tables chapters show from them, and
how they get there."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

from fkp_helpers.figures.benchmark_tables import (
    accuracy_table,
    benchmark_details,
    benchmark_record,
    file_size_table,
    latency_table,
    real_faces_detector,
    real_faces_models,
    real_faces_table,
)

ROOT = Path(__file__).resolve().parents[1]
SHOWN_IN_BOOK = ("accuracy", "export", "real_faces")


@pytest.mark.parametrize("name", SHOWN_IN_BOOK)
def test_the_packaged_records_are_the_benchmarks_latest(name):
    """`benchmarks/_common.publish_results` writes both; a hand-edited copy would
    drift."""
    repository_copy = json.loads(
        (ROOT / "benchmarks" / "results" / f"{name}.json").read_text(encoding="utf-8")
    )
    assert benchmark_record(name) == repository_copy


def test_an_unknown_record_names_the_ones_there_are():
    with pytest.raises(
        FileNotFoundError,
        match=r"no benchmark record 'speedy'.*there are: accuracy, export, real_faces",
    ):
        benchmark_record("speedy")


@pytest.mark.parametrize("name", SHOWN_IN_BOOK)
def test_details_say_where_when_and_how_to_rerun_in_short_lines(name):
    details = benchmark_details(name)
    run = benchmark_record(name)["run"]
    assert (
        details.startswith(f"Measured {run['date'][:10]} ") and run["device"] in details
    )
    assert (
        details.splitlines()[-1]
        == f"Regenerate (in the book's repository): {run['command']}"
    )
    assert max(len(line) for line in details.splitlines()) <= 88


def test_accuracy_table_has_one_row_per_model_against_the_tf1_port():
    table = accuracy_table()
    results = benchmark_record("accuracy")["results"]
    assert (
        list(table.index) == [result["name"] for result in results]
        and table.index.name == "Model"
    )
    assert list(table.columns) == [
        "Trained on",
        "Precision",
        "Test RMSE (px)",
        "vs TF1 port",
        "Epochs run",
        "Train time (s)",
    ]
    assert table.loc["TF1 port", "vs TF1 port"] == 1.0
    assert table.loc["cnn", "Test RMSE (px)"] == round(results[3]["test_rmse_px"], 3)
    assert (
        table["Epochs run"].dtype.kind == "i"
        and table["Train time (s)"].dtype.kind == "i"
    )


def test_export_tables_show_latency_per_way_and_size_per_file():
    latency = latency_table()
    record = benchmark_record("export")
    assert (
        list(latency.index) == [way["name"] for way in record["latency"]]
        and latency.index.name == "Way"
    )
    assert list(latency.columns) == [
        "Median (ms)",
        "90th percentile (ms)",
        "Images / s",
        "Median vs TFLite",
    ]
    assert latency.loc["TFLite", "Median vs TFLite"] == 1.0
    sizes = file_size_table()
    assert list(sizes.index) == list(record["file_bytes"]) and list(sizes.columns) == [
        "Size (MB)"
    ]
    assert sizes["Size (MB)"].tolist() == [
        round(size / 1e6, 2) for size in record["file_bytes"].values()
    ]


@pytest.fixture
def benchmarks_common(monkeypatch, tmp_path):
    """``benchmarks/_common`` with its results and package folders moved under
    ``tmp_path``."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    common = importlib.import_module("_common")
    monkeypatch.setattr(common, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(common, "PACKAGED_RESULTS_DIR", tmp_path / "package")
    yield common
    sys.modules.pop("_common", None)


def test_publish_results_copies_a_record_a_chapter_shows_into_the_package(
    benchmarks_common, tmp_path, capsys
):
    record = {"run": {"command": "python benchmarks/x.py"}, "value": 1.5}
    benchmarks_common.publish_results(
        tmp_path / "results", "x", "# X\n", record, shown_in_book=True
    )
    packaged = tmp_path / "package" / "x.json"
    assert json.loads(packaged.read_text(encoding="utf-8")) == record
    assert packaged.read_bytes() == (tmp_path / "results" / "x.json").read_bytes()
    assert f"{packaged}" in capsys.readouterr().out


def test_publish_results_leaves_the_package_alone_for_other_records_and_trial_folders(
    benchmarks_common, tmp_path
):
    benchmarks_common.publish_results(tmp_path / "results", "speed", "# S\n", {"v": 1})
    benchmarks_common.publish_results(
        tmp_path / "trial", "x", "# X\n", {"v": 2}, shown_in_book=True
    )
    assert (tmp_path / "results" / "speed.json").is_file() and (
        tmp_path / "trial" / "x.json"
    ).is_file()
    assert not (tmp_path / "package").exists()


def test_real_faces_table_has_a_column_per_model_and_a_row_per_scored_face():
    table = real_faces_table()
    record = benchmark_record("real_faces")
    scored = [f for f in record["faces"] if f["found"]]
    assert list(table.columns) == [r["name"] for r in record["results"]]
    assert table.columns[0] == "mean shape"
    assert list(table.index[-2:]) == ["mean", "median"]
    assert len(table) == len(scored) + 2
    first = record["results"][0]
    assert table.iloc[-2, 0] == round(100 * first["nme_mean"], 1)
    assert table.iloc[0, 0] == round(100 * first["per_face"][0]["nme"], 1)
    detector = real_faces_detector()
    assert f"found {len(scored)} of {len(record['faces'])}" in detector
    models = real_faces_models().splitlines()
    assert models[0].startswith("mean shape: ")
    assert max(len(line) for line in [*detector.splitlines(), *models]) <= 88
