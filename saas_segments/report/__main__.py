"""Command line: ``python -m saas_segments.report [--target duckdb --warehouse FILE | --target postgres
[--database NAME]] [--as-of YYYY-MM-DD] [--out DIR]``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from saas_segments.project import DEFAULT_WAREHOUSE
from saas_segments.report import Postgres, ReportError, build_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the segment report (HTML + PNG charts) for an as_of.")
    parser.add_argument(
        "--target", choices=["duckdb", "postgres"], default="duckdb",
        help="the serving target to read: a DuckDB file (--warehouse) or PostgreSQL (SAAS_PG_* settings)",
    )
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE, help="DuckDB warehouse file (read only)")
    parser.add_argument("--database", help="PostgreSQL database (default: SAAS_PG_DATABASE, else saas_segments)")
    parser.add_argument(
        "--as-of", type=dt.date.fromisoformat, help="an as_of in the membership history (default: the warehouse's)"
    )
    parser.add_argument("--out", type=Path, default=Path("reports"), help="writes OUT/<as_of>/ (default: reports)")
    args = parser.parse_args(argv)
    try:
        source = Postgres(args.database) if args.target == "postgres" else args.warehouse
        report = build_report(source, args.out, args.as_of)
    except ReportError as error:
        print(f"segment report: {error}", file=sys.stderr)
        return 2
    print(f"Segment report as of {report.as_of}: {report.html_path}")
    for path in report.chart_paths:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
