"""Command line: build → audit → publish a warehouse file.

    python -m saas_segments.refresh --raw-dir DIR --warehouse FILE [--as-of DATE] [--vars JSON] [--full-refresh] [--restage] [--dev]

Exits 0 when the build was published, 1 when a dbt test or an error-level quality
gate blocked it (the message names each failing segment and criterion). With
``--dev``, a development build in place into FILE instead (unit tests included, no
quality gates, no publish; refused on a published warehouse); exits 1 if dbt fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from saas_segments.project import DEFAULT_RAW_DIR, DEFAULT_WAREHOUSE, DbtError
from saas_segments.publish import build_dev, refresh


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, run one refresh and print its outcome."""
    parser = argparse.ArgumentParser(prog="python -m saas_segments.refresh", description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=DEFAULT_RAW_DIR)
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    parser.add_argument("--as-of", help="as_of date (YYYY-MM-DD); default: the last full day in events")
    parser.add_argument("--vars", type=json.loads, default={}, help="dbt vars as JSON, e.g. '{\"spike_gate_severity\": \"error\"}'")
    parser.add_argument(
        "--full-refresh", action="store_true", help="rebuild the incremental models in full (from the staged layer on DuckDB)"
    )
    parser.add_argument(
        "--restage", action="store_true", help="stage every raw file again (the staged layer is otherwise kept), then rebuild in full"
    )
    parser.add_argument("--dev", action="store_true", help="development build in place into --warehouse: no gates, no publish")
    args = parser.parse_args(argv)
    if not args.raw_dir.is_dir():
        parser.error(f"raw dir '{args.raw_dir}' does not exist")
    if args.dev:
        try:
            build_dev(
                args.raw_dir, args.warehouse, as_of=args.as_of, dbt_vars=args.vars, full_refresh=args.full_refresh, restage=args.restage
            )
        except (ValueError, DbtError) as error:
            print(error, file=sys.stderr)
            return 1
        return 0
    result = refresh(
        args.raw_dir, args.warehouse, as_of=args.as_of, dbt_vars=args.vars, full_refresh=args.full_refresh, restage=args.restage
    )
    print(result.message, file=sys.stdout if result.published else sys.stderr)
    return 0 if result.published else 1


if __name__ == "__main__":
    sys.exit(main())
