"""What a refresh leaves as it is: the staging of raw tables whose files, the code and the
vars are as recorded; a table with rows quarantined for a time after the last load is
staged again."""

from __future__ import annotations

from pathlib import Path

import duckdb

from saas_segments.refresh_scope import raw_inputs, record_inputs, unchanged_tables

VARS = {"quality_profile": "demo"}


def test_unchanged_tables_follow_files_vars_and_future_quarantine(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "events").mkdir(parents=True)
    (raw / "events" / "part-0.parquet").write_bytes(b"day 1")
    (raw / "users.parquet").write_bytes(b"users")
    (raw / "plans.csv").write_bytes(b"plans")
    (raw / "_truth").mkdir()
    (raw / "_truth" / "manifest.json").write_bytes(b"{}")
    warehouse = tmp_path / "warehouse.duckdb"
    assert unchanged_tables(warehouse, raw_inputs(raw), VARS) == ()  # no warehouse
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema staging")
        connection.execute("create table staging.stg_quarantine as select 'plans' as source_table, 'unknown_enum' as rule")
    assert unchanged_tables(warehouse, raw_inputs(raw), VARS) == ()  # no record
    record_inputs(warehouse, raw_inputs(raw), VARS)

    # the refresh's own vars (as_of, test scope) change nothing staging reads
    assert unchanged_tables(warehouse, raw_inputs(raw), {**VARS, "as_of": "2026-06-30", "data_test_scope": "refresh_window"}) == (
        "events", "plans", "users",
    )
    (raw / "events" / "part-1.parquet").write_bytes(b"day 2")
    (raw / "users.parquet").write_bytes(b"users, one more")
    assert unchanged_tables(warehouse, raw_inputs(raw), VARS) == ("plans",)
    assert unchanged_tables(warehouse, raw_inputs(raw), {**VARS, "raw_min_timestamp": "2001-01-01"}) == ()
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("insert into staging.stg_quarantine values ('plans', 'timestamp_out_of_range')")
    assert unchanged_tables(warehouse, raw_inputs(raw), VARS) == ()
