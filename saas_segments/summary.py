"""Print where the built warehouse is and a query to try on it.

Usage: ``python -m saas_segments.summary WAREHOUSE_FILE``
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

EXAMPLE_QUERY = """\
select segment_key, entity_type, count(*) as members
from marts.fct_segment_membership
where segment_key not like '%:%'
group by segment_key, entity_type
order by members desc"""


def summarize(warehouse: Path) -> str:
    """Describe the warehouse file: its schemas, the as_of, and one query's result."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        schemas = connection.execute(
            "select table_schema, count(*) from information_schema.tables "
            "where table_schema not in ('information_schema', 'pg_catalog') "
            "group by 1 order by 1"
        ).fetchall()
        ((as_of,),) = connection.execute("select as_of_date from intermediate.int_as_of_date").fetchall()
        result = connection.execute(EXAMPLE_QUERY)
        header = " | ".join(column[0] for column in result.description)
        rows = "\n".join(" | ".join(str(value) for value in row) for row in result.fetchall())
    listing = ", ".join(f"{schema} ({count})" for schema, count in schemas)
    return (
        f"Warehouse: {warehouse}  (as of {as_of})\n"
        f"Schemas (tables and views): {listing}\n\n"
        f"Query it from Python:\n"
        f"  .venv/bin/python -c \"import duckdb; duckdb.connect('{warehouse}', read_only=True)"
        f".sql('select * from marts.fct_segment_membership limit 10').show()\"\n\n"
        f"{EXAMPLE_QUERY};\n\n{header}\n{rows}\n"
    )


def main() -> None:
    print(summarize(Path(sys.argv[1])))


if __name__ == "__main__":
    main()
