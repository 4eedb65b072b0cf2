"""Write-audit-publish on PostgreSQL: BI users see the old marts or the new ones, never a mix.

A refresh never writes to the served schemas. It

1. COPYs the raw dir into ``raw__candidate`` (:mod:`saas_segments.pg_load`);
2. copies the published incremental tables (event models, membership and quality
   history) into their candidate schemas (macro ``clone_published_incrementals``);
3. builds and tests every model into ``<schema>__candidate`` (dbt var
   ``schema_suffix``, see macros/generate_schema_name.sql), ``segment_quality`` last;
4. runs the GX checkpoint on the candidate's ``segment_quality``
   (:func:`saas_segments.audit.audit_frames`), then records the run's quality rows in
   the candidate's ``segment_quality_history``;
5. publishes in one transaction: it takes an exclusive lock on every served
   relation, renames each live schema to ``<schema>__old`` and its candidate to
   ``<schema>``, grants the serving roles usage on the published schemas and drops
   the old ones.

A failed build or an error-level gate drops the candidate and leaves the served
schemas untouched; a killed refresh leaves only candidate schemas, dropped by the
next one. One refresh per database runs at a time (a session advisory lock, released
when the process dies).

    python -m saas_segments.pg_publish --raw-dir DIR [--database NAME] [--as-of DATE] [--vars JSON] [--full-refresh]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import psycopg2
from psycopg2 import sql

from saas_segments.audit import Audit, audit_frames
from saas_segments.gx_gates import GATE_TABLES
from saas_segments.pg_load import RAW_SCHEMA, connect, connection_params, ensure_database, load_raw_dir
from saas_segments.project import PROJECT_DIR, DbtError, dbt, dbt_steps
from saas_segments.publish import QUALITY_SELECTION, REFRESH_BUILD, refresh_vars

CANDIDATE_SUFFIX = "__candidate"
OLD_SUFFIX = "__old"
DEFAULT_TARGET_PATH = PROJECT_DIR / "target" / "postgres"
#: The publish waits at most this long for readers' locks, then retries; it stays
#: below the server's deadlock_timeout (1s), so a reader is never the one aborted.
LOCK_TIMEOUT = "200ms"
LOCK_ATTEMPTS = 300
NUMERIC_OID = 1700


@dataclass(frozen=True)
class PgRefreshResult:
    """What a refresh did: ``published`` is true when the candidate schemas replaced the served ones."""

    published: bool
    database: str
    message: str
    audit: Audit | None = None


def database_name(database: str | None = None) -> str:
    """The database a refresh works on: ``database`` or SAAS_PG_DATABASE (profiles.yml's default)."""
    return str(connection_params(database)["dbname"])


@contextmanager
def refresh_lock(database: str) -> Iterator[None]:
    """One refresh per database at a time: a session advisory lock, released if the process dies."""
    connection = connect(database)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("select pg_advisory_lock(hashtext('saas_segments.refresh'))")
        yield
    finally:
        connection.close()


def schemas_with_suffix(cursor: psycopg2.extensions.cursor, suffix: str) -> list[str]:
    """Schemas whose name ends with ``suffix``."""
    cursor.execute(
        "select nspname from pg_catalog.pg_namespace where right(nspname, %s) = %s order by 1", (len(suffix), suffix)
    )
    return [row[0] for row in cursor.fetchall()]


def drop_candidate(database: str) -> list[str]:
    """Drop every candidate schema (a stale one of a killed refresh, or a rejected build)."""
    connection = connect(database)
    try:
        with connection, connection.cursor() as cursor:
            dropped = schemas_with_suffix(cursor, CANDIDATE_SUFFIX)
            for schema in dropped:
                cursor.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))
    finally:
        connection.close()
    return dropped


def serves_a_build(database: str) -> bool:
    """Whether ``database`` serves a published build (its ``marts`` schema exists): the
    refresh then copies the published incrementals into the candidate and builds on them."""
    connection = connect(database)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("select count(*) from pg_catalog.pg_namespace where nspname = 'marts'")
            return cursor.fetchone()[0] == 1
    finally:
        connection.close()


def read_relation(database: str, relation: str, suffix: str) -> pd.DataFrame:
    """A gate relation (``schema.table``) of the schemas named with ``suffix`` on PostgreSQL,
    as :func:`saas_segments.audit.read_relation` returns it from DuckDB (numerics as floats)."""
    schema, table = relation.split(".")
    connection = connect(database)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(sql.SQL("select * from {} order by 1, 2").format(sql.Identifier(schema + suffix, table)))
            columns = [(column.name, column.type_code) for column in cursor.description]
            frame = pd.DataFrame(cursor.fetchall(), columns=[name for name, _ in columns])
    finally:
        connection.close()
    for name, type_code in columns:
        if type_code == NUMERIC_OID:
            frame[name] = frame[name].astype(float)
    return frame.infer_objects()


def serving_grants(manifest: Path) -> dict[str, list[str]]:
    """Published schema → roles granted select on its models (the marts' ``grants`` config)."""
    nodes = json.loads(manifest.read_text())["nodes"].values()
    grants: dict[str, set[str]] = {}
    for node in nodes:
        roles = (node["config"].get("grants") or {}).get("select", [])
        if node["resource_type"] == "model" and roles:
            schema = node["schema"].removesuffix(CANDIDATE_SUFFIX)
            grants.setdefault(schema, set()).update(roles)
    return {schema: sorted(roles) for schema, roles in sorted(grants.items())}


