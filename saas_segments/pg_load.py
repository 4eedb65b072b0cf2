"""Load a raw dir into PostgreSQL with COPY, for the ``postgres`` dbt target.

DuckDB reads the raw files in place; PostgreSQL cannot, so this step copies them
into the ``raw`` schema first (a refresh, :mod:`saas_segments.pg_publish`, loads
``raw__candidate`` and publishes it with the models). Each contract table is found and read exactly as the
DuckDB path finds and reads it (:mod:`saas_segments.raw_files`), every column cast to
text (CSV is read as text, Parquet values are rendered as DuckDB renders them),
written as CSV and streamed into ``COPY raw.<table> FROM STDIN``. CSV lines the
reader rejects go to ``raw._raw_rejected_lines``; a file that is not read or not
UTF-8, or that lacks a required column other files of its table have, stops the load
(nothing is loaded). Every raw column is ``text``: staging types and quarantines
the raw strings exactly as on DuckDB.

A missing table is not an error here: its relation is dropped, and the dbt
``on-run-start`` hook (``postgres__prepare_raw_sources``) then stops the build with
the same contract messages as on DuckDB. ``raw._raw_load`` records what was loaded.

    python -m saas_segments.pg_load --raw-dir data/raw/demo [--create-database]

Connection settings come from the same SAAS_PG_* variables as ``profiles.yml``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg2
import yaml
from psycopg2 import sql

from saas_segments import raw_files
from saas_segments.project import PROJECT_DIR

RAW_SCHEMA = "raw"
LOAD_TABLE = "_raw_load"
REJECTED_TABLE = "_raw_rejected_lines"


def connection_params(database: str | None = None, env: Mapping[str, str] | None = None) -> dict[str, object]:
    """psycopg2 connection keywords from SAAS_PG_* (the defaults of profiles.yml)."""
    env = os.environ if env is None else env
    params: dict[str, object] = {
        "host": env.get("SAAS_PG_HOST", "127.0.0.1"),
        "port": int(env.get("SAAS_PG_PORT", "5432")),
        "user": env.get("SAAS_PG_USER", "postgres"),
        "dbname": database or env.get("SAAS_PG_DATABASE", "saas_segments"),
    }
    if env.get("SAAS_PG_PASSWORD"):
        params["password"] = env["SAAS_PG_PASSWORD"]
    return params


def connect(database: str | None = None, **overrides: object) -> psycopg2.extensions.connection:
    return psycopg2.connect(**{**connection_params(database), **overrides})


@contextmanager
def admin_cursor() -> Iterator[psycopg2.extensions.cursor]:
    """A cursor on the server's ``postgres`` database, in autocommit (database DDL)."""
    admin = connect("postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            yield cursor
    finally:
        admin.close()


def ensure_database(database: str | None = None) -> bool:
    """Create the warehouse database when it does not exist; True when created.

    It is created from template0 with UTF-8 encoding and the "C" collation, so text
    sorts by code point as on DuckDB, and with UTC as its session time zone.
    """
    name = str(connection_params(database)["dbname"])
    with admin_cursor() as cursor:
        cursor.execute("select 1 from pg_database where datname = %s", (name,))
        if cursor.fetchone():
            return False
        cursor.execute(
            sql.SQL("create database {} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'").format(
                sql.Identifier(name)
            )
        )
        cursor.execute(sql.SQL("alter database {} set timezone to 'UTC'").format(sql.Identifier(name)))
        return True


def drop_database(database: str) -> None:
    """Drop ``database`` (and end its sessions) when it exists."""
    with admin_cursor() as cursor:
        cursor.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(database)))


@dataclass(frozen=True)
class RawTable:
    """One contract table: its identifier and the columns the contract requires."""

    identifier: str
    columns: tuple[str, ...]


def contract_tables(project_dir: Path = PROJECT_DIR) -> list[RawTable]:
    """The raw tables of the source contract (models/staging/_sources.yml)."""
    document = yaml.safe_load((project_dir / "models" / "staging" / "_sources.yml").read_text())
    tables = []
    for source in document["sources"]:
        for table in source.get("tables", []):
            identifier = table.get("identifier", table["name"])
            tables.append(RawTable(identifier, tuple(column["name"] for column in table.get("columns", []))))
    return tables


