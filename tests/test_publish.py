"""Write-audit-publish on real demo data and real files: a passing refresh publishes and
records its quality figures; a refresh killed mid-build (SIGKILL of the refresh alone)
takes its dbt process with it and leaves the published file intact; the next refresh
removes the dead run's candidate, keeps a live run's, succeeds, reproduces the same
tables, and readers querying the published file meanwhile always get complete,
consistent answers. `make build` on another raw dir equals a build into an empty
warehouse."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from saas_segments.publish import (
    CANDIDATE_DIR,
    RefreshResult,
    build_dev,
    process_start,
    refresh,
    remove_stale_candidates,
    write_lease,
)

from conftest import differing_rows, generate, query, relations
from saas_segments.project import PROJECT_DIR

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


def dbt_children(pid: int) -> list[int]:
    """The dbt processes started by process ``pid``."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    found = []
    for child in map(int, children):
        try:
            if "dbt" in Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace"):
                found.append(child)
        except FileNotFoundError:
            continue
    return found


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
    deadline = time.monotonic() + 300
    # dbt is building into the candidate, with the run's own target dir
    while not (
        (children := dbt_children(killed.pid)) and list((warehouse.parent / CANDIDATE_DIR).glob("run-*/target/*"))
    ) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3)
    assert killed.poll() is None and children, "the refresh finished before it could be killed"
    (killed_run,) = (warehouse.parent / CANDIDATE_DIR).glob("run-*")
    os.kill(killed.pid, signal.SIGKILL)  # the refresh alone, not its process group
    assert killed.wait() == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while any(process_start(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [child for child in children if process_start(child)] == [], "dbt outlived the killed refresh"
    assert (killed_run / warehouse.name).exists() and (killed_run / "target").is_dir()
    assert sha256(warehouse) == before_hash

    # a run that still runs (its owner: this process) keeps its candidate through the next refresh's cleanup
    live_run = warehouse.parent / CANDIDATE_DIR / "run-live"
    live_run.mkdir()
    (live_run / warehouse.name).write_bytes(b"being built")
    write_lease(live_run)

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
    assert list((warehouse.parent / CANDIDATE_DIR).glob("run-*")) == [live_run]
    assert (live_run / warehouse.name).read_bytes() == b"being built"
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
    shutil.rmtree(live_run)


def test_make_build_on_another_raw_dir_equals_a_build_into_an_empty_warehouse(
    first_refresh: tuple[Path, RefreshResult], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`make run` (the demo published), then `make build RAW_DIR=<another raw dir>`: the build
    says it starts from an empty warehouse, passes the gates, publishes, and every table
    equals a refresh of that raw dir into a new warehouse; nothing of the demo is left."""
    demo_published, _ = first_refresh
    workdir = tmp_path_factory.mktemp("another")
    other = generate(workdir / "raw-seed-7", "demo", 7)
    warehouse = workdir / "published" / demo_published.name
    warehouse.parent.mkdir()
    shutil.copyfile(demo_published, warehouse)
    demo_members = query(warehouse, "select count(*) from marts.fct_segment_membership_history")[0][0]

    process = subprocess.run(
        ["make", "--no-print-directory", "build", f"RAW_DIR={other}", f"WAREHOUSE={warehouse}"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
    )
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert f"raw dir {other.resolve()} is not " in process.stderr and "building from an empty warehouse" in process.stderr
    assert f"published {warehouse}" in process.stdout

    fresh = workdir / "fresh" / warehouse.name
    fresh.parent.mkdir()
    assert refresh(other, fresh).published
    compared = []
    for schema, table in relations(fresh):
        if table in {"segment_quality", "segment_quality_history"}:  # stamped with the run
            continue
        assert differing_rows(warehouse, fresh, schema, table) == (0, 0), f"{schema}.{table} differs"
        compared.append(table)
    assert {"base_app__events", "int_events_aggregated_to_user_days", "fct_segment_membership_history"} <= set(compared)
    assert len(compared) > 60
    history = query(warehouse, "select count(*), count(distinct as_of_date) from marts.fct_segment_membership_history")
    assert history[0][1] == 1 and 0 < history[0][0] != demo_members
    assert query(warehouse, "select count(*) from marts.segment_quality_history")[0][0] == query(
        fresh, "select count(*) from marts.segment_quality_history"
    )[0][0]
    assert query(warehouse, "select distinct raw_dir from meta.raw_event_files") == [(str(other.resolve()),)]


def test_cleanup_keeps_live_and_leased_candidates_and_removes_dead_ones(tmp_path: Path) -> None:
    """Stale-candidate cleanup: a run whose owner process is gone is removed, unless its
    grace period (a Dagster run between two steps) is still running; a live owner keeps it;
    a folder without a lease is stale."""
    finished = subprocess.Popen(["true"])
    finished.wait()

    def run_dir(name: str, owner: dict[str, object] | None) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "saas_segments.duckdb").write_bytes(b"candidate")
        if owner is not None:
            (folder / "lease.json").write_text(json.dumps(owner))
        return folder

    dead = run_dir("run-dead", {"pid": finished.pid, "start": "0", "until": time.time() - 1})
    between_steps = run_dir("run-between-steps", {"pid": finished.pid, "start": "0", "until": time.time() + 60})
    unleased = run_dir("run-unleased", None)
    live = run_dir("run-live", None)
    write_lease(live)
    # a pid reused by another process does not keep a dead run's candidate
    reused = run_dir("run-reused-pid", {"pid": os.getpid(), "start": "0", "until": 0})

    assert remove_stale_candidates(tmp_path) == sorted([dead, unleased, reused])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["run-between-steps", "run-live"]
    assert (between_steps / "saas_segments.duckdb").read_bytes() == b"candidate"


def test_development_build_refuses_a_published_warehouse(tmp_path: Path, demo_raw_dir: Path) -> None:
    """A development build (no gates) never writes a published warehouse: one with a
    candidate folder next to it is refused before dbt runs, and left as it was."""
    warehouse = tmp_path / "saas_segments.duckdb"
    warehouse.write_bytes(b"published")
    (tmp_path / CANDIDATE_DIR).mkdir()
    with pytest.raises(ValueError, match=f"{warehouse} is a published warehouse; development builds go to a separate file"):
        build_dev(demo_raw_dir, warehouse)
    assert warehouse.read_bytes() == b"published"
