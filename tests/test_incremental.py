"""Incremental refresh of the event models: a daily append plus late events gives the
same warehouse as a full build on the same raw rows."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import query
from saas_segments.project import dbt
from saas_segments.publish import REFRESH_WINDOW_TESTS

pytestmark = pytest.mark.slow

EVENTS_GLOB = "events/*.parquet"
# Held back from the first load and delivered with the next day: events of the two
# days before it, as if they had arrived late (within the default 3-day lookback).
LATE_DAYS = 2
LATE_SAMPLE = "hash(event_id) % 5 = 0"
# Relations that depend on earlier runs (the previous as_of), not on the raw rows.
RUN_HISTORY = {"fct_segment_membership_history", "fct_segment_transitions", "segment_quality", "segment_quality_history"}
INCREMENTAL_MODELS = {
    ("staging", "base_app__events"),
    ("intermediate", "int_events_aggregated_to_user_days"),
    ("intermediate", "int_feature_events_aggregated_to_user_days"),
}


def write_events(source: Path, target: Path, where: str) -> int:
    """Write the demo events matching ``where`` to one Parquet part; returns its row count."""
    with duckdb.connect() as connection:
        connection.execute("set timezone = 'UTC'")
        reader = f"read_parquet('{source / EVENTS_GLOB}')"
        connection.execute(f"copy (select * from {reader} where {where}) to '{target}' (format parquet)")
        return connection.execute(f"select count(*) from read_parquet('{target}')").fetchone()[0]


def relations(warehouse: Path) -> list[tuple[str, str]]:
    """Every staging, intermediate and mart relation of a warehouse."""
    return query(
        warehouse,
        "select schema_name, table_name from duckdb_tables()"
        " where schema_name in ('staging', 'intermediate', 'marts')"
        " union select schema_name, view_name from duckdb_views()"
        " where schema_name in ('staging', 'intermediate', 'marts') and not internal order by 1, 2",
    )


def differing_rows(left: Path, right: Path, schema: str, table: str, where: str = "true") -> tuple[int, int]:
    """Rows of ``schema.table`` only in ``left`` and only in ``right`` (multiset difference)."""
    with duckdb.connect() as connection:
        connection.execute(f"attach '{left}' as l (read_only)")
        connection.execute(f"attach '{right}' as r (read_only)")
        columns = ", ".join(
            f'"{name}"'
            for (name,) in connection.execute(
                "select column_name from duckdb_columns() where database_name = 'l'"
                f" and schema_name = '{schema}' and table_name = '{table}' and column_name <> 'run_id' order by column_index"
            ).fetchall()
        )
        counts = []
        for first, second in (("l", "r"), ("r", "l")):
            counts.append(
                connection.execute(
                    f"select count(*) from (select {columns} from {first}.{schema}.{table} where {where}"
                    f" except all select {columns} from {second}.{schema}.{table} where {where})"
                ).fetchone()[0]
            )
        return counts[0], counts[1]


def last_event_day(raw: Path) -> dt.date:
    """The newest UTC day in a raw dir's events."""
    with duckdb.connect() as connection:
        return connection.execute(
            f"select cast(max(timezone('UTC', occurred_at)) as date) from read_parquet('{raw / EVENTS_GLOB}')"
        ).fetchone()[0]


@pytest.fixture(scope="module")
def incremental_run(tmp_path_factory: pytest.TempPathFactory, demo_raw_dir: Path) -> dict[str, object]:
    """Full build on the demo events up to the day before the last one, minus the
    late events; then the last day and the late events are appended as a new file
    and the project is built again (incremental)."""
    workdir = tmp_path_factory.mktemp("incremental")
    raw = workdir / "raw"
    shutil.copytree(demo_raw_dir, raw, ignore=shutil.ignore_patterns("events", "_truth"))
    (raw / "events").mkdir()
    last_day = last_event_day(demo_raw_dir)
    day = "cast(timezone('UTC', occurred_at) as date)"
    late = f"({day} >= date '{last_day - dt.timedelta(days=LATE_DAYS)}' and {LATE_SAMPLE})"
    first_rows = write_events(demo_raw_dir, raw / "events" / "part-00000.parquet", f"{day} < date '{last_day}' and not {late}")
    warehouse = workdir / "warehouse.duckdb"
    no_tests = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
    dbt(no_tests, raw_dir=raw, warehouse=warehouse, target_path=workdir / "target")
    first_as_of = query(warehouse, "select as_of_date from intermediate.int_as_of_date")[0][0]
    late_rows = write_events(demo_raw_dir, workdir / "late.parquet", f"{late} and {day} < date '{last_day}'")
    appended_rows = write_events(demo_raw_dir, raw / "events" / "part-00001.parquet", f"{day} = date '{last_day}' or {late}")
    # the daily refresh's command and vars: models and their data tests (on the incremental
    # tables, the days the refresh rewrote)
    dbt(
        ["build", "--exclude-resource-type", "unit_test"],
        raw_dir=raw,
        warehouse=warehouse,
        dbt_vars=REFRESH_WINDOW_TESTS,
        target_path=workdir / "target",
    )
    return {
        "raw": raw,
        "warehouse": warehouse,
        "target": workdir / "target",
        "last_day": last_day,
        "first_as_of": first_as_of,
        "first_rows": first_rows,
        "late_rows": late_rows,
        "appended_rows": appended_rows,
    }


