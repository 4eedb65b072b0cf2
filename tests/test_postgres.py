"""PostgreSQL as a serving target: the same project, the same figures as DuckDB, and
an analyst login that reads marts only.

Both engines build the same raw dir: the demo data generated with seed 42 (the
session fixture `demo_raw_dir`, byte-identical to `make demo-data`'s data/raw/demo).
The server is the local one (SAAS_PG_* like profiles.yml); when it is down the
fixture starts the cluster with pg_ctlcluster, and the tests fail when no server
can run here (SAAS_SKIP_ENGINES=postgres to skip them). They build into their own database
(`saas_segments_test`), never the serving one (SAAS_TEST_PG_DATABASE names another).

The demo build is published by the write-audit-publish refresh
(saas_segments.pg_publish; once per test run, copied for these tests, see conftest's
`pg_demo_copy`); the last tests refresh it again while a BI login reads,
kill a refresh and fail a gate, and check what readers see.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import threading
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
from saas_segments import pg_load, pg_publish, pg_roles
from saas_segments.project import PROJECT_DIR, dbt

TEST_DATABASE = os.environ.get("SAAS_TEST_PG_DATABASE", "saas_segments_test")
BI_USER = TEST_DATABASE + "_bi_reader"
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


def drop_database(database: str) -> None:
    connection = psycopg2.connect(**pg_load.connection_params("postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'drop database if exists "{database}" with (force)')
    finally:
        connection.close()


@pytest.fixture(scope="session")
def pg_warehouse(pg_demo_copy: Callable[[str], str]) -> str:
    """The demo raw dir published on PostgreSQL by one refresh, in a database of its own; its name."""
    return pg_demo_copy(TEST_DATABASE)


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
def bi_params(pg_warehouse: str) -> Iterator[dict[str, object]]:
    """Connection keywords of the BI login (member of analyst), dropped at the end of the session."""
    pg_roles.ensure_bi_user(BI_USER, BI_PASSWORD, pg_warehouse)
    yield {**pg_load.connection_params(pg_warehouse), "user": BI_USER, "password": BI_PASSWORD}
    connection = psycopg2.connect(**pg_load.connection_params(pg_warehouse))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"drop owned by {BI_USER}")
            cursor.execute(f"drop role if exists {BI_USER}")
    finally:
        connection.close()


@pytest.fixture(scope="session")
def bi_login(bi_params: dict[str, object]) -> Callable[[str], list[tuple]]:
    """Run SQL as the BI login; raises psycopg2 errors."""

    def run(sql: str) -> list[tuple]:
        connection = psycopg2.connect(**bi_params)
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

    return run


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


# ---- write-audit-publish -----------------------------------------------------------------

#: Marts stamped with the run that built them; every other mart is a function of the data.
RUN_STAMPED = {"segment_quality", "segment_quality_history"}
PROJECT_SCHEMAS = {"intermediate", "marts", "public", "raw", "reference", "staging"}


def marts_checksums(database: str, exclude: frozenset[str] | set[str] = frozenset()) -> dict[str, tuple[int, str]]:
    """Every relation of the served marts schema → (rows, md5 of its sorted rows)."""
    names = [
        row[0]
        for row in pg_rows(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1", database
        )
        if row[0] not in exclude
    ]
    checksums = {}
    for name in names:
        checksums[name] = pg_rows(
            f"select count(*), md5(coalesce(string_agg(md5(t::text), ',' order by md5(t::text)), ''))"
            f" from marts.{name} as t",
            database,
        )[0]
    return checksums


def schemas(database: str) -> set[str]:
    return {
        row[0]
        for row in pg_rows(
            "select nspname from pg_namespace where nspname not like 'pg\\_%' and nspname != 'information_schema'",
            database,
        )
    }


def history_runs(database: str) -> dict[str, int]:
    return dict(pg_rows("select run_id, count(*) from marts.segment_quality_history group by 1", database))


def served_state(database: str) -> tuple[dict[str, tuple[int, str]], dict[str, int], int]:
    """Checksums of every mart (run-stamped ones included), the recorded runs and the marts schema's oid."""
    oid = pg_rows("select oid::bigint from pg_namespace where nspname = 'marts'", database)[0][0]
    return marts_checksums(database), history_runs(database), oid


