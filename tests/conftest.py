"""Shared fixtures: warehouses built by dbt on raw dirs, once per test session."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import NoReturn

import json
import os
import re
import shutil
import subprocess
import sys
import time

import duckdb
import psycopg2
import pytest
from psycopg2 import sql

import dbt_fork
from saas_segments import pg_load, pg_publish, project
from saas_segments.project import PROJECT_DIR, dbt, file_lock

FIXTURES = PROJECT_DIR / "tests" / "fixtures"
#: Where dbt reads unit-test fixture files (`<test-paths>/fixtures`).
UNIT_TEST_FIXTURES = Path("tests", "data_tests", "fixtures")
CONTRACT_FIXTURE = FIXTURES / "raw_contract"
ARTIFACTS = PROJECT_DIR / "test-artifacts"

# The engines tests run on beyond DuckDB; tests/engines.sh (run by `make test`) installs
# or starts what is missing. A test whose engine is missing fails, unless the person
# running the suite names that engine in SAAS_SKIP_ENGINES (e.g. "spark,chromium").
ENGINES = ("chromium", "spark", "postgres")
PACKAGES = {"chromium": "chromium", "spark": "openjdk-17-jre-headless"}
SKIP_ENGINES = "SAAS_SKIP_ENGINES"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]


def skipped_engines() -> set[str]:
    """The engines named in SAAS_SKIP_ENGINES; an unknown name is an error."""
    names = {name.strip() for name in os.environ.get(SKIP_ENGINES, "").split(",") if name.strip()}
    unknown = names - set(ENGINES)
    if unknown:
        raise pytest.UsageError(f"{SKIP_ENGINES}: unknown engine(s) {sorted(unknown)}; known: {', '.join(ENGINES)}")
    return names


def engine_missing(engine: str, problem: str) -> NoReturn:
    """Fail the test whose ``engine`` is missing; skip it only when SAAS_SKIP_ENGINES names the engine."""
    message = (
        f"{engine} engine missing: {problem}. Run tests/engines.sh (make test does) to install or start it, "
        f"or set {SKIP_ENGINES}={engine} to skip its tests."
    )
    if engine in skipped_engines():
        pytest.skip(message)
    pytest.fail(message, pytrace=False)


def engine_binary(engine: str, *names: str) -> str:
    """The first of ``names`` on PATH, the binary ``engine`` needs."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    binaries = " or ".join(f"`{name}`" for name in names)
    engine_missing(engine, f"no {binaries} on PATH (Debian: apt-get install -y {PACKAGES[engine]})")


def pytest_configure(config: pytest.Config) -> None:
    """Reject an unknown engine in SAAS_SKIP_ENGINES before any test runs; dbt commands
    the tests start in-process run forked from a process that has imported dbt (dbt_fork)."""
    skipped_engines()
    project.run_process = dbt_fork.run_process


