"""PostgreSQL as a serving target: the same project, the same figures as DuckDB, and
an analyst login that reads marts only.

Both engines build the same raw dir: the demo data generated with seed 42 (the
session fixture `demo_raw_dir`, byte-identical to `make demo-data`'s data/raw/demo).
The server is the local one (SAAS_PG_* like profiles.yml); when it is down the
fixture starts the cluster with pg_ctlcluster, and the tests skip only when no
server can run here. They build into their own database (`saas_segments_test`),
never the serving one.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import psycopg2
import pytest

from conftest import CONTRACT_FIXTURE, query
from cross_engine import (
    UnreadableTable,
    compared_tables,
    describe_difference,
    duckdb_table,
    normalize,
    normalized_rows,
    table_differences,
)
from saas_segments import pg_load, pg_roles
from saas_segments.project import dbt

TEST_DATABASE = "saas_segments_test"
BI_USER = "bi_reader_test"
BI_PASSWORD = "test-only-password"

pytestmark = pytest.mark.slow


def pg_env(database: str = TEST_DATABASE) -> dict[str, str]:
    return {"SAAS_TARGET": "postgres", "SAAS_PG_DATABASE": database}


def load_and_build(
    raw_dir: Path, target_path: Path, select: str | None = None, check: bool = True, database: str = TEST_DATABASE
):
    """COPY a raw dir into a test database and dbt build on it."""
    pg_load.load_raw_dir(raw_dir, database, create_database=True)
    args = ["build", "--fail-fast"] + (["--select", select] if select else [])
    return dbt(args, raw_dir=raw_dir, target_path=target_path, env=pg_env(database), check=check)


@pytest.fixture(scope="session")
def pg_warehouse(pg_server: None, demo_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The whole project built on PostgreSQL from the demo raw dir; the database name."""
    started = time.monotonic()
    load_and_build(demo_raw_dir, tmp_path_factory.mktemp("pg_build") / "target")
    print(f"postgres build: {time.monotonic() - started:.1f}s")
    return TEST_DATABASE


def pg_rows(sql: str, database: str = TEST_DATABASE, **connect: object) -> list[tuple]:
    connection = psycopg2.connect(**{**pg_load.connection_params(database), **connect})
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        connection.close()


# ---- cross-engine equality -------------------------------------------------------

def pg_table(schema: str, table: str, columns: list[str]) -> list[tuple]:
    try:
        return pg_rows(f"select {', '.join(columns)} from {schema}.{table}")
    except psycopg2.Error as error:
        raise UnreadableTable(str(error)) from error


def test_postgres_marts_equal_duckdb(demo_warehouse: Path, pg_warehouse: str) -> None:
    differences = table_differences(demo_warehouse, compared_tables(demo_warehouse), pg_table, "postgres")
    assert not differences, "postgres and duckdb differ:\n" + "\n".join(differences)
    assert pg_rows("select count(*) from marts.fct_segment_membership")[0][0] > 1000