def _quote_duck(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def _duckdb() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    try:
        connection.execute("set timezone = 'UTC'")
        yield connection
    finally:
        connection.close()


@dataclass(frozen=True)
class LoadedTable:
    identifier: str
    rows: int
    files: int


def load_table(
    duck: duckdb.DuckDBPyConnection,
    cursor: psycopg2.extensions.cursor,
    table: RawTable,
    read: raw_files.TableRead,
    files: int,
    workdir: Path,
    schema: str = RAW_SCHEMA,
) -> LoadedTable:
    """Recreate <schema>.<table> as text columns and COPY the rows of its files' reader into it."""
    relation = duck.sql(read.sql)
    columns = list(relation.columns)
    # Every column as text, as DuckDB renders it; CSV nulls stay null and empty
    # strings are written quoted, so COPY keeps the difference.
    selected = ", ".join(f"cast({_quote_duck(name)} as varchar) as {_quote_duck(name)}" for name in columns)
    csv_file = workdir / f"{table.identifier}.csv"
    duck.execute(
        f"copy (select {selected} from ({read.sql})) to '{str(csv_file).replace(chr(39), chr(39) * 2)}'"
        " (format csv, header false, quote '\"', escape '\"', delimiter ',')"
    )
    target = sql.Identifier(schema, table.identifier)
    cursor.execute(sql.SQL("drop table if exists {} cascade").format(target))
    cursor.execute(
        sql.SQL("create table {} ({})").format(
            target, sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(name)) for name in columns)
        )
    )
    copy = sql.SQL("copy {} ({}) from stdin with (format csv, header false, quote '\"', escape '\"')").format(
        target, sql.SQL(", ").join(sql.Identifier(name) for name in columns)
    )
    with csv_file.open("rb") as handle:
        cursor.copy_expert(copy.as_string(cursor), handle, size=1 << 20)
    csv_file.unlink()
    rows = cursor.rowcount
    for line in read.rejected:
        cursor.execute(
            sql.SQL("insert into {} values (%s, %s, %s, %s, %s, %s, %s)").format(sql.Identifier(schema, REJECTED_TABLE)),
            (table.identifier, line.file_path, line.line, line.line_byte_position, line.error_type, line.error_message, line.csv_line),
        )
    return LoadedTable(table.identifier, rows, files)


def load_raw_dir(
    raw_dir: Path, database: str | None = None, create_database: bool = False, schema: str = RAW_SCHEMA
) -> list[LoadedTable]:
    """Load every contract table found in ``raw_dir`` into ``schema`` (default raw), in one transaction."""
    raw_dir = Path(raw_dir).resolve()
    if not raw_dir.is_dir() or not any(raw_dir.iterdir()):
        raise FileNotFoundError(f"raw dir '{raw_dir}' does not exist or is empty (set SAAS_RAW_DIR or --raw-dir)")
    if create_database:
        ensure_database(database)
    loaded: list[LoadedTable] = []
    connection = connect(database)
    try:
        with connection, connection.cursor() as cursor, _duckdb() as duck, tempfile.TemporaryDirectory(
            prefix="saas-pg-load-"
        ) as workdir:
            cursor.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
            cursor.execute(
                sql.SQL(
                    "create table if not exists {} (table_name text primary key, raw_dir text, files integer,"
                    " rows bigint, loaded_at timestamp)"
                ).format(sql.Identifier(schema, LOAD_TABLE))
            )
            cursor.execute(sql.SQL("delete from {}").format(sql.Identifier(schema, LOAD_TABLE)))
            cursor.execute(
                sql.SQL(
                    "create table if not exists {} (source_table text, file_path text, line bigint,"
                    " line_byte_position bigint, error_type text, error_message text, csv_line text)"
                ).format(sql.Identifier(schema, REJECTED_TABLE))
            )
            cursor.execute(sql.SQL("delete from {}").format(sql.Identifier(schema, REJECTED_TABLE)))
            errors: list[str] = []
            for table in contract_tables():
                try:
                    files = raw_files.find_table_files(raw_dir, table.identifier)
                except raw_files.RawLayoutError as error:
                    errors.append(str(error))
                    continue
                if not files.all:
                    # the contract check in dbt's on-run-start names the missing table
                    cursor.execute(
                        sql.SQL("drop table if exists {} cascade").format(sql.Identifier(schema, table.identifier))
                    )
                    continue
                read = raw_files.read_table(duck, raw_dir, files, table.columns)
                # a column that no file has is named by the dbt contract check (on-run-start)
                lacking = Counter(column for _, column in read.missing_columns)
                errors += [
                    f"raw file '{path}' of table '{table.identifier}' lacks required column '{column}'"
                    for path, column in read.missing_columns
                    if lacking[column] < len(files.all)
                ]
                errors += [raw_files.encoding_error(raw_dir, line) for line in read.rejected if line.error_type == "INVALID ENCODING"]
                result = load_table(duck, cursor, table, read, len(files.all), Path(workdir), schema)
                cursor.execute(
                    sql.SQL("insert into {} values (%s, %s, %s, %s, now() at time zone 'UTC')").format(
                        sql.Identifier(schema, LOAD_TABLE)
                    ),
                    (result.identifier, str(raw_dir), result.files, result.rows),
                )
                loaded.append(result)
            if errors:
                # nothing is loaded: the transaction rolls back
                raise raw_files.RawLayoutError("raw data breaks the source contract:\n  - " + "\n  - ".join(errors))
    finally:
        connection.close()
    return loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw-dir", type=Path, default=Path(os.environ.get("SAAS_RAW_DIR", PROJECT_DIR / "data" / "raw" / "demo")))
    parser.add_argument("--database", help="database name (default SAAS_PG_DATABASE or saas_segments)")
    parser.add_argument("--create-database", action="store_true", help="create the database when it is missing")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        loaded = load_raw_dir(args.raw_dir, args.database, args.create_database)
    except raw_files.RawLayoutError as error:
        print(error, file=sys.stderr)
        return 1
    for table in loaded:
        print(f"raw.{table.identifier}: {table.rows} rows from {table.files} file(s)")
    print(f"loaded {len(loaded)} raw tables from {args.raw_dir.resolve()} in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