# Test files that build warehouses or start engines, longest first: `make test` runs
# files on 2 workers (--dist loadfile --no-loadscope-reorder: in this order), and starting
# the long ones first keeps one slow file from running alone at the end. test_postgres
# publishes the PostgreSQL demo early, so test_report finds it ready (pg_demo_copy).
LONG_RUNNING_FILES = [
    "test_postgres.py",
    "test_spark.py",
    "test_publish.py",
    "test_orchestration.py",
    "test_gate_mutations.py",
    "test_report.py",
    "test_adapters.py",
    "test_raw_layouts.py",
    "test_quality_gates.py",
    "test_incremental.py",
    "test_as_of.py",
    "test_orchestration_dev.py",
    "test_segment_registry.py",
    "test_demo_business.py",
    "test_semantic_layer.py",
    "test_bad_rows_generated.py",
    "test_staging_quarantine.py",
    "test_docs.py",
    "test_data_docs.py",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the long test files first (stable order otherwise)."""
    rank = {name: position for position, name in enumerate(LONG_RUNNING_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def query(warehouse: Path, sql: str) -> list[tuple]:
    """All rows of one query on a warehouse file, opened read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.sql(sql).fetchall()


def hash_key(expression: str) -> str:
    """DuckDB SQL for macros/keys/hash_key.sql on DuckDB: the 64-bit key of a text id
    (stg_app__events holds its ids as such keys)."""
    return f"cast(hash({expression}) >> 1 as bigint)"


#: The columns of events_with_ids.
EVENT_WITH_IDS_COLUMNS = {
    "user_id": "users.user_id",
    "account_id": "accounts.account_id",
    **{name: f"events.{name}" for name in ("occurred_at", "event_date", "event_type", "feature_key")},
    "has_session": "events.session_key is not null",
}


def events_with_ids(schema: str = "staging", key: Callable[[str], str] = hash_key) -> str:
    """stg_app__events (which holds keys) with its user's and account's text ids, joined on
    their keys (``key``: the engine's hash_key; every staged event's user and account are
    staged rows), and whether the event has a session. The event and session keys are
    each engine's own hash, so they only compare within one engine."""
    return (
        "select " + ", ".join(f"{expression} as {name}" for name, expression in EVENT_WITH_IDS_COLUMNS.items())
        + f" from {schema}.stg_app__events as events"
        f" left join {schema}.stg_app__users as users on events.user_key = {key('users.user_id')}"
        f" left join {schema}.stg_crm__accounts as accounts on events.account_key = {key('accounts.account_id')}"
    )


#: events_with_ids as a subquery of the DuckDB warehouse.
EVENTS_WITH_IDS = f"({events_with_ids()})"


def relations(warehouse: Path) -> list[tuple[str, str]]:
    """Every staging, intermediate and mart relation of a warehouse (not the tables kept
    beside a layer staged by file: its ledger of raw files, `<model>__files`, which names
    the files of one raw dir, the lookups' rows it was checked against, `<model>__lookups`,
    and its log of changed days, which records when each run ran, `<model>__changed_days`
    and `<model>__changed_days_read`)."""
    return query(
        warehouse,
        "select schema_name, table_name from duckdb_tables()"
        " where schema_name in ('staging', 'intermediate', 'marts')"
        " and not regexp_matches(table_name, '__(files|lookups|changed_days|changed_days_read)$')"
        " union select schema_name, view_name from duckdb_views()"
        " where schema_name in ('staging', 'intermediate', 'marts') and not internal order by 1, 2",
    )


def differing_rows(left: Path, right: Path, schema: str, table: str, where: str = "true") -> tuple[int, int]:
    """Rows of ``schema.table`` only in ``left`` and only in ``right`` (multiset difference),
    on every column but ``run_id`` and ``_source_file`` (the raw file a row was staged from)."""
    with duckdb.connect() as connection:
        connection.execute(f"attach '{left}' as l (read_only)")
        connection.execute(f"attach '{right}' as r (read_only)")
        columns = ", ".join(
            f'"{name}"'
            for (name,) in connection.execute(
                "select column_name from duckdb_columns() where database_name = 'l'"
                f" and schema_name = '{schema}' and table_name = '{table}' and column_name not in ('run_id', '_source_file') order by column_index"
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


def copy_project(tmp_path: Path) -> Path:
    """A copy of the dbt project (no environment, data or build outputs) under ``tmp_path``."""
    project = tmp_path / "project"
    skipped = {".venv", "target", "logs", "warehouse", "data", ".git", "tests", ".cache", "test-artifacts"}
    skipped |= {".dagster_home", ".pytest_cache"}
    shutil.copytree(
        PROJECT_DIR, project, ignore=lambda folder, names: skipped & set(names) if Path(folder) == PROJECT_DIR else set()
    )
    # the unit tests' SQL fixtures are part of parsing the project (its singular data tests are not copied)
    shutil.copytree(PROJECT_DIR / UNIT_TEST_FIXTURES, project / UNIT_TEST_FIXTURES)
    return project


@pytest.fixture(scope="session")
def build_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Build the whole project on a raw dir into a fresh DuckDB file; returns the file."""

    def build(
        raw_dir: Path,
        name: str,
        dbt_vars: dict[str, object] | None = None,
        select: str | None = None,
        unit_tests: bool = False,
    ) -> Path:
        """``dbt build`` (data tests included; unit tests, which ignore the data, only with ``unit_tests``).

        With ``select``, the data tests whose every parent is selected (one that also reads
        an unselected model would fail on the missing relation).
        """
        workdir = tmp_path_factory.mktemp(name)
        warehouse = workdir / "warehouse.duckdb"
        args = ["build", "--fail-fast"] + (["--select", select, "--indirect-selection", "cautious"] if select else [])
        args += [] if unit_tests else ["--exclude-resource-type", "unit_test"]
        dbt(args, raw_dir=raw_dir, warehouse=warehouse, dbt_vars=dbt_vars, target_path=workdir / "target")
        return warehouse

    return build


def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this test run shares (pytest-xdist gives each worker its own basetemp under it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder ``name`` shared by the workers of this test run, filled by ``build(folder)``
    the first time a worker asks for it; the others wait for that build, then reuse it."""
    shared = shared_dir(tmp_path_factory)
    folder, done = shared / name, shared / f"{name}.built"
    with file_lock(shared / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def contract_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-written contract fixture (one bad row of every kind), staging built; once
    per test run, read (never written) by every worker."""

    def build(folder: Path) -> None:
        dbt(
            ["build", "--fail-fast", "--select", "+staging", "--exclude-resource-type", "unit_test"],
            raw_dir=CONTRACT_FIXTURE, warehouse=folder / "warehouse.duckdb", target_path=folder / "target",
        )

    return once_per_run(tmp_path_factory, "contract", build) / "warehouse.duckdb"


def generate(out: Path, scale: str = "demo", seed: int = 42, *options: str) -> Path:
    """Run the data generator into ``out`` and return it."""
    subprocess.run(
        [sys.executable, "-m", "saas_segments.generator", "--scale", scale, "--seed", str(seed), "--out", str(out), *options],
        check=True,
        capture_output=True,
        text=True,
    )
    return out


def _given(variable: str) -> Path | None:
    """A path ``make test`` passes in ``variable`` (what it already generated or built), if it exists."""
    value = os.environ.get(variable)
    return Path(value).resolve() if value and Path(value).exists() else None


@pytest.fixture(scope="session")
def demo_raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo-scale generated raw data (seed 42) with its truth files.

    ``make test`` passes its demo raw dir in ``SAAS_TEST_DEMO_RAW_DIR``; it is used
    when its manifest says demo scale, seed 42, without bad rows or spike.
    """
    given = _given("SAAS_TEST_DEMO_RAW_DIR")
    if given is not None:
        manifest = json.loads((given / "_truth" / "manifest.json").read_text())
        if (manifest["scale"], manifest["seed"], manifest["bad_rows"], manifest["spike"]) == ("demo", 42, {}, None):
            return given
    return generate(tmp_path_factory.mktemp("demo") / "raw")


@pytest.fixture(scope="session")
def demo_warehouse(build_warehouse: Callable[..., Path], demo_raw_dir: Path) -> Path:
    """The whole project built (``dbt build``, tests included) on the demo data, as of its last day.

    ``make test`` has just built it from the same raw dir and passes the file in
    ``SAAS_TEST_DEMO_WAREHOUSE``; tests only read it.
    """
    given = _given("SAAS_TEST_DEMO_WAREHOUSE")
    if given is not None and demo_raw_dir == _given("SAAS_TEST_DEMO_RAW_DIR"):
        return given
    return build_warehouse(demo_raw_dir, "demo_build", unit_tests=True)


def _server_up() -> bool:
    try:
        psycopg2.connect(**pg_load.connection_params("postgres"), connect_timeout=3).close()
        return True
    except psycopg2.OperationalError:
        return False


@pytest.fixture(scope="session")
def pg_server() -> None:
    """A running local PostgreSQL server."""
    ensure_postgres()


#: The demo data published on PostgreSQL once per test run; tests work on copies of it.
PG_DEMO_DATABASE = os.environ.get("SAAS_TEST_PG_DATABASE", "saas_segments_test") + "_demo"


def pg_admin(*statements: sql.Composable) -> None:
    """Run statements on the server's `postgres` database, outside a transaction."""
    connection = psycopg2.connect(**pg_load.connection_params("postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def database_privileges(database: str) -> list[tuple[str | None, str]]:
    """(grantee, privilege) of each privilege granted on ``database``; grantee None is PUBLIC."""
    connection = psycopg2.connect(**pg_load.connection_params("postgres"))
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(
                "select grantee.rolname, acl.privilege_type from pg_catalog.pg_database as db"
                " cross join lateral aclexplode(db.datacl) as acl"
                " left join pg_catalog.pg_roles as grantee on grantee.oid = acl.grantee"
                " where db.datname = %s order by 1, 2",
                (database,),
            )
            return cursor.fetchall()
    finally:
        connection.close()


@pytest.fixture(scope="session")
def pg_demo_copy(
    pg_server: None, demo_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], str]:
    """Copy the demo raw dir, published on PostgreSQL (load → build → audit → publish, one
    quality run recorded), into a new database ``name``; returns the name.

    The first caller of the test run builds PG_DEMO_DATABASE with one refresh
    (saas_segments.pg_publish); every copy is a ``create database ... template`` of it,
    seconds instead of a build, and nothing ever connects to the template itself.
    """
    def publish(folder: Path) -> None:
        started = time.monotonic()
        pg_admin(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(PG_DEMO_DATABASE)))
        result = pg_publish.refresh(demo_raw_dir, PG_DEMO_DATABASE, target_path=folder / "target")
        assert result.published, result.message
        print(f"postgres demo refresh: {time.monotonic() - started:.1f}s")

    def copy(name: str) -> str:
        once_per_run(tmp_path_factory, "pg_demo", publish)
        database = sql.Identifier(name)
        # the database's settings and privileges stay with the template: set them again
        privileges = [
            sql.SQL("grant {} on database {} to {}").format(
                sql.SQL(privilege), database, sql.Identifier(grantee) if grantee else sql.SQL("public")
            )
            for grantee, privilege in database_privileges(PG_DEMO_DATABASE)
        ]
        pg_admin(
            sql.SQL("drop database if exists {} with (force)").format(database),
            sql.SQL("create database {} template {}").format(database, sql.Identifier(PG_DEMO_DATABASE)),
            sql.SQL("alter database {} set timezone to 'UTC'").format(database),
            sql.SQL("revoke all on database {} from public").format(database),
            *privileges,
        )
        return name

    return copy


def ensure_postgres() -> None:
    """Start the local PostgreSQL cluster when the server does not answer (as tests/engines.sh does)."""
    if _server_up():
        return
    clusters = Path("/etc/postgresql")
    if shutil.which("pg_ctlcluster") is None or not clusters.is_dir() or not any(clusters.iterdir()):
        engine_missing("postgres", "no server reachable and no local cluster to start (pg_ctlcluster, /etc/postgresql)")
    for version in sorted(path.name for path in clusters.iterdir()):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], capture_output=True, check=False
        )
    for _ in range(30):
        if _server_up():
            return
        time.sleep(1)
    engine_missing("postgres", "the local cluster did not start (pg_ctlcluster ... main start)")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The headless Chromium binary."""
    return engine_binary("chromium", "chromium", "chromium-browser")


class _Text(HTMLParser):
    """The text of an HTML document outside script and style."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text_of(dom: str) -> str:
    """The visible text of a DOM, whitespace collapsed."""
    parser = _Text()
    parser.feed(dom)
    return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


def render(
    binary: str,
    url: str,
    profile: Path,
    screenshot: Path | None = None,
    window: str = "1600,1000",
    budget_ms: int = 10_000,
) -> str:
    """The DOM of ``url`` once headless Chromium rendered it (offline, a fresh profile), and a screenshot.

    Fails when Chromium exits with an error or shows its own error page (no such file,
    connection refused).
    """
    command = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={window}"]
    command += [f"--virtual-time-budget={budget_ms}"]
    command += [f"--screenshot={screenshot}"] if screenshot else []
    process = subprocess.run([*command, "--dump-dom", url], capture_output=True, text=True, timeout=300, check=False)
    log = "\n".join(line for line in process.stderr.splitlines() if "dbus" not in line)  # no D-Bus in a container
    assert process.returncode == 0 and process.stdout, f"chromium failed on {url}:\n{log[-3000:]}"
    error = re.search(r'<div id="main-frame-error"|<body class="neterror"|(?<=>)(ERR_[A-Z_]+)(?=<)', process.stdout)
    assert error is None, f"chromium shows its error page for {url}: {error.group(0) if error else ''}"
    if screenshot:
        assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", screenshot
    return process.stdout
