"""Run dbt commands and queries, in order, on one local Spark session.

tests/test_spark.py runs this in its own process: dbt runs in-process (dbtRunner), so
every step shares the Spark session the first one opened, with its in-memory catalog
(SAAS_SPARK_CATALOG): one JVM start for the whole run, ended with this process.

usage: python tests/spark_build.py STEPS.json OUT.json
  STEPS.json  [{"dbt": ["build", ...]}, {"queries": {"name": "select ...", ...}}, ...]
  OUT.json    {"dbt": [{"args", "seconds", "error", "nodes": {unique_id: [status, message]}}, ...],
               "rows": {"name": [[value, ...], ...] | {"error": "..."}},
               "cpu_seconds": {"python": s, "jvm": s}}
Values are normalized as cross_engine.normalize does; a failing dbt command or query
is recorded and the next steps still run.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

from dbt.cli.main import dbtRunner
from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

from cross_engine import normalize


def run_dbt(args: list[str]) -> dict[str, object]:
    started = time.monotonic()
    result = dbtRunner().invoke(args)
    nodes = {
        node_result.node.unique_id: [str(node_result.status), node_result.message]
        for node_result in getattr(result.result, "results", None) or []
    }
    return {
        "args": args,
        "seconds": round(time.monotonic() - started, 1),
        "error": str(result.exception) if result.exception else None,
        "nodes": nodes,
    }


def run_query(session: SparkSession, sql: str) -> list[list[object]] | dict[str, str]:
    try:
        return [[normalize(value) for value in row] for row in session.sql(sql).collect()]
    except PySparkException as error:
        return {"error": str(error).splitlines()[0]}


def jvm_cpu_seconds() -> float:
    """CPU time of the session's JVM so far (it is not this process's waited-for child)."""
    gateway = SparkSession.builder.getOrCreate().sparkContext._gateway
    fields = Path(f"/proc/{gateway.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(steps: list[dict[str, object]], out: Path) -> None:
    output: dict[str, object] = {"dbt": [], "rows": {}}
    for step in steps:
        if "dbt" in step:
            output["dbt"].append(run_dbt(step["dbt"]))
        else:
            session = SparkSession.builder.getOrCreate()
            output["rows"].update({name: run_query(session, sql) for name, sql in step["queries"].items()})
    own = resource.getrusage(resource.RUSAGE_SELF)
    output["cpu_seconds"] = {"python": round(own.ru_utime + own.ru_stime, 1), "jvm": round(jvm_cpu_seconds(), 1)}
    out.write_text(json.dumps(output))


if __name__ == "__main__":
    main(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
