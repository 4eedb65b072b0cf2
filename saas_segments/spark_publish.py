"""Write-audit-publish on Spark: readers see published runs only, never a build in progress.

Spark renames no database and no table across databases, so each refresh is a run
with databases of its own and readers read views (macros/spark/publish.sql):

1. ``spark_prepare_run``: finish a publish interrupted while switching views, drop
   the databases of every run but the published one, copy the published incremental
   tables (membership and quality history) into the run's databases;
2. ``dbt build`` of every model and test into ``<schema>__run_<UTC time>_<id>`` (dbt
   var ``schema_suffix``; the raw tables into ``raw__run_...``), ``segment_quality``
   last;
3. the GX checkpoints on the run's ``segment_quality`` and ``load_health``, read
   through the Spark session (:func:`saas_segments.audit.audit_frames`);
4. ``record_segment_quality`` into the run's history, then ``spark_publish_run``:
   each published relation (``marts.seg_power_users``, …) becomes a view of the run's.

A failed build or an error-level gate drops the run's databases; the published views
are untouched. dbt runs in this process (``dbtRunner``), so every step shares the
Spark session the first one opened; a killed refresh takes dbt and its JVM with it
and leaves only the run's databases, which the next refresh drops.

    python -m saas_segments.spark_publish --raw-dir DIR [--as-of DATE] [--vars JSON] [--full-refresh]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from saas_segments.audit import Audit, audit_frames
from saas_segments.gx_gates import GATE_TABLES
from saas_segments.project import PROJECT_DIR, DbtError
from saas_segments.publish import QUALITY_SELECTION, REFRESH_BUILD, refresh_vars

RUN_MARK = "__run_"
RAW_SCHEMA = "raw"
DEFAULT_TARGET_PATH = PROJECT_DIR / "target" / "spark"

#: Runs one dbt command (arguments as on the command line); raises DbtError if it fails.
Invoke = Callable[[list[str]], None]


@dataclass(frozen=True)
class SparkRefreshResult:
    """What a refresh did: ``published`` is true when the run's views replaced the published ones."""

    published: bool
    run: str
    message: str
    audit: Audit | None = None


def invoke_dbt(args: list[str]) -> None:
    """Run one dbt command in this process (the Spark session stays open between commands)."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(args)
    if not result.success:
        failed = [
            f"{node.node.unique_id}: {node.status} {node.message}"
            for node in getattr(result.result, "results", None) or []
            if hasattr(node, "node") and str(node.status) not in ("success", "pass", "no-op", "warn")
        ]
        raise DbtError(f"dbt {' '.join(args[:2])} failed: {result.exception or ''}\n" + "\n".join(failed[:20]))


def new_run() -> str:
    """A run's database suffix: ``__run_<UTC time>_<id>`` (sorts by start time)."""
    return f"{RUN_MARK}{datetime.now(timezone.utc):%Y%m%d%H%M%S}_{uuid.uuid4().hex[:6]}"


def run_vars(run: str, raw_dir: Path) -> dict[str, object]:
    """dbt vars that point a build at a run's databases and at the raw dir."""
    return {"schema_suffix": run, "raw_schema": RAW_SCHEMA + run, "raw_dir": str(raw_dir)}


def read_relation(relation: str, run: str) -> pd.DataFrame:
    """A gate relation (``schema.table``) of a run, as :func:`saas_segments.audit.read_relation`
    returns it from DuckDB (decimals as floats), through the session dbt opened."""
    from pyspark.sql import SparkSession
    from pyspark.sql.types import DecimalType

    schema, table = relation.split(".")
    data = SparkSession.builder.getOrCreate().sql(f"select * from {schema}{run}.{table} order by 1, 2")
    frame = data.toPandas()
    for field in data.schema.fields:
        if isinstance(field.dataType, DecimalType):
            frame[field.name] = frame[field.name].astype(float)
    return frame.infer_objects()


def audit_and_publish(run: str, variables: Mapping[str, object], invoke: Invoke = invoke_dbt) -> SparkRefreshResult:
    """Run the gates on a built run; publish it if they pass, else drop its databases."""
    frames = {table.relation: read_relation(table.relation, run) for table in GATE_TABLES}
    result = audit_frames(frames, run_name=run.removeprefix(RUN_MARK))
    options = ["--vars", json.dumps(dict(variables))]
    if not result.passed:
        invoke(["run-operation", "spark_drop_run", "--args", json.dumps({"suffix": run}), *options])
        return SparkRefreshResult(False, run, f"publish blocked, published views unchanged\n{result.summary()}", result)
    invoke(["run-operation", "record_segment_quality", *options])
    invoke(["run-operation", "spark_publish_run", "--args", json.dumps({"suffix": run}), *options])
    return SparkRefreshResult(True, run, f"published run {run} (audit {result.run_id})\n{result.summary()}", result)


def refresh(
    raw_dir: Path,
    as_of: str | None = None,
    dbt_vars: Mapping[str, object] | None = None,
    full_refresh: bool = False,
    build: Sequence[str] = REFRESH_BUILD,
    invoke: Invoke = invoke_dbt,
) -> SparkRefreshResult:
    """Build ``raw_dir`` into a new run's databases, audit them, publish them if they pass.

    ``build`` is the dbt build command (``publish.DEV_BUILD`` adds the unit tests).
    """
    raw_dir, run = Path(raw_dir).resolve(), new_run()
    variables = {**refresh_vars(raw_dir, as_of, dbt_vars), **run_vars(run, raw_dir)}
    options = ["--vars", json.dumps(variables)]
    rebuild = ["--full-refresh"] if full_refresh else []
    invoke(["run-operation", "spark_prepare_run", *options])
    try:
        invoke([*build, *rebuild, "--exclude", QUALITY_SELECTION, *options])
        invoke([*build, "--select", QUALITY_SELECTION, *options])
    except DbtError as error:
        invoke(["run-operation", "spark_drop_run", "--args", json.dumps({"suffix": run}), *options])
        return SparkRefreshResult(False, run, f"publish blocked, published views unchanged: the dbt build failed\n{error}")
    return audit_and_publish(run, variables, invoke)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run one refresh on the Spark target and print its outcome."""
    parser = argparse.ArgumentParser(prog="python -m saas_segments.spark_publish", description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, required=True)
    parser.add_argument("--as-of", help="as_of date (YYYY-MM-DD); default: the last full day in events")
    parser.add_argument("--vars", type=json.loads, default={}, help="dbt vars as JSON")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild the incremental models from every raw row")
    parser.add_argument("--target-path", type=Path, default=DEFAULT_TARGET_PATH, help="dbt artifacts of the refresh")
    args = parser.parse_args(argv)
    if not args.raw_dir.is_dir():
        parser.error(f"raw dir '{args.raw_dir}' does not exist")
    os.environ.setdefault("SAAS_TARGET", "spark")
    os.environ["DBT_TARGET_PATH"] = str(args.target_path.resolve())
    result = refresh(args.raw_dir, args.as_of, args.vars, args.full_refresh)
    print(result.message, file=sys.stdout if result.published else sys.stderr)
    return 0 if result.published else 1


if __name__ == "__main__":
    sys.exit(main())