class BiReader(threading.Thread):
    """A BI login reading two marts in one transaction, in a loop, until stopped.

    Each read records (run_id of segment_quality, run_ids of the last recorded run in
    segment_quality_history, rows of seg_power_users); errors are kept, not raised.
    """

    def __init__(self, params: dict[str, object]) -> None:
        super().__init__(daemon=True)
        self.params = params
        self.reads: list[tuple[tuple[str, ...], tuple[str, ...], int]] = []
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        connection = psycopg2.connect(**self.params)
        try:
            while not self.stop.is_set():
                try:
                    with connection, connection.cursor() as cursor:
                        cursor.execute("select distinct run_id from marts.segment_quality order by 1")
                        quality = tuple(row[0] for row in cursor.fetchall())
                        # a transaction that spans a publish reads its second mart after it
                        cursor.execute("select pg_sleep(0.05)")
                        cursor.execute(
                            "select distinct run_id from marts.segment_quality_history"
                            " where recorded_at = (select max(recorded_at) from marts.segment_quality_history) order by 1"
                        )
                        history = tuple(row[0] for row in cursor.fetchall())
                        cursor.execute("select count(*) from marts.seg_power_users")
                        self.reads.append((quality, history, cursor.fetchone()[0]))
                except psycopg2.Error as error:
                    self.errors.append(f"{type(error).__name__}: {error}".strip())
                time.sleep(0.02)
        finally:
            connection.close()


def test_refresh_under_bi_reads_is_atomic_and_idempotent(
    pg_warehouse: str, bi_params: dict[str, object], demo_raw_dir: Path, tmp_path: Path
) -> None:
    """A second refresh of the same data while a BI login reads: no read fails or mixes two
    runs, the marts come out identical, the quality history keeps the first run and adds
    the second, and one copy of each schema remains."""
    marts_before = marts_checksums(pg_warehouse, exclude=RUN_STAMPED)
    first_run = history_runs(pg_warehouse)
    assert len(first_run) == 1, first_run
    reader = BiReader(bi_params)
    reader.start()
    try:
        result = pg_publish.refresh(demo_raw_dir, pg_warehouse, target_path=tmp_path / "target")
        time.sleep(1)
    finally:
        reader.stop.set()
        reader.join(timeout=60)
    assert result.published, result.message
    assert reader.errors == [], reader.errors[:5]
    seen_runs = {quality for quality, _, _ in reader.reads}
    assert seen_runs == {tuple(first_run), (result.audit.run_id,)}, seen_runs
    mixed = [read for read in reader.reads if read[0] != read[1]]
    assert mixed == [], mixed[:5]
    assert {count for _, _, count in reader.reads} == {marts_before["seg_power_users"][0]}
    assert len(reader.reads) >= 20, len(reader.reads)

    assert marts_checksums(pg_warehouse, exclude=RUN_STAMPED) == marts_before
    runs = history_runs(pg_warehouse)
    assert runs == {**first_run, result.audit.run_id: next(iter(first_run.values()))}, runs
    # the new run was judged against the recorded one (same as_of, same source data)
    assert pg_rows(
        "select count(*), count(distinct same_as_of_run_id), bool_or(is_rebuild_different)"
        " from marts.segment_quality where same_as_of_run_id is not null",
        pg_warehouse,
    ) == [(next(iter(first_run.values())), 1, False)]
    assert schemas(pg_warehouse) == PROJECT_SCHEMAS
    # the published marts carry the serving grants; the candidate build never granted them
    assert pg_rows("select has_schema_privilege('analyst', 'marts', 'usage')", pg_warehouse) == [(True,)]