def test_postgres_quarantine_equals_duckdb_on_bad_rows(
    pg_server: None, contract_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The hand-written fixture with a bad row of every kind: the same rows are staged,
    quarantined (same rule, same raw values) and collapsed on both engines."""
    database = TEST_DATABASE + "_fixture"
    load_and_build(CONTRACT_FIXTURE, tmp_path_factory.mktemp("pg_fixture") / "target", select="+staging", database=database)
    differences = []
    for table in ["stg_quarantine", "stg_load_audit"]:
        columns, duck = duckdb_table(contract_warehouse, "staging", table)
        pg = pg_rows(f"select {', '.join(columns)} from staging.{table}", database)
        difference = describe_difference(
            f"staging.{table}", normalized_rows(duck), normalized_rows(pg), columns, "postgres"
        )
        if difference:
            differences.append(difference)
    assert not differences, "postgres and duckdb stage the fixture differently:\n" + "\n".join(differences)
    assert len(query(contract_warehouse, "select * from staging.stg_quarantine")) > 10


#: Raw strings and whether DuckDB's try_cast reads them. Not mirrored on purpose:
#: the special words DuckDB also reads as dates (epoch, infinity) and 5-digit years.
CAST_SAMPLES = {
    "decimal(18, 4)": ["12", " 12 ", "1e3", "1.5", "-0.5", ".5", "5.", "NaN", "inf", "Infinity", "abc", "",
                       "1,5", "12345678901234567890", "0x10", "+3", "1_000", "1.23456"],
    "date": ["2026-01-05", " 2026-01-05 ", "2026-1-5", "2026-02-30", "20260105", "2026/01/05", "05/01/2026",
             "2026-01-05 10:00:00", "2026-01-05T10:00:00Z", "today", "Jan 5 2026", "2026-01-05 BC",
             "2026-01-05 x", "2026-01-05 10", "2026-01-05 10:61:00", "2026-01-05 10:00:00 garbage", " 2026-01-05"],
    "timestamptz": ["2026-01-05", "2026-01-05 10:00:00", "2026-01-05T10:00:00Z", "2026-01-05 10:00:00+02",
                    "2026-01-05 10:00:00+02:00", "2026-01-05 10:00:00.123456-0530", "2026-01-05 10:00",
                    "2026-01-05 10:00:00 UTC", "2026-01-05 25:00:00", "2026-01-05 10:00:00 Europe/Paris", "now",
                    "2026-01-05T10:00:00.5+00:00", "2026-01-05 10:00:00 +02", " 2026-01-05 10:00:00", "garbage",
                    "2026-01-05 ", " 2026-01-05", "2026-01-05 10:00:00 ", "\t2026-01-05 10:00", "2026-01-05 10:61:00",
                    "2026-01-05 10:00:00 garbage"],
}


def test_safe_casts_read_what_duckdb_try_cast_reads(pg_warehouse: str) -> None:
    functions = {
        "decimal(18, 4)": "public.saas_try_numeric(%s, 18, 4)",
        "date": "public.saas_try_date(%s)",
        "timestamptz": "public.saas_try_timestamptz(%s) at time zone 'UTC'",
    }
    differences = []
    with duckdb.connect() as duck:
        duck.execute("set timezone = 'UTC'")
        for sql_type, samples in CAST_SAMPLES.items():
            for sample in samples:
                expected = duck.execute(f"select try_cast(? as {sql_type})", [sample]).fetchone()[0]
                if isinstance(expected, dt.datetime):
                    expected = expected.astimezone(dt.timezone.utc).replace(tzinfo=None)
                connection = psycopg2.connect(**pg_load.connection_params(pg_warehouse))
                try:
                    with connection.cursor() as cursor:
                        cursor.execute(f"select {functions[sql_type]}", (sample,))
                        actual = cursor.fetchone()[0]
                finally:
                    connection.close()
                if normalize(expected) != normalize(actual):
                    differences.append(f"{sql_type} {sample!r}: duckdb {expected!r}, postgres {actual!r}")
    assert not differences, "\n".join(differences)


def test_postgres_load_audit_reconciles(pg_warehouse: str) -> None:
    rows = pg_rows("select source_table, raw_rows, is_reconciled from staging.stg_load_audit order by 1")
    assert len(rows) == 13
    assert all(reconciled for _, _, reconciled in rows), rows
    assert pg_rows("select count(*) from staging.stg_quarantine") == [(0,)]


# ---- contract on raw data ------------------------------------------------------------


def test_postgres_raw_contract_names_missing_table_and_column(pg_server: None, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(CONTRACT_FIXTURE, raw)
    (raw / "plans.csv").unlink()
    users = raw / "users.csv"
    with users.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    with users.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[name for name in rows[0] if name != "email_opt_in"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    process = load_and_build(
        raw, tmp_path / "target", select="stg_billing__plans", check=False, database=TEST_DATABASE + "_contract"
    )
    output = process.stdout + process.stderr
    assert process.returncode != 0
    assert "raw table 'plans' not found" in output, output[-3000:]
    assert "raw table 'users' is missing required column 'email_opt_in'" in output, output[-3000:]


# ---- serving security ------------------------------------------------------------------


@pytest.fixture(scope="session")
def bi_login(pg_warehouse: str) -> Iterator[Callable[[str], list[tuple]]]:
    """Run SQL as the BI login (member of analyst); raises psycopg2 errors. The login
    is dropped at the end of the session."""
    pg_roles.ensure_bi_user(BI_USER, BI_PASSWORD, pg_warehouse)

    def run(sql: str) -> list[tuple]:
        connection = psycopg2.connect(
            **{**pg_load.connection_params(pg_warehouse), "user": BI_USER, "password": BI_PASSWORD}
        )
        try:
            with connection.cursor() as cursor:
                # privileges, not the read-only default, must be what refuses writes
                cursor.execute("set default_transaction_read_only = off")
                connection.commit()
                cursor.execute(sql)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.rollback()
            connection.close()

    yield run
    connection = psycopg2.connect(**pg_load.connection_params(pg_warehouse))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"drop owned by {BI_USER}")
            cursor.execute(f"drop role if exists {BI_USER}")
    finally:
        connection.close()


def test_bi_login_reads_marts(bi_login: Callable[[str], list[tuple]]) -> None:
    assert bi_login("select count(*) from marts.seg_power_users")[0][0] > 0
    assert bi_login("select count(*) from marts.fct_segment_membership")[0][0] > 0
    assert bi_login("select count(*) from marts.dim_segments")[0][0] > 0


@pytest.mark.parametrize(
    "relation",
    ["raw.accounts", "staging.stg_app__users", "staging.stg_quarantine", "intermediate.int_user_engagement",
     "reference.ref_currencies"],
)
def test_bi_login_cannot_read_outside_marts(bi_login: Callable[[str], list[tuple]], relation: str) -> None:
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        bi_login(f"select * from {relation} limit 1")


@pytest.mark.parametrize(
    "statement",
    [
        "create table marts.bi_scratch (x integer)",
        "create table public.bi_scratch (x integer)",
        "create schema bi_scratch",
        "create temporary table bi_scratch (x integer)",
        "insert into marts.seg_power_users select * from marts.seg_power_users limit 1",
        "delete from marts.fct_kpis_monthly",
        "drop table marts.dim_accounts",
    ],
)
def test_bi_login_cannot_write(bi_login: Callable[[str], list[tuple]], statement: str) -> None:
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        bi_login(statement)


def test_analyst_is_a_nologin_group(pg_warehouse: str) -> None:
    assert pg_rows("select rolcanlogin, rolsuper from pg_roles where rolname = 'analyst'") == [(False, False)]
