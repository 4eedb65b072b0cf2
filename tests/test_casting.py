"""DuckDB's own typing macros (macros/casting.sql) give the portable default's values on
the inputs where a shortcut could differ: Unicode spaces, inner spaces, infinity."""

from __future__ import annotations

import json
from pathlib import Path

from saas_segments.project import dbt

TEXT_VALUES = ["a", " a ", "\u00a0a", "a\u3000", "\ta\t", "", "   ", "a b", "é ", None]
TIMESTAMP_VALUES = [
    "2024-03-10 02:30:00+05:30", "2024-06-01T12:00:00Z", "2024-01-01", "infinity", "-infinity", "yesterday", None,
]


def literal(value: str | None) -> str:
    return "null" if value is None else "'" + value.replace("'", "''") + "'"


def shown(sql: str, tmp_path: Path) -> list[dict[str, str | None]]:
    """The rows of ``sql`` run by ``dbt show`` on the DuckDB target."""
    process = dbt(
        ["show", "--inline", sql, "--limit", "100", "--output", "json", "--log-format", "json"],
        warehouse=tmp_path / "warehouse.duckdb", target_path=tmp_path / "target",
    )
    events = [json.loads(line) for line in process.stdout.splitlines() if line.startswith("{")]
    preview = next(event["data"]["preview"] for event in events if event["info"]["name"] == "ShowNode")
    return json.loads(preview)


def compared(macro: str, values: list[str | None], tmp_path: Path) -> list[dict[str, str | None]]:
    rows = " union all ".join(f"select {index} as position, {literal(value)} as v" for index, value in enumerate(values))
    return shown(
        f"select position, {{{{ saas_segments.duckdb__{macro}('v') }}}} as fast,"
        f" {{{{ saas_segments.default__{macro}('v') }}}} as portable from ({rows}) as raw order by position",
        tmp_path,
    )


def test_duckdb_trim_spaces_strips_the_ascii_space_only(tmp_path: Path) -> None:
    """As PostgreSQL's and Spark's trim(): Unicode spaces and tabs are kept."""
    rows = compared("trim_spaces", TEXT_VALUES, tmp_path)
    assert [row["fast"] for row in rows] == ["a", "a", "\u00a0a", "a\u3000", "\ta\t", "", "", "a b", "é", None]
    assert [row["fast"] for row in rows] == [row["portable"] for row in rows]


def test_duckdb_utc_timestamp_is_timezone_utc(tmp_path: Path) -> None:
    rows = compared("utc_timestamp", TIMESTAMP_VALUES, tmp_path)
    assert [row["fast"] for row in rows] == [row["portable"] for row in rows]
    assert rows[0]["fast"].startswith("2024-03-09T21:00:00") and rows[1]["fast"].startswith("2024-06-01T12:00:00")
    assert rows[3]["fast"] is not None and rows[4]["fast"] is not None  # infinity is a value, not null
    assert rows[5]["fast"] is None and rows[6]["fast"] is None