def test_killed_refresh_leaves_served_marts_unchanged(
    pg_warehouse: str, bi_login: Callable[[str], list[tuple]], demo_raw_dir: Path, tmp_path: Path
) -> None:
    """SIGKILL of a refresh (and its dbt) in the middle of the candidate build."""
    before = served_state(pg_warehouse)
    process = subprocess.Popen(
        [sys.executable, "-m", "saas_segments.pg_publish", "--raw-dir", str(demo_raw_dir),
         "--database", pg_warehouse, "--target-path", str(tmp_path / "target")],
        cwd=PROJECT_DIR, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    built = 0
    try:
        deadline = time.monotonic() + 900
        while built < 10 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
            built = pg_rows("select count(*) from pg_tables where schemaname = 'intermediate__candidate'", pg_warehouse)[0][0]
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert built >= 10, f"the refresh ended (rc {process.returncode}) before building the candidate"
    assert process.returncode == -signal.SIGKILL
    assert "marts__candidate" in schemas(pg_warehouse)
    assert served_state(pg_warehouse) == before
    assert bi_login("select count(*) from marts.seg_power_users")[0][0] == before[0]["seg_power_users"][0]


def test_failed_gate_leaves_served_marts_unchanged(pg_warehouse: str, demo_raw_dir: Path, tmp_path: Path) -> None:
    """A build whose segments all fail the measurable gate is not published; the stale
    candidate of a killed refresh and its own candidate are dropped."""
    before = served_state(pg_warehouse)
    result = pg_publish.refresh(
        demo_raw_dir, pg_warehouse, dbt_vars={"min_segment_size_demo": 100000}, target_path=tmp_path / "target"
    )
    assert not result.published
    assert result.audit is not None and not result.audit.passed, result.message
    members = before[0]["seg_power_users"][0]
    assert f"ERROR measurable: power_users: {members} members < min_segment_size 100000" in result.message, result.message
    assert served_state(pg_warehouse) == before
    assert schemas(pg_warehouse) == PROJECT_SCHEMAS


def test_publish_waits_for_an_open_reader_transaction(pg_server: None) -> None:
    """A reader's transaction that has read a served table keeps reading the old schemas
    until it ends: the publish retries its lock meanwhile, then swaps, drops the old
    schemas and grants usage on marts; the reader's next transaction reads the new ones."""
    database = TEST_DATABASE + "_swap"
    drop_database(database)
    pg_load.ensure_database(database)
    setup = psycopg2.connect(**pg_load.connection_params(database))
    with setup, setup.cursor() as cursor:
        pg_roles.ensure_group_role(cursor)
        for schema, run in [("marts", "old"), ("marts__candidate", "new"), ("raw", "old"), ("raw__candidate", "new")]:
            cursor.execute(f"create schema {schema}")
            cursor.execute(f"create table {schema}.a as select '{run}' as run_id")
            cursor.execute(f"create table {schema}.b as select '{run}' as run_id")
    setup.close()
    reader = psycopg2.connect(**pg_load.connection_params(database))
    try:
        with reader.cursor() as cursor:
            cursor.execute("select run_id from marts.a")
            first = cursor.fetchone()[0]
            publisher = threading.Thread(target=pg_publish.publish_candidate, args=(database, {"marts": ["analyst"]}))
            publisher.start()
            time.sleep(2 * 0.2 + 0.5)
            assert publisher.is_alive(), "the publish did not wait for the reader's transaction"
            cursor.execute("select run_id from marts.b")
            assert (first, cursor.fetchone()[0]) == ("old", "old")
            reader.commit()
            publisher.join(timeout=30)
            assert not publisher.is_alive()
            cursor.execute("select a.run_id, b.run_id from marts.a, marts.b")
            assert cursor.fetchall() == [("new", "new")]
            reader.commit()
    finally:
        reader.close()
    assert schemas(database) == {"marts", "raw", "public"}
    assert pg_rows("select run_id from raw.a", database) == [("new",)]
    assert pg_rows("select has_schema_privilege('analyst', 'marts', 'usage')", database) == [(True,)]
    drop_database(database)
