"""The benchmark harness: the quick size runs every workload and prints its tables;
a run that does not publish stops it (a stage error), a slow one does not."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.measure import StageError, run_parkstat
from bench.national_registry import write_national_registry
from bench.tables import STAGES
from bench.workloads import CATALOGUE_NATIONAL, CATALOGUE_PARKS, PLANS
from sources.registry import Registry

PARKSTAT = str(Path(sys.executable).parent / "parkstat")


def test_national_registry_is_the_catalogue_size_and_marks_its_synthetic_parks(tmp_path):
    registry = Registry.from_csv(write_national_registry(tmp_path / "parks.csv"))
    current = registry.current()
    assert len(current) == CATALOGUE_PARKS
    assert sum(p.level == "国家级" for p in current) == CATALOGUE_NATIONAL
    synthetic = [p for p in current if p.code.startswith("ZZ")]
    assert synthetic and all(p.name.startswith("合成园区") for p in synthetic)
    assert registry.resolve(name="长沙经开区") == "HN430101"  # the real parks are kept


def test_a_run_that_does_not_publish_is_a_stage_error(tmp_path):
    with pytest.raises(StageError, match="exited with 2"):
        run_parkstat("broken", ["backfill", "--from", "2025-13"], tmp_path / "home", {})


@pytest.mark.slow
def test_quick_benchmark_runs_every_workload(tmp_path):
    work = tmp_path / "bench"
    done = subprocess.run(
        [PARKSTAT, "bench", "--size", "quick", "--work", str(work)],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((work / "bench-results.json").read_text(encoding="utf-8"))
    assert set(results["workloads"]) == {w.key for w in PLANS["quick"].workloads}
    for key, workload in results["workloads"].items():
        measured = workload["runs"][-1]
        assert measured["wall"] > sum(measured["timing"]["seconds"].values()) > 0, key
        assert set(measured["timing"]["seconds"]) == set(STAGES), key
        assert measured["peak_rss"] > 50 * 2**20, key
        assert workload["baseline"]["rows"] > 0, key
    assert "intake ÷ baseline" in done.stdout and "Ratio long ÷ short" in done.stdout
