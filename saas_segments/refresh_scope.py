"""Which raw tables a refresh must stage again, and which dbt nodes it runs.

Every build records in the warehouse (``meta.build_inputs``) the path, size and
version (a hash of its bytes: :func:`saas_segments.raw_files.file_versions`) of every
raw file it read, by table, and a hash of the project's
code and the dbt vars it ran with. An incremental refresh (:mod:`saas_segments.raw_state`
decides that) with the same code and vars then leaves the staging of each raw table
whose files are unchanged as the warehouse has it: its ``base_*`` and ``stg_*`` models
and their tests do not run. A table is staged again when a file of it changed,
appeared or went, when the code or the vars changed (then every node runs), or when
rows of it were quarantined as ``timestamp_out_of_range`` (a time after the last load
may be in the past now).

A refresh also runs a daily subset of the data tests (:data:`DAILY_SKIPPED_TESTS`);
a full build runs every test.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb

from saas_segments.project import PROJECT_DIR
from saas_segments.raw_files import file_versions

INPUTS_TABLE = "meta.build_inputs"
# the project files a build's result depends on (besides the raw data and the vars)
CODE_PATHS = ("models", "macros", "seeds", "tests/data_tests", "dbt_project.yml")
CODE_TABLE = "__code__"
# vars that do not change what staging produces: the as_of date and the refresh's test scope
STAGING_FREE_VARS = ("as_of", "data_test_scope", "restage_history")
# Left out of a refresh's tests: the not-null and accepted-values checks of derived
# columns (intermediate and mart columns are case expressions over literals or staged
# values the staging contract already checked: they test the SQL). Every full build
# (and every build after a change of the code) runs them; a refresh runs the same code
# on one more day, and what new data can break is checked by the tests it keeps: the
# staging contract and the load audit, keys, staged accepted values, relationships and
# the reconciliations (singular tests), besides the quality gates.
DAILY_SKIPPED_TESTS = dict.fromkeys(
    ("not_null", "accepted_values"), ("models/intermediate/", "models/marts/")
)


def code_hash(dbt_vars: Mapping[str, object] | None, project_dir: Path = PROJECT_DIR) -> str:
    """A hash of every file under :data:`CODE_PATHS` (paths and contents) and of the dbt vars
    (but :data:`STAGING_FREE_VARS`)."""
    kept = {name: value for name, value in (dbt_vars or {}).items() if name not in STAGING_FREE_VARS}
    return files_hash(CODE_PATHS, project_dir, json.dumps(kept, sort_keys=True, default=str))


def files_hash(paths: Iterable[str], project_dir: Path = PROJECT_DIR, salt: str = "") -> str:
    """A hash of ``salt`` and of every file under ``paths`` of the project (paths and contents)."""
    digest = hashlib.sha256()
    digest.update(salt.encode() + b"\0")
    for name in paths:
        root = project_dir / name
        files = sorted(path for path in root.rglob("*") if path.is_file()) if root.is_dir() else [root]
        for path in files:
            if path.is_file():
                digest.update(str(path.relative_to(project_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


#: (table, path relative to the raw dir, size, version) of raw files
RawInputs = set[tuple[str, str, int, str]]


def raw_inputs(raw_dir: Path, known: Mapping[str, str] | None = None) -> RawInputs:
    """(table, path relative to the raw dir, size, version) of every file in ``raw_dir``
    (a table is ``<table>.<suffix>`` or a folder ``<table>/``; ``_truth`` and dot files are not tables).
    ``known``: versions the caller read this run, by relative path (the build plan's event
    files), which are not read again."""
    known = known or {}
    tables: dict[Path, str] = {}
    for entry in Path(raw_dir).iterdir():
        if entry.name.startswith((".", "_")):
            continue
        paths = [path for path in entry.rglob("*") if path.is_file()] if entry.is_dir() else [entry]
        tables.update(dict.fromkeys(paths, entry.name.split(".")[0]))
    relative = {path: str(path.relative_to(raw_dir)) for path in tables}
    read = file_versions(path for path, name in relative.items() if name not in known)
    return {
        (tables[path], name, path.stat().st_size, known[name] if name in known else read[path])
        for path, name in relative.items()
    }


def record_inputs(
    warehouse: Path, inputs: RawInputs, dbt_vars: Mapping[str, object] | None, project_dir: Path = PROJECT_DIR
) -> None:
    """Write the raw files a build read (``inputs``: :func:`raw_inputs` before it) and the hash
    of the code and vars into ``warehouse`` (replacing the last record)."""
    rows = sorted(inputs) + [(CODE_TABLE, code_hash(dbt_vars, project_dir), 0, "")]
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema if not exists meta")
        connection.execute(
            f"create or replace table {INPUTS_TABLE} (table_name varchar not null, path varchar not null,"
            " size_bytes bigint not null, version varchar not null)"
        )
        connection.executemany(f"insert into {INPUTS_TABLE} values (?, ?, ?, ?)", rows)


def forget_inputs(warehouse: Path) -> None:
    """Drop the record of ``warehouse`` (a build that will not write a new one)."""
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(f"drop table if exists {INPUTS_TABLE}")


def unchanged_tables(
    warehouse: Path, inputs: RawInputs, dbt_vars: Mapping[str, object] | None, project_dir: Path = PROJECT_DIR
) -> tuple[str, ...]:
    """The raw tables whose staging ``warehouse`` holds as a build of the raw files ``inputs``
    (:func:`raw_inputs`) with ``dbt_vars`` now would (see the module docstring); none when
    the warehouse records no inputs, or other code or vars."""
    if not warehouse.exists():
        return ()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        exists = connection.execute(
            "select count(*) from duckdb_tables() where schema_name = 'meta' and table_name = 'build_inputs'"
        ).fetchone()[0]
        if not exists:
            return ()
        recorded = set(connection.execute(f"select * from {INPUTS_TABLE}").fetchall())
        try:
            future = {
                table
                for (table,) in connection.execute(
                    "select distinct source_table from staging.stg_quarantine where rule = 'timestamp_out_of_range'"
                ).fetchall()
            }
        except duckdb.Error:  # no staging to keep
            return ()
    if (CODE_TABLE, code_hash(dbt_vars, project_dir), 0, "") not in recorded:
        return ()
    tables = {row[0] for row in inputs} | {row[0] for row in recorded if row[0] != CODE_TABLE}
    return tuple(
        sorted(
            table
            for table in tables
            if table not in future and {row for row in inputs if row[0] == table} == {row for row in recorded if row[0] == table}
        )
    )


def skipped_nodes(nodes: Mapping[str, Any], sources: Mapping[str, Any], unchanged: Iterable[str]) -> set[str]:
    """The unique ids of the staging models (and their tests) that read only unchanged raw
    tables. ``nodes``/``sources`` are a manifest's, as ``{unique_id: {"depends_on", "resource_type",
    "original_file_path", "identifier"}}``-like mappings."""
    unchanged = set(unchanged)
    reads: dict[str, set[str]] = {}

    def raw_tables(unique_id: str) -> set[str]:
        if unique_id in sources:
            return {sources[unique_id]["identifier"]}
        if unique_id not in reads:
            reads[unique_id] = set()
            reads[unique_id] = set().union(*(raw_tables(parent) for parent in nodes[unique_id]["depends_on"]))
        return reads[unique_id]

    staged = {
        unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] == "model"
        and node["original_file_path"].startswith("models/staging/")
        and raw_tables(unique_id)
        and raw_tables(unique_id) <= unchanged
    }
    tests = {
        unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] == "test" and node["depends_on"] and set(node["depends_on"]) <= staged
    }
    return staged | tests


def daily_skipped_tests(nodes: Mapping[str, Any]) -> set[str]:
    """The unique ids of the data tests a refresh leaves out (:data:`DAILY_SKIPPED_TESTS`)."""
    return {
        unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] == "test"
        and node["original_file_path"].startswith(DAILY_SKIPPED_TESTS.get(node["test_name"] or "", ("\0",)))
    }
