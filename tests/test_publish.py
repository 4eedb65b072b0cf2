"""Write-audit-publish on real demo data and real files: a passing refresh publishes and
records its quality figures; a refresh killed mid-build leaves the published file
intact; the next refresh succeeds, reproduces the same tables, and readers querying
the published file meanwhile always get complete, consistent answers."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from saas_segments.publish import CANDIDATE_DIR, RefreshResult, refresh

from conftest import query

# a reader process: until the stop file appears, reconnects (read-only) and reads the
# membership view and the quality view in one connection; prints what it saw as JSON
READER = """
import json, sys, pathlib, duckdb
warehouse, stop = sys.argv[1], pathlib.Path(sys.argv[2])
seen, errors = [], []
while not stop.exists():
    try:
        with duckdb.connect(warehouse, read_only=True) as connection:
            seen.append(connection.execute(
                "select (select count(*) from marts.fct_segment_membership),"
                " (select sum(member_count) from marts.segment_quality),"
                " (select count(*) from marts.seg_power_users)"
            ).fetchall()[0])
    except Exception as error:
        errors.append(repr(error))
print(json.dumps({"seen": seen, "errors": errors}))
"""


def sha256(path: Path) -> str:
    """Hash of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table and view of the warehouse, sorted, except the run-stamped quality ones."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        names = connection.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_name not in ('segment_quality', 'segment_quality_history') order by 1"
        ).fetchall()
        return {name: connection.execute(f"select * from {name} order by all").fetchall() for (name,) in names}


@pytest.fixture(scope="module")
def first_refresh(tmp_path_factory: pytest.TempPathFactory, demo_raw_dir: Path) -> tuple[Path, RefreshResult]:
    """A first refresh of a new warehouse file on the demo data."""
    warehouse = tmp_path_factory.mktemp("published") / "saas_segments.duckdb"
    return warehouse, refresh(demo_raw_dir, warehouse)


def test_passing_refresh_publishes_and_records_its_quality(first_refresh: tuple[Path, RefreshResult]) -> None:
    warehouse, result = first_refresh
    assert result.published, result.message
    assert result.audit is not None and result.audit.errors == ()
    assert not list((warehouse.parent / CANDIDATE_DIR).glob("run-*"))
    history = query(
        warehouse,
        "select run_id, count(*), count(distinct segment_key), count(*) filter (where verdict = 'fail') "
        "from marts.segment_quality_history group by run_id",
    )
    keys = query(warehouse, "select count(*) from marts.segment_quality")[0][0]
    assert history == [(result.audit.run_id, keys, keys, 0)]
    power_users = query(
        warehouse,
        "select member_count, measurable_verdict, spike_driven from marts.segment_quality_history "
        "where segment_key = 'power_users'",
    )
    assert power_users == [(query(warehouse, "select count(*) from marts.seg_power_users")[0][0], "pass", False)]


def test_killed_refresh_then_idempotent_refresh_under_readers(
    first_refresh: tuple[Path, RefreshResult], demo_raw_dir: Path, tmp_path: Path
) -> None:
    warehouse, first = first_refresh
    before_hash, before_tables = sha256(warehouse), published_tables(warehouse)
    expected_members = query(warehouse, "select count(*) from marts.fct_segment_membership")[0][0]

    killed = subprocess.Popen(
        [sys.executable, "-m", "saas_segments.refresh", "--raw-dir", str(demo_raw_dir), "--warehouse", str(warehouse)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list((warehouse.parent / CANDIDATE_DIR).glob("run-*/*.duckdb")) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(8)  # dbt is building into the candidate
    assert killed.poll() is None, "the refresh finished before it could be killed"
    os.killpg(killed.pid, signal.SIGKILL)
    assert killed.wait() == -signal.SIGKILL
    assert list((warehouse.parent / CANDIDATE_DIR).glob("run-*/*.duckdb")), "killed before building a candidate"
    assert sha256(warehouse) == before_hash

    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse), str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        second = refresh(demo_raw_dir, warehouse)
        time.sleep(1)  # let the reader see the newly published file too
    finally:
        stop.touch()
    report = json.loads(reader.communicate(timeout=60)[0])

    assert second.published, second.message
    assert report["errors"] == []
    assert len(report["seen"]) > 20
    assert {tuple(row) for row in report["seen"]} == {
        (expected_members, expected_members, len(before_tables["marts.seg_power_users"]))
    }
    assert not list((warehouse.parent / CANDIDATE_DIR).glob("run-*"))
    assert published_tables(warehouse) == before_tables
    runs = query(
        warehouse,
        "select run_id, count(*) filter (where consistent_verdict = 'pass') = count(*) "
        "from marts.segment_quality_history group by run_id order by min(recorded_at)",
    )
    assert runs == [(first.audit.run_id, True), (second.audit.run_id, True)]
    rebuild = query(
        warehouse,
        "select distinct same_as_of_run_id, is_rebuild_different, previous_as_of_date from marts.segment_quality",
    )
    assert rebuild == [(first.audit.run_id, False, None)]
