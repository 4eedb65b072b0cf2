"""Run dbt commands and queries, in order, on one local Spark session.

tests/test_spark.py runs this in its own process: dbt runs in-process (dbtRunner), so
every step shares the Spark session the first one opened, with its in-memory catalog
(SAAS_SPARK_CATALOG): one JVM start for the whole run, ended with this process.

usage: python tests/spark_build.py STEPS.json OUT.json
  STEPS.json  [{"dbt": ["build", ...]}, {"queries": {"name": "select ...", ...}},
               {"refresh": {keyword arguments of saas_segments.spark_publish.refresh}},
               {"views_of_published": RUN}, {"audit_and_publish": {"run": RUN, "vars": {...}}}, ...]
  OUT.json    {"dbt": [{"args", "seconds", "success", "error", "nodes": {unique_id: [status, message]}}, ...],
               "publish": [{"published", "run", "message", "dbt": [the step's dbt commands]}, ...],
               "rows": {"name": [[value, ...], ...] | {"error": "..."}},
               "cpu_seconds": {"python": s, "jvm": s}}
"refresh" is the Spark write-audit-publish; "views_of_published" gives run RUN
databases of views over the published run's relations (a candidate without a build);
"audit_and_publish" runs the gates on a run and publishes it or drops it. "$RUN" in a
step (dbt arguments, queries, runs) is the run the last refresh published. Values are
normalized as cross_engine.normalize does; a failing dbt command or query is recorded
and the next steps still run.
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
from saas_segments import spark_publish
from saas_segments.project import DbtError


def run_dbt(args: list[str]) -> dict[str, object]:
    started = time.monotonic()
    result = dbtRunner().invoke(args)
    nodes = {
        node_result.node.unique_id: [str(node_result.status), node_result.message]
        for node_result in getattr(result.result, "results", None) or []
        if hasattr(node_result, "node")  # run-operation results name no node
    }
    return {
        "args": args,
        "seconds": round(time.monotonic() - started, 1),
        "success": result.success,
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


def recording(commands: list[dict[str, object]]) -> spark_publish.Invoke:
    """A dbt invoker for spark_publish that records each command in ``commands``."""

    def invoke(args: list[str]) -> None:
        commands.append(run_dbt(args))
        if not commands[-1]["success"]:
            raise DbtError(f"dbt {args[:2]} failed: {commands[-1]['error']}")

    return invoke


def views_of_published(published: str, run: str) -> None:
    """Databases of run ``run`` holding a view over each relation of run ``published``."""
    session = SparkSession.builder.getOrCreate()
    for (database,) in session.sql("show databases").collect():
        if database.endswith(published) and not database.startswith(spark_publish.RAW_SCHEMA + published):
            target = database.removesuffix(published) + run
            session.sql(f"create database {target}")
            for row in session.sql(f"show tables in {database}").collect():
                if not row.isTemporary:
                    session.sql(f"create view {target}.{row.tableName} as select * from {database}.{row.tableName}")


def main(steps: list[dict[str, object]], out: Path) -> None:
    output: dict[str, object] = {"dbt": [], "publish": [], "rows": {}}
    published = ""
    for step in steps:
        step = json.loads(json.dumps(step).replace("$RUN", published))
        if "dbt" in step:
            output["dbt"].append(run_dbt(step["dbt"]))
        elif "refresh" in step or "audit_and_publish" in step:
            commands: list[dict[str, object]] = []
            try:
                if "refresh" in step:
                    result = spark_publish.refresh(**step["refresh"], invoke=recording(commands))
                else:
                    result = spark_publish.audit_and_publish(**step["audit_and_publish"], invoke=recording(commands))
                outcome = {"published": result.published, "run": result.run, "message": result.message}
            except DbtError as error:
                outcome = {"published": False, "run": None, "message": str(error)}
            output["publish"].append({**outcome, "dbt": commands})
            published = result.run if outcome["published"] else published
        elif "views_of_published" in step:
            views_of_published(published, step["views_of_published"])
        else:
            session = SparkSession.builder.getOrCreate()
            output["rows"].update({name: run_query(session, sql) for name, sql in step["queries"].items()})
    own = resource.getrusage(resource.RUSAGE_SELF)
    output["cpu_seconds"] = {"python": round(own.ru_utime + own.ru_stime, 1), "jvm": round(jvm_cpu_seconds(), 1)}
    out.write_text(json.dumps(output))


if __name__ == "__main__":
    main(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
