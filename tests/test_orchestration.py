"""Dagster definitions: load, partitioned refresh with backfill, blocking gates, schedule, alerts, a killed run."""

import json
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetCheckSeverity,
    DagsterInstance,
    Definitions,
    ExecuteInProcessResult,
    build_run_status_sensor_context,
    build_schedule_context,
    materialize,
)

from orchestration.assets import PUBLISHED, RAW_KEYS, SEGMENT_QUALITY, demo_raw_data
from orchestration.definitions import build_definitions, defs
from orchestration.resources import AlertSink, WarehouseResource
from orchestration.sensors import alert_on_run_failure
from conftest import query
from saas_segments.project import PROJECT_DIR
from saas_segments.publish import process_start


def test_definitions_load() -> None:
    """Definitions validate; every segment is an asset grouped by family, with dbt and GX checks."""
    Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    segments = [key for key in keys if key.path[-1].startswith("seg_")]
    assert len(segments) == len(list(Path("models/marts/segments").glob("seg_*.sql")))
    assert all(graph.get(key).group_name.startswith("segments_") for key in segments)
    assert set(RAW_KEYS) <= keys and PUBLISHED in keys
    check_names = {check.name for check in graph.asset_check_keys if check.asset_key == SEGMENT_QUALITY}
    assert {"gx_measurable", "gx_accessible", "gx_stable", "gx_consistent"} <= check_names
    assert any(check.asset_key in segments for check in graph.asset_check_keys)


def test_schedule_requests_yesterday() -> None:
    """The 06:00 UTC schedule refreshes the previous day's partition, tagged with as_of."""
    schedule = defs.resolve_schedule_def("daily_refresh_schedule")
    assert schedule.cron_schedule == "0 6 * * *" and schedule.execution_timezone == "UTC"
    context = build_schedule_context(scheduled_execution_time=datetime(2026, 6, 2, 6, tzinfo=timezone.utc))
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-06-01"


def _as_of_dates(raw_dir: Path) -> list[str]:
    """The demo data's as_of and the day before it."""
    as_of = date.fromisoformat(json.loads((raw_dir / "_truth" / "manifest.json").read_text())["as_of"])
    return [(as_of - timedelta(days=days)).isoformat() for days in (1, 0)]


@pytest.fixture(scope="module")
def backfill(demo_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[ExecuteInProcessResult], Path]:
    """The daily refresh job run for two consecutive partitions on the demo data: a full build, then a
    refresh of the next day on the published warehouse."""
    workdir = tmp_path_factory.mktemp("dagster")
    warehouse = workdir / "warehouse" / "saas_segments.duckdb"
    alerts = workdir / "alerts.jsonl"
    definitions = build_definitions(
        {"warehouse": WarehouseResource(raw_dir=str(demo_raw_dir), warehouse=str(warehouse)), "alerts": AlertSink(path=str(alerts))}
    )
    job = definitions.resolve_job_def("daily_refresh")
    instance = DagsterInstance.ephemeral()
    results = [job.execute_in_process(partition_key=key, instance=instance) for key in _as_of_dates(demo_raw_dir)]
    return warehouse, results, demo_raw_dir


def test_backfill_publishes_each_partition(backfill: tuple[Path, list[ExecuteInProcessResult], Path]) -> None:
    """Both partitions build, pass the gates and publish; the history holds their two as_of dates."""
    warehouse, results, raw_dir = backfill
    assert all(result.success for result in results)
    assert [result.dagster_run.tags["as_of"] for result in results] == _as_of_dates(raw_dir)
    dates = query(warehouse, "select distinct cast(as_of_date as varchar) from marts.fct_segment_membership_history order by 1")
    assert [row[0] for row in dates] == _as_of_dates(raw_dir)
    assert query(warehouse, "select count(*) from marts.fct_segment_membership")[0][0] > 0
    published = query(warehouse, "select count(distinct run_id) from marts.segment_quality_history")[0][0]
    assert published == 2
    assert not list((warehouse.parent / ".candidate").glob("run-*"))


def test_checks_surface(backfill: tuple[Path, list[ExecuteInProcessResult], Path]) -> None:
    """GX gates and dbt tests are reported as asset check results; none failed at error level."""
    result = backfill[1][-1]
    evaluations = result.get_asset_check_evaluations()
    names = {evaluation.check_name for evaluation in evaluations}
    assert {"gx_measurable", "gx_accessible", "gx_stable", "gx_consistent"} <= names
    assert len(evaluations) > 100
    assert not [e for e in evaluations if not e.passed and e.severity == AssetCheckSeverity.ERROR]
    assert result.asset_materializations_for_node("published_warehouse")


def test_failing_gate_blocks_publish(backfill: tuple[Path, list[ExecuteInProcessResult], Path], tmp_path: Path) -> None:
    """An error-level GX failure (no segment reaches the minimum size) stops the publish; the file is untouched."""
    warehouse, _, raw_dir = backfill
    before = warehouse.read_bytes()
    alerts = tmp_path / "alerts.jsonl"
    strict = WarehouseResource(raw_dir=str(raw_dir), warehouse=str(warehouse), dbt_vars={"min_segment_size_demo": 10**9})
    definitions = build_definitions({"warehouse": strict, "alerts": AlertSink(path=str(alerts))})
    instance = DagsterInstance.ephemeral()
    as_of = _as_of_dates(raw_dir)[-1]
    result = definitions.resolve_job_def("daily_refresh").execute_in_process(
        partition_key=as_of, asset_selection=[SEGMENT_QUALITY, PUBLISHED], raise_on_error=False, instance=instance
    )
    measurable = [e for e in result.get_asset_check_evaluations() if e.check_name == "gx_measurable"]
    assert measurable and not measurable[0].passed and measurable[0].severity == AssetCheckSeverity.ERROR
    assert not result.asset_materializations_for_node("published_warehouse")
    assert warehouse.read_bytes() == before
    # the failed run reaches the failure sensor, which records one alert with its as_of
    assert not result.success
    context = build_run_status_sensor_context(
        sensor_name="alert_on_run_failure",
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"alerts": AlertSink(path=str(alerts))},
    ).for_run_failure()
    alert_on_run_failure(context)
    (alert,) = [json.loads(line) for line in alerts.read_text().splitlines()]
    assert (alert["job"], alert["run_id"], alert["as_of"]) == ("daily_refresh", result.run_id, as_of)