def test_the_split_holds_back_late_events(incremental_run: dict, demo_raw_dir: Path) -> None:
    """The first build saw neither the last day nor the late events; they came in the append."""
    with duckdb.connect() as connection:
        demo_rows = connection.execute(f"select count(*) from read_parquet('{demo_raw_dir / EVENTS_GLOB}')").fetchone()[0]
    assert incremental_run["first_as_of"] == incremental_run["last_day"] - dt.timedelta(days=1)
    assert incremental_run["late_rows"] > 20
    assert incremental_run["first_rows"] + incremental_run["appended_rows"] == demo_rows


def test_incremental_build_equals_full_build(incremental_run: dict, demo_warehouse: Path) -> None:
    """Every staging, intermediate and mart relation equals the full build on the same
    rows (the demo warehouse), row for row; the membership history for the new as_of too."""
    warehouse = incremental_run["warehouse"]
    assert query(warehouse, "select as_of_date from intermediate.int_as_of_date")[0][0] == incremental_run["last_day"]
    compared = []
    for schema, table in relations(demo_warehouse):
        if table in RUN_HISTORY:
            continue
        assert differing_rows(warehouse, demo_warehouse, schema, table) == (0, 0), f"{schema}.{table} differs"
        compared.append((schema, table))
    assert INCREMENTAL_MODELS <= set(compared)
    assert len(compared) > 60
    as_of = f"as_of_date = date '{incremental_run['last_day']}'"
    assert differing_rows(warehouse, demo_warehouse, "marts", "fct_segment_membership_history", as_of) == (0, 0)
    assert query(warehouse, "select count(distinct as_of_date) from marts.fct_segment_membership_history")[0][0] == 2


def rows_checked_by(warehouse: Path, compiled_test: Path) -> int:
    """Rows of the relation a compiled data test checks (its `where` subquery)."""
    sql = compiled_test.read_text()
    subquery = sql[sql.index("from (select * from") + len("from ") : sql.index(") dbt_subquery") + 1]
    return query(warehouse, f"select count(*) from {subquery} as tested")[0][0]


def test_refresh_tests_check_the_rewritten_days_and_other_builds_every_row(incremental_run: dict, tmp_path: Path) -> None:
    """On the refresh, stg_app__events' unique test read the last lookback + 1 days (every
    day the refresh rewrote); compiled without the refresh's vars it reads every row."""
    warehouse = incremental_run["warehouse"]
    name = "unique_stg_app__events_event_id.sql"
    refresh_test = next((incremental_run["target"] / "compiled").rglob(name))
    window_start = incremental_run["last_day"] - dt.timedelta(days=3 + 1)  # incremental_lookback_days + 1
    in_window, every_row = query(
        warehouse,
        f"select count(*) filter (where event_date >= date '{window_start}'), count(*) from staging.stg_app__events",
    )[0]
    assert 0 < in_window < every_row / 10
    assert rows_checked_by(warehouse, refresh_test) == in_window
    dbt(["compile", "--select", name.removesuffix(".sql")], raw_dir=incremental_run["raw"], warehouse=warehouse, target_path=tmp_path)
    assert rows_checked_by(warehouse, next((tmp_path / "compiled").rglob(name))) == every_row


def test_event_later_than_the_lookback_fails_the_load_audit(incremental_run: dict, demo_raw_dir: Path) -> None:
    """An event arriving later than the lookback is not taken in silently: the load
    audit no longer reconciles and the build fails until a full refresh."""
    raw = incremental_run["raw"]
    too_late = incremental_run["last_day"] - dt.timedelta(days=10)
    with duckdb.connect() as connection:
        connection.execute("set timezone = 'UTC'")
        connection.execute(
            f"copy (select 'late-' || event_id as event_id, user_id, account_id, occurred_at, event_type, feature_key,"
            f" session_id from read_parquet('{demo_raw_dir / EVENTS_GLOB}')"
            f" where cast(timezone('UTC', occurred_at) as date) = date '{too_late}' limit 1)"
            f" to '{raw / 'events' / 'part-00002.parquet'}' (format parquet)"
        )
    process = dbt(
        ["build", "--select", "base_app__events", "stg_load_audit"],
        raw_dir=raw,
        warehouse=incremental_run["warehouse"],
        target_path=incremental_run["target"],
        check=False,
    )
    assert process.returncode == 1
    assert "accepted_values_stg_load_audit_is_reconciled" in process.stdout
    assert query(
        incremental_run["warehouse"], "select raw_rows - staged_rows - quarantined_rows - collapsed_rows"
        " from staging.stg_load_audit where source_table = 'events'"
    ) == [(1,)]
