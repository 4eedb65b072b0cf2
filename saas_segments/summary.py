"""Print where the built warehouse is and a query to try on it.

Usage: ``python -m saas_segments.summary WAREHOUSE_FILE``
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

EXAMPLE_QUERY = """\
select source_table, raw_rows, staged_rows, quarantined_rows, collapsed_rows
from staging.stg_load_audit
order by raw_rows desc"""


def summarize(warehouse: Path) -> str:
    """Describe the warehouse file: its schemas and tables, and one query's result."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        schemas = connection.sql(
            "select table_schema, count(*) from information_schema.tables "
            "where table_schema not in ('information_schema', 'pg_catalog') "
            "group by 1 order by 1"
        ).fetchall()
        result = connection.sql(EXAMPLE_QUERY)
        header = " | ".join(result.columns)
        rows = "\n".join(" | ".join(str(value) for value in row) for row in result.fetchall())
    listing = ", ".join(f"{schema} ({count})" for schema, count in schemas)
    return (
        f"Warehouse: {warehouse}\n"
        f"Schemas (tables and views): {listing}\n\n"
        f"Query it, e.g.:\n  .venv/bin/python -c \"import duckdb; duckdb.connect('{warehouse}', read_only=True)"
        f".sql('select * from staging.stg_load_audit').show()\"\n\n"
        f"{EXAMPLE_QUERY};\n\n{header}\n{rows}\n"
    )


def main() -> None:
    print(summarize(Path(sys.argv[1])))


if __name__ == "__main__":
    main()