def test_demo_data_asset_refuses_a_raw_dir_with_other_data(tmp_path: Path) -> None:
    """The demo generator asset never writes into a raw dir holding other data: it fails
    naming the dir and leaves its files as they were."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "users.csv").write_text("user_id\nmine\n")
    result = materialize(
        [demo_raw_data],
        resources={"warehouse": WarehouseResource(raw_dir=str(raw), warehouse=str(tmp_path / "w.duckdb"))},
        raise_on_error=False,
    )
    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert f"raw dir {raw} holds other data than the demo's" in failure.step_failure_data.error.message
    assert sorted(path.name for path in raw.iterdir()) == ["users.csv"]
    assert (raw / "users.csv").read_text() == "user_id\nmine\n"


#: One daily_refresh run in its own process, on the warehouse and raw dir given as arguments.
RUN_IN_PROCESS = """
import sys
from dagster import DagsterInstance
from orchestration.definitions import build_definitions
from orchestration.resources import AlertSink, WarehouseResource
raw_dir, warehouse, as_of = sys.argv[1:]
resources = {"warehouse": WarehouseResource(raw_dir=raw_dir, warehouse=warehouse), "alerts": AlertSink(path=warehouse + ".alerts")}
job = build_definitions(resources).resolve_job_def("daily_refresh")
job.execute_in_process(partition_key=as_of, instance=DagsterInstance.ephemeral())
"""


def _descendants(pid: int) -> list[int]:
    """Every live descendant of process ``pid``."""
    found, pending = [], [pid]
    while pending:
        for task in Path(f"/proc/{pending.pop()}/task").glob("*"):
            try:
                children = [int(child) for child in (task / "children").read_text().split()]
            except (FileNotFoundError, ProcessLookupError):
                continue
            found += children
            pending += children
    return found


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().split("\0")
    except (FileNotFoundError, ProcessLookupError):
        return []


def _environ(pid: int) -> dict[str, str]:
    """The environment process ``pid`` started with (empty if it is gone)."""
    try:
        entries = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace").split("\0")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return {}
    return dict(entry.split("=", 1) for entry in entries if "=" in entry)


def _alive(pids: list[int]) -> list[int]:
    """The processes of ``pids`` that are still alive (not gone, not zombies)."""
    return [pid for pid in pids if process_start(pid) is not None]


def _writers_of(directory: Path) -> list[int]:
    """Live processes whose dbt warehouse (SAAS_DUCKDB_PATH) lies under ``directory``."""
    return [
        int(proc.name)
        for proc in Path("/proc").glob("[0-9]*")
        if _environ(int(proc.name)).get("SAAS_DUCKDB_PATH", "").startswith(f"{directory}/")
        and process_start(int(proc.name)) is not None
    ]


def test_killed_run_takes_its_dbt_build_with_it(demo_raw_dir: Path, tmp_path: Path) -> None:
    """SIGKILL of a run's process while its dbt build runs: the dbt process dies too (it
    is started by the saas-segments-dbt launcher), nothing writes into the candidate any
    more, the build's artifacts went to the run's own folder and the published file (a
    small warehouse: the run is killed long before it would publish) is byte-identical."""
    raw_dir = demo_raw_dir
    warehouse = tmp_path / "warehouse" / "saas_segments.duckdb"
    warehouse.parent.mkdir()
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create table published as select 42 as answer")
    before = warehouse.read_bytes()
    run = subprocess.Popen(
        [sys.executable, "-c", RUN_IN_PROCESS, str(raw_dir), str(warehouse), _as_of_dates(raw_dir)[-1]],
        cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        builds: list[int] = []
        while not builds and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.5)
            builds = [pid for pid in _descendants(run.pid) if "build" in _cmdline(pid) and any("dbt" in arg for arg in _cmdline(pid))]
        assert builds, "the run started no dbt build"
        (run_dir,) = (warehouse.parent / ".candidate").glob("run-*")
        time.sleep(2)  # dbt is building into the candidate
        # only the build writes: dbt and the helpers it starts (multiprocessing's resource tracker)
        writers = set(_writers_of(tmp_path))
        assert set(builds) <= writers <= set(builds).union(*(_descendants(pid) for pid in builds)), (writers, builds)
        assert {_environ(pid)["DBT_TARGET_PATH"] for pid in builds} == {str(run_dir / "target")}
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    # a dying process loses its environment before it is gone: wait for both
    deadline = time.monotonic() + 20
    while (_writers_of(tmp_path) or _alive(builds)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _writers_of(tmp_path) == [], "dbt outlived the killed run"
    assert _alive(builds) == [], "the dbt build outlived the killed run"
    assert warehouse.read_bytes() == before
