"""The same marts on DuckDB and another engine, compared row by row.

DuckDB's build (the `demo_warehouse` fixture) is the reference: its tables give the
relations and the column lists; the other engine's rows are read with those columns
and both sides are normalized (floats and decimals to 6 places, dates and timestamps
to ISO text) before they are compared as sorted lists.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from pathlib import Path

import duckdb

#: Marts compared row for row (besides every seg_* table). Run-stamped tables
#: (segment_quality*, the membership history with its model names) are left out.
COMPARED_MARTS = [
    "fct_segment_membership",
    "fct_kpis_monthly",
    "fct_segment_kpis",
    "fct_mrr_movements",
    "fct_mrr_monthly",
    "fct_nps_monthly",
    "fct_nps_quarterly",
    "fct_trait_segments",
    "fct_need_segments",
    "dim_accounts",
    "dim_users",
    "dim_segments",
]
COMPARED_INTERMEDIATE = ["int_account_value_tiers"]


class UnreadableTable(Exception):
    """The other engine cannot read a compared table (missing, or a query error)."""


def normalize(value: object) -> object:
    """A value comparable across engines: floats and decimals rounded to 6 places."""
    if isinstance(value, (float, decimal.Decimal)):
        rounded = round(float(value), 6)
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def normalized_rows(rows: list[tuple]) -> list[tuple]:
    return sorted((tuple(normalize(value) for value in row) for row in rows), key=repr)


def duckdb_table(warehouse: Path, schema: str, table: str) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        relation = connection.sql(f"select * from {schema}.{table}")
        return [name.lower() for name in relation.columns], relation.fetchall()


def compared_tables(warehouse: Path) -> list[tuple[str, str]]:
    """(schema, table) of every segment table, COMPARED_MARTS and COMPARED_INTERMEDIATE."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        segment_tables = [
            row[0]
            for row in connection.sql(
                "select table_name from information_schema.tables where table_schema = 'marts'"
                " and table_name like 'seg\\_%' escape '\\' order by 1"
            ).fetchall()
        ]
    assert len(segment_tables) >= 25, segment_tables
    return [("marts", name) for name in segment_tables + COMPARED_MARTS] + [
        ("intermediate", name) for name in COMPARED_INTERMEDIATE
    ]


def describe_difference(
    table: str, duck_rows: list[tuple], other_rows: list[tuple], columns: list[str], engine: str
) -> str | None:
    if duck_rows == other_rows:
        return None
    only_duck = [row for row in duck_rows if row not in set(other_rows)]
    only_other = [row for row in other_rows if row not in set(duck_rows)]
    return (
        f"{table}: {len(duck_rows)} rows on duckdb, {len(other_rows)} on {engine}; columns {columns}\n"
        f"    only on duckdb ({len(only_duck)}): {only_duck[:5]}\n"
        f"    only on {engine} ({len(only_other)}): {only_other[:5]}"
    )


def table_differences(
    warehouse: Path,
    tables: list[tuple[str, str]],
    read: Callable[[str, str, list[str]], list[tuple]],
    engine: str,
) -> list[str]:
    """What differs between DuckDB and ``engine`` for each (schema, table), one message each.

    ``read(schema, table, columns)`` returns the engine's rows in that column order, or
    raises UnreadableTable, which is reported as that table's difference.
    """
    differences = []
    for schema, table in tables:
        columns, duck = duckdb_table(warehouse, schema, table)
        try:
            other = read(schema, table, columns)
        except UnreadableTable as error:
            differences.append(f"{schema}.{table}: cannot read on {engine}: {error}".strip())
            continue
        difference = describe_difference(
            f"{schema}.{table}", normalized_rows(duck), normalized_rows(other), columns, engine
        )
        if difference:
            differences.append(difference)
    return differences
