"""Apache Spark: the same project builds on a local Spark session (dbt-spark's session
method) and finds exactly the segment members DuckDB finds.

The Spark build covers the path from the raw files to the membership: staging, the
intermediate models and every segment (whose post-hooks record its members), then
fct_segment_membership, with `dbt build` minus the data tests (DuckDB's build, the
`demo_warehouse` fixture, runs them). Spark runs local[2] with two shuffle partitions
and an in-memory catalog; its warehouse lives under tmp, so nothing outlives the test.
The event models are not partitioned by date here (`spark_date_partitions: false`):
at demo scale that writes ~1,000 one-day partitions per event model, minutes on a
small machine, and it does not change a result. The membership history is partitioned
as in production: a segment re-run replaces its partition, which the test re-runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import engine_binary, query
from saas_segments.project import PROJECT_DIR, dbt_env

pytestmark = pytest.mark.slow

SELECTION = "+tag:segment +fct_segment_membership"
RERUN_SEGMENT = "seg_nps_promoters"
MEMBERSHIP_COLUMNS = "segment_key, entity_type, entity_id, reason, cast(as_of_date as {}) as as_of_date"
QUERIES = {
    "membership": f"select {MEMBERSHIP_COLUMNS.format('string')} from marts.fct_segment_membership",
    "partitions": "show partitions marts.fct_segment_membership_history",
    "history": "select model_name, count(*) from marts.fct_segment_membership_history group by model_name",
}


@pytest.fixture(scope="module")
def spark_results(demo_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    """Build the selection on Spark, re-run one segment, and read QUERIES from the session."""
    engine_binary("spark", "java")
    workdir = tmp_path_factory.mktemp("spark")
    options = ["--target-path", str(workdir / "target"), "--vars", json.dumps({"spark_date_partitions": False})]
    commands = [
        ["build", "--select", SELECTION, "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test", *options],
        ["run", "--select", RERUN_SEGMENT, *options],
    ]
    (workdir / "queries.json").write_text(json.dumps(QUERIES))
    (workdir / "commands.json").write_text(json.dumps(commands))
    env = dbt_env(
        raw_dir=demo_raw_dir,
        extra={
            "SAAS_TARGET": "spark",
            "SAAS_SPARK_DIR": str(workdir / "spark"),
            "SAAS_SPARK_CATALOG": "in-memory",
            "SAAS_SPARK_CODEGEN": "false",
        },
    )
    started = time.monotonic()
    process = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "tests" / "spark_build.py"), str(workdir / "out.json"),
         str(workdir / "queries.json"), str(workdir / "commands.json")],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False,
    )
    print(f"spark build and re-run: {time.monotonic() - started:.1f}s")
    assert process.returncode == 0, f"spark build failed:\n{process.stdout[-8000:]}\n{process.stderr[-3000:]}"
    return {name: [tuple(row) for row in rows] for name, rows in json.loads((workdir / "out.json").read_text()).items()}


def membership_difference(duck: list[tuple], spark: list[tuple]) -> str | None:
    """None when equal; else the counts per segment that differ and the first differing rows."""
    if duck == spark:
        return None
    duck_counts, spark_counts = Counter(row[0] for row in duck), Counter(row[0] for row in spark)
    counts = {key: (duck_counts[key], spark_counts[key]) for key in sorted(duck_counts | spark_counts)}
    only_duck, only_spark = sorted(set(duck) - set(spark)), sorted(set(spark) - set(duck))
    return (
        f"{len(duck)} rows on duckdb, {len(spark)} on spark\n"
        f"  members per segment (duckdb, spark) where they differ: "
        f"{ {key: pair for key, pair in counts.items() if pair[0] != pair[1]} }\n"
        f"  only on duckdb ({len(only_duck)}): {only_duck[:5]}\n"
        f"  only on spark ({len(only_spark)}): {only_spark[:5]}"
    )


def test_spark_membership_equals_duckdb(demo_warehouse: Path, spark_results: dict[str, list[tuple]]) -> None:
    """Row by row, sorted by segment_key, entity_type, entity_id, reason."""
    duck = sorted(query(demo_warehouse, f"select {MEMBERSHIP_COLUMNS.format('varchar')} from marts.fct_segment_membership"))
    spark = sorted(spark_results["membership"])
    assert len(duck) > 1000
    assert len({row[0] for row in duck}) >= 25
    difference = membership_difference(duck, spark)
    assert difference is None, "fct_segment_membership differs between duckdb and spark:\n" + difference


def test_spark_history_has_one_partition_per_segment(demo_warehouse: Path, spark_results: dict[str, list[tuple]]) -> None:
    """Each segment recorded its members in its own (model_name, as_of_date) partition, and
    re-running a segment replaced its partition instead of adding to it."""
    (as_of,) = query(demo_warehouse, "select cast(as_of_date as varchar) from intermediate.int_as_of_date")[0]
    duck = dict(query(demo_warehouse, "select model_name, count(*) from marts.fct_segment_membership_history group by 1"))
    partitions = sorted(row[0] for row in spark_results["partitions"])
    assert partitions == sorted(f"model_name={name}/as_of_date={as_of}" for name in duck)
    assert dict(spark_results["history"]) == duck
    assert duck[RERUN_SEGMENT] > 0
