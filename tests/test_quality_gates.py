"""Quality gates that block publishing, on a real generated raw dir: a signup spike
makes the segments that are mostly recent signups `spike_driven` (blocking with
spike_gate_severity = error), and a segment below min_segment_size fails measurable.
Both failures are planted in one raw dir and judged by one refresh (each test
asserts its own); the published warehouse stays byte-identical and the refresh
exits 1 naming each segment and its criterion."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import CONTRACT_FIXTURE, copy_project, generate, query
from saas_segments.project import DbtError, dbt

SPIKE = ("--spike-start", "2026-06-01", "--spike-days", "30", "--spike-factor", "5")


def sha256(path: Path) -> str:
    """Hash of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_refresh(raw_dir: Path, warehouse: Path, dbt_vars: dict[str, object] | None = None) -> subprocess.CompletedProcess[str]:
    """The refresh command line on a raw dir and a warehouse file (the raw dirs here
    replace the published one's history, so the event models are rebuilt in full)."""
    command = [sys.executable, "-m", "saas_segments.refresh", "--raw-dir", str(raw_dir), "--warehouse", str(warehouse)]
    command.append("--full-refresh")
    return subprocess.run(command + ["--vars", json.dumps(dbt_vars or {})], capture_output=True, text=True, check=False)


def blocked(stderr: str, severity: str, criterion: str) -> dict[str, str]:
    """segment -> reason of every `SEVERITY criterion: segment: reason` line."""
    pattern = re.compile(rf"^\s+{severity} {criterion}: (\S+): (.+)$", re.MULTILINE)
    return dict(pattern.findall(stderr))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, demo_warehouse: Path) -> Path:
    """A published warehouse: a copy of the demo build under the same file name."""
    warehouse = tmp_path_factory.mktemp("gates") / demo_warehouse.name
    shutil.copyfile(demo_warehouse, warehouse)
    return warehouse


def keep_three_passives(raw_dir: Path) -> None:
    """Leave three users whose latest answer is passive and inside the NPS window: the only passives left."""
    responses = raw_dir / "nps_responses.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"create table answers as select * from read_parquet('{responses}')")
        kept = "', '".join(row[0] for row in connection.execute(
            "select user_id from answers "
            "qualify row_number() over (partition by user_id order by responded_at desc) = 1 "
            "and score in (7, 8) and responded_at >= timestamp '2026-01-02' order by user_id limit 3"
        ).fetchall())
        connection.execute(
            f"copy (select * from answers where score not in (7, 8) or user_id in ('{kept}')) to '{responses}' (format parquet)"
        )


@pytest.fixture(scope="module")
def blocked_refresh(tmp_path_factory: pytest.TempPathFactory, published: Path) -> tuple[subprocess.CompletedProcess[str], str]:
    """One refresh of the published warehouse with two independent failures planted in its
    raw dir: a signup spike (the generator's) and NPS answers cut to three passives. The
    process and the published file's hash before it."""
    raw_dir = generate(tmp_path_factory.mktemp("blocked") / "raw", "demo", 42, *SPIKE)
    keep_three_passives(raw_dir)
    before = sha256(published)
    return run_refresh(raw_dir, published, {"spike_gate_severity": "error"}), before


def test_signup_spike_blocks_publish_at_error_level(
    blocked_refresh: tuple[subprocess.CompletedProcess[str], str], published: Path
) -> None:
    process, before = blocked_refresh
    assert process.returncode == 1, process.stdout + process.stderr
    assert "publish blocked" in process.stderr
    spiked = blocked(process.stderr, "ERROR", "stable")
    assert set(spiked) == {"trial_engaged", "trial_low_engagement", "never_used_core"}
    assert all(reason.startswith("spike_driven: ") and "5.0x the baseline daily rate" in reason for reason in spiked.values())
    assert float(spiked["trial_low_engagement"].split("%")[0].split()[-1]) == 100.0
    assert sha256(published) == before
    assert not list((published.parent / ".candidate").glob("run-*"))


def test_too_small_segment_fails_measurable(blocked_refresh: tuple[subprocess.CompletedProcess[str], str], published: Path) -> None:
    process, before = blocked_refresh
    assert process.returncode == 1, process.stdout + process.stderr
    small = blocked(process.stderr, "ERROR", "measurable")
    assert small == {"nps_passives": "3 members < min_segment_size 5"}
    assert sha256(published) == before


