"""Run dbt commands on a local Spark session, then read relations from that session.

tests/test_spark.py runs this in its own process: dbt runs in-process (dbtRunner), so
the Spark session it opened, with its in-memory catalog (SAAS_SPARK_CATALOG), is still
there to query afterwards, and the JVM ends with this process.

usage: python tests/spark_build.py OUT.json QUERIES.json COMMANDS.json
  QUERIES.json   {"name": "select ...", ...}; OUT.json gets {"name": [[value, ...], ...]}
  COMMANDS.json  [["build", "--select", "..."], ...], run in order; the first failure stops
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dbt.cli.main import dbtRunner
from pyspark.sql import SparkSession


def main(out: Path, queries: dict[str, str], commands: list[list[str]]) -> None:
    for args in commands:
        result = dbtRunner().invoke(args)
        if not result.success:
            raise SystemExit(f"dbt {' '.join(args)} failed: {result.exception or 'see its output above'}")
    session = SparkSession.builder.getOrCreate()
    rows = {name: [list(row) for row in session.sql(sql).collect()] for name, sql in queries.items()}
    out.write_text(json.dumps(rows, default=str))


if __name__ == "__main__":
    main(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text()), json.loads(Path(sys.argv[3]).read_text()))