def _swap(cursor: psycopg2.extensions.cursor, grants: Mapping[str, list[str]]) -> list[str]:
    """Rename live → old, candidate → live, grant usage, drop old (inside the caller's transaction)."""
    published = [schema.removesuffix(CANDIDATE_SUFFIX) for schema in schemas_with_suffix(cursor, CANDIDATE_SUFFIX)]
    cursor.execute(
        "select n.nspname, c.relname from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = any(%s) and c.relkind in ('r', 'v', 'm', 'p', 'f') order by 1, 2",
        (published,),
    )
    served = [sql.Identifier(schema, name) for schema, name in cursor.fetchall()]
    if served:
        # readers holding a served relation finish first; readers arriving now wait
        # and then resolve the names again, to the published relations
        cursor.execute(sql.SQL("lock table {} in access exclusive mode").format(sql.SQL(", ").join(served)))
    cursor.execute("select nspname from pg_catalog.pg_namespace where nspname = any(%s)", (published,))
    live = {row[0] for row in cursor.fetchall()}
    for schema in published:
        if schema in live:
            cursor.execute(
                sql.SQL("alter schema {} rename to {}").format(sql.Identifier(schema), sql.Identifier(schema + OLD_SUFFIX))
            )
        cursor.execute(
            sql.SQL("alter schema {} rename to {}").format(
                sql.Identifier(schema + CANDIDATE_SUFFIX), sql.Identifier(schema)
            )
        )
    for schema, roles in grants.items():
        for role in roles:
            cursor.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema), sql.Identifier(role)))
    for schema in sorted(live):
        cursor.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema + OLD_SUFFIX)))
    return published


def publish_candidate(database: str, grants: Mapping[str, list[str]]) -> list[str]:
    """Swap the candidate schemas into place in one transaction; the published schema names.

    The transaction waits for readers' locks at most LOCK_TIMEOUT, then rolls back and
    retries, so a reader that holds one served relation and asks for another is never
    deadlocked with it.
    """
    connection = connect(database)
    attempt = 1
    try:
        while True:
            try:
                with connection, connection.cursor() as cursor:
                    cursor.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
                    return _swap(cursor, grants)
            except psycopg2.errors.LockNotAvailable:
                if attempt == LOCK_ATTEMPTS:
                    raise
                attempt += 1
                time.sleep(0.05)
    finally:
        connection.close()


def refresh(
    raw_dir: Path,
    database: str | None = None,
    as_of: str | None = None,
    dbt_vars: Mapping[str, object] | None = None,
    full_refresh: bool = False,
    target_path: Path = DEFAULT_TARGET_PATH,
) -> PgRefreshResult:
    """Load ``raw_dir`` and build it into candidate schemas, audit them, publish them if they pass."""
    raw_dir, target_path, name = Path(raw_dir).resolve(), Path(target_path).resolve(), database_name(database)
    ensure_database(name)
    with refresh_lock(name):
        drop_candidate(name)
        load_raw_dir(raw_dir, name, schema=RAW_SCHEMA + CANDIDATE_SUFFIX)
        candidate_vars = {"schema_suffix": CANDIDATE_SUFFIX, "raw_schema": RAW_SCHEMA + CANDIDATE_SUFFIX}
        options = {
            "raw_dir": raw_dir,
            "target_path": target_path,
            "env": {"SAAS_TARGET": "postgres", "SAAS_PG_DATABASE": name},
        }
        try:
            incremental = serves_a_build(name) and not full_refresh
            variables = {**refresh_vars(raw_dir, as_of, dbt_vars, incremental=incremental), **candidate_vars}
            rebuild = ["--full-refresh"] if full_refresh else []
            # one dbt process (one start-up and parse): the copy of the published
            # incrementals, then both builds
            steps = [
                ["run-operation", "clone_published_incrementals"],
                [*REFRESH_BUILD, *rebuild, "--exclude", QUALITY_SELECTION],
                [*REFRESH_BUILD, "--select", QUALITY_SELECTION],
            ]
            dbt_steps(steps, dbt_vars=variables, **options)
        except DbtError as error:
            drop_candidate(name)
            return PgRefreshResult(False, name, f"publish blocked, database {name} unchanged: the dbt build failed\n{error}")
        frames = {table.relation: read_relation(name, table.relation, CANDIDATE_SUFFIX) for table in GATE_TABLES}
        quality = frames[GATE_TABLES[0].relation]
        result = audit_frames(frames, run_name=f"{name}-{quality['run_id'].iloc[0] if len(quality) else 'empty'}")
        if not result.passed:
            drop_candidate(name)
            return PgRefreshResult(False, name, f"publish blocked, database {name} unchanged\n{result.summary()}", result)
        dbt(["run-operation", "record_segment_quality"], dbt_vars=variables, **options)
        published = publish_candidate(name, serving_grants(target_path / "manifest.json"))
        return PgRefreshResult(
            True,
            name,
            f"published schemas {', '.join(published)} of database {name} (run {result.run_id})\n{result.summary()}",
            result,
        )


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run one refresh and print its outcome."""
    parser = argparse.ArgumentParser(prog="python -m saas_segments.pg_publish", description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, required=True)
    parser.add_argument("--database", help="database name (default SAAS_PG_DATABASE or saas_segments)")
    parser.add_argument("--as-of", help="as_of date (YYYY-MM-DD); default: the last full day in events")
    parser.add_argument("--vars", type=json.loads, default={}, help="dbt vars as JSON")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild the incremental event models from every raw row")
    parser.add_argument("--target-path", type=Path, default=DEFAULT_TARGET_PATH, help="dbt artifacts of the refresh")
    args = parser.parse_args(argv)
    if not args.raw_dir.is_dir():
        parser.error(f"raw dir '{args.raw_dir}' does not exist")
    result = refresh(args.raw_dir, args.database, args.as_of, args.vars, args.full_refresh, args.target_path)
    print(result.message, file=sys.stdout if result.published else sys.stderr)
    return 0 if result.published else 1


if __name__ == "__main__":
    sys.exit(main())