def test_definition_hash_covers_upstream_models_and_vars_but_not_the_run(tmp_path: Path) -> None:
    """Editing an upstream model or a var it reads gives the segments downstream a new
    hash, and only them; another as_of, a run that restages the staged layer or a
    quality-only meta key changes nothing."""
    project = copy_project(tmp_path)
    warehouse = tmp_path / "w.duckdb"

    def hashes(dbt_vars: dict[str, object] | None = None) -> dict[str, str]:
        dbt(
            ["run", "--select", "dim_segments"],
            raw_dir=CONTRACT_FIXTURE,
            warehouse=warehouse,
            dbt_vars=dbt_vars,
            project_dir=project,
        )
        return dict(query(warehouse, "select segment_key, definition_hash from marts.dim_segments"))

    def changed(after: dict[str, str]) -> set[str]:
        return {key for key in before if before[key] != after[key]}

    before = hashes()
    assert changed(hashes({"as_of": "2025-05-02"})) == set()
    assert changed(hashes({"restage_history": True})) == set()
    nps_readers = {"nps_promoters", "nps_passives", "nps_detractors", "power_users", "at_risk_of_churn"}
    assert changed(hashes({"nps_window_days": 90})) == nps_readers
    yml = project / "models" / "marts" / "segments" / "seg_nps_promoters.yml"
    yml.write_text(yml.read_text().replace("inputs: [nps_recent]", "inputs: [nps_recent, user_profile]"))
    assert changed(hashes()) == set()
    model = project / "models" / "intermediate" / "int_nps_latest.sql"
    model.write_text(model.read_text() + "\n-- reviewed\n")
    assert changed(hashes()) == nps_readers


#: Planted in each view a row_checks test reads: (view, rows added as select lists over
#: the view as built, each check expected to fail with its number of failing rows).
ROW_CHECK_PLANTS = {
    "segment_quality": (
        [
            "select * from built where segment_key = (select min(segment_key) from built)",
            "select * replace ('zz:maybe' as segment_key, 'maybe' as measurable_verdict) from built limit 1",
            "select * replace ('zz:null' as segment_key, cast(null as varchar) as verdict) from built limit 1",
        ],
        {"unique(segment_key)": 2, "accepted_values(measurable_verdict)": 1, "not_null(verdict)": 1},
    ),
    "fct_segment_kpis_monthly": (
        [
            "select * from built where (kpi_month, segment_key, entity_type) = (select min((kpi_month, segment_key, entity_type)) from built)",
            "select * replace ('team' as entity_type) from built limit 1",
            "select * replace (cast(null as date) as kpi_month) from built limit 1",
        ],
        {"unique(kpi_month, segment_key, entity_type)": 2, "accepted_values(entity_type)": 1, "not_null(kpi_month)": 1},
    ),
    "rpt_segment_quality": (
        [
            "select * from built where segment_key = (select min(segment_key) from built)",
            "select * replace ('zz:held' as segment_key, 'held' as status) from built limit 1",
        ],
        {"unique(as_of_date, segment_key)": 2, "accepted_values(status)": 1},
    ),
}


def test_row_checks_name_each_failing_check_of_the_views_they_read_once(
    demo_warehouse: Path, demo_raw_dir: Path, tmp_path: Path
) -> None:
    """segment_quality, fct_segment_kpis_monthly and rpt_segment_quality are checked by one
    row_checks test each (a view computing on read is read once): a repeated key, a value
    outside the accepted ones and a null planted in each view fail its test, which names
    exactly those checks with their failing rows; the clean views pass."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    tests = [f"{view}_row_checks" for view in ROW_CHECK_PLANTS]
    clean = dbt(["test", "--select", *tests], raw_dir=demo_raw_dir, warehouse=warehouse, target_path=tmp_path / "target", check=False)
    assert clean.returncode == 0 and clean.stdout.count(" PASS ") >= len(tests), clean.stdout
    with duckdb.connect(str(warehouse)) as connection:
        for view in ROW_CHECK_PLANTS:  # rpt_segment_quality reads segment_quality: keep each as built first
            connection.execute(f"create table marts.{view}__built as select * from marts.{view}")
        for view, (planted, _) in ROW_CHECK_PLANTS.items():
            rows = " union all ".join(f"({select})" for select in ["select * from built", *planted])
            connection.execute(f"create or replace view marts.{view} as with built as (select * from marts.{view}__built) {rows}")
    process = dbt(
        ["test", "--select", *tests, "--store-failures"],
        raw_dir=demo_raw_dir, warehouse=warehouse, target_path=tmp_path / "target", check=False,
    )
    assert process.returncode == 1
    for view, (_, expected) in ROW_CHECK_PLANTS.items():
        assert f"FAIL {len(expected)} {view}_row_checks" in process.stdout, process.stdout
        stored = query(warehouse, f"select failed_check, failing_rows from dbt_test__audit.{view}_row_checks")
        assert dict(stored) == expected, view


def test_row_checks_without_a_check_is_a_compilation_error(demo_raw_dir: Path, tmp_path: Path) -> None:
    """A row_checks test given no check (its check list would be invalid SQL) fails to
    compile, naming the arguments it takes."""
    project = copy_project(tmp_path)
    reporting = project / "models" / "marts" / "reporting" / "_reporting.yml"
    checks = "          arguments:\n            accepted_values: {status: [blocked, published]}\n            unique: [[as_of_date, segment_key]]\n"
    assert reporting.read_text().count(checks) == 1
    reporting.write_text(reporting.read_text().replace(checks, "          arguments: {}\n"))
    with pytest.raises(DbtError, match=r"row_checks: no check given \(not_null, accepted_values or unique\)"):
        dbt(["compile", "--select", "rpt_segment_quality_row_checks"], raw_dir=demo_raw_dir,
            warehouse=tmp_path / "warehouse.duckdb", target_path=tmp_path / "target", project_dir=project)
