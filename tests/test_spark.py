"""Apache Spark: the whole project builds on a local Spark session (dbt-spark's session
method), with its contracts, data tests and unit tests, and every mart equals DuckDB's.

One Spark run serves every test here (tests/spark_build.py, one JVM):
  1. `dbt build` of the whole project on the demo data: seeds, every model with its
     contract, every data test and unit test;
  2. one segment re-run (its membership-history partition must be replaced);
  3. every compared mart read with DuckDB's column lists (tests/cross_engine.py);
  4. the raw contract fixture (a bad row of every kind, events on three UTC days) built
     through staging and the event models with date partitions on, then read back.
The demo build runs without date partitions (`spark_date_partitions: false`): the
demo's ~1,000 event days would write ~1,000 partitions per event model, minutes on a
small machine, without changing a result; step 4 checks the partitioned layout. Spark
runs local[2] tuned for tiny data (SPARK_SETTINGS) with an in-memory catalog; its
files live under tmp, so nothing outlives the run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CONTRACT_FIXTURE, engine_binary, query
from cross_engine import (
    UnreadableTable,
    compared_tables,
    describe_difference,
    duckdb_table,
    normalized_rows,
    table_differences,
)
from saas_segments.project import PROJECT_DIR, dbt_env

pytestmark = pytest.mark.slow

RERUN_SEGMENT = "seg_nps_promoters"
#: Partitioned event models and their date column (dbt_project.yml, spark_date_partitions).
DATE_PARTITIONED = {
    "staging.stg_app__events": "event_date",
    "intermediate.int_events_aggregated_to_user_days": "activity_date",
    "intermediate.int_feature_events_aggregated_to_user_days": "activity_date",
    "intermediate.int_user_feature_usage": "first_used_date",
}
FIXTURE_COMPARED = ["stg_app__events", "stg_quarantine", "stg_load_audit"]
#: A local session for tiny data: one shuffle partition, no whole-stage code generation
#: and no adaptive re-planning (both cost more than they save on thousands of rows), the
#: catalog in memory (no Derby metastore), and a JVM that compiles with C1 only and
#: collects with one thread (the JIT's C2 compiler is the largest CPU cost of a short run).
SPARK_SETTINGS = {
    "SAAS_SPARK_CATALOG": "in-memory",
    "SAAS_SPARK_SHUFFLE_PARTITIONS": "1",
    "SAAS_SPARK_CODEGEN": "false",
    "SAAS_SPARK_ADAPTIVE": "false",
    "SAAS_SPARK_JAVA_OPTIONS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    # PySpark turns timestamps into Python datetimes in the process's zone
    "TZ": "UTC",
}


def spark_steps(demo_warehouse: Path, contract_warehouse: Path, demo_raw_dir: Path) -> list[dict[str, object]]:
    options = ["--vars", json.dumps({"raw_dir": str(demo_raw_dir), "spark_date_partitions": False})]
    compared = {
        f"{schema}.{table}": f"select {', '.join(duckdb_table(demo_warehouse, schema, table)[0])} from {schema}.{table}"
        for schema, table in compared_tables(demo_warehouse)
    }
    fixture = {
        f"fixture.{table}": f"select {', '.join(duckdb_table(contract_warehouse, 'staging', table)[0])} from staging.{table}"
        for table in FIXTURE_COMPARED
    }
    for relation, column in DATE_PARTITIONED.items():
        fixture[f"partitions.{relation}"] = f"show partitions {relation}"
        fixture[f"dates.{relation}"] = f"select distinct cast({column} as string) from {relation}"
    fixture_selection = " ".join(["+stg_quarantine", "+stg_load_audit"] + [f"+{name.split('.')[1]}" for name in DATE_PARTITIONED])
    return [
        {"dbt": ["build", *options]},
        {"dbt": ["run", "--select", RERUN_SEGMENT, *options]},
        {
            "queries": compared
            | {
                "history_partitions": "show partitions marts.fct_segment_membership_history",
                "history_counts": "select model_name, count(*) from marts.fct_segment_membership_history group by model_name",
            }
        },
        {
            "dbt": [
                "run", "--select", fixture_selection,
                "--vars", json.dumps({"raw_dir": str(CONTRACT_FIXTURE), "spark_date_partitions": True}),
            ]
        },
        {"queries": fixture},
    ]


@pytest.fixture(scope="module")
def spark_run(
    demo_warehouse: Path, contract_warehouse: Path, demo_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """The output of tests/spark_build.py over spark_steps (see the module docstring)."""
    engine_binary("spark", "java")
    workdir = tmp_path_factory.mktemp("spark")
    steps, out = workdir / "steps.json", workdir / "out.json"
    steps.write_text(json.dumps(spark_steps(demo_warehouse, contract_warehouse, demo_raw_dir)))
    env = dbt_env(extra={"SAAS_TARGET": "spark", "SAAS_SPARK_DIR": str(workdir / "spark"), **SPARK_SETTINGS})
    env["DBT_TARGET_PATH"] = str(workdir / "target")
    started = time.monotonic()
    process = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "tests" / "spark_build.py"), str(steps), str(out)],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False,
    )
    wall = time.monotonic() - started
    assert process.returncode == 0, f"tests/spark_build.py failed:\n{process.stdout[-8000:]}\n{process.stderr[-3000:]}"
    result = json.loads(out.read_text())
    cpu = result["cpu_seconds"]
    print(f"spark run: {wall:.1f}s wall; CPU {cpu['python']}s dbt (Python) + {cpu['jvm']}s Spark (JVM)")
    result["manifest"] = json.loads((workdir / "target" / "manifest.json").read_text())
    for command in result["dbt"]:
        print(f"  dbt {command['args'][0]}: {len(command['nodes'])} nodes, {command['seconds']}s")
    return result


def failed_nodes(command: dict[str, object]) -> list[str]:
    return [
        f"{unique_id}: {status} {message}"
        for unique_id, (status, message) in command["nodes"].items()
        if status not in ("success", "pass", "no-op")  # exposures are no-ops
    ]


def test_spark_builds_and_tests_every_node(spark_run: dict[str, object]) -> None:
    """`dbt build` ran every seed, model (contracts enforced), data test and unit test of
    the project on Spark, and each one passed."""
    build = spark_run["dbt"][0]
    assert build["error"] is None, build["error"]
    assert not failed_nodes(build), "failed on spark:\n" + "\n".join(failed_nodes(build))
    manifest = spark_run["manifest"]
    kinds = ("model", "seed", "snapshot", "test", "unit_test")
    expected = {
        unique_id for unique_id, node in manifest["nodes"].items() if node["resource_type"] in kinds
    } | set(manifest["unit_tests"])
    built = [unique_id for unique_id in build["nodes"] if unique_id.split(".")[0] in kinds]
    assert set(built) == expected, sorted(expected ^ set(built))[:20]
    counts = {kind: sum(unique_id.startswith(kind + ".") for unique_id in built) for kind in kinds}
    assert counts["model"] >= 90 and counts["seed"] >= 1, counts
    assert counts["test"] >= 300 and counts["unit_test"] >= 50, counts
    contracted = [node for node in manifest["nodes"].values() if node["config"].get("contract", {}).get("enforced")]
    assert len(contracted) >= 30


def rows_read(spark_run: dict[str, object], name: str) -> list[tuple]:
    rows = spark_run["rows"].get(name, {"error": "not queried"})
    if isinstance(rows, dict):
        raise UnreadableTable(rows["error"])
    return [tuple(row) for row in rows]


def test_spark_marts_equal_duckdb(demo_warehouse: Path, spark_run: dict[str, object]) -> None:
    """Every segment table, fact and dim (cross_engine.compared_tables), row by row."""
    differences = table_differences(
        demo_warehouse,
        compared_tables(demo_warehouse),
        lambda schema, table, columns: rows_read(spark_run, f"{schema}.{table}"),
        "spark",
    )
    assert not differences, "spark and duckdb differ:\n" + "\n".join(differences)
    assert len(rows_read(spark_run, "marts.fct_segment_membership")) > 1000


def test_spark_history_has_one_partition_per_segment(demo_warehouse: Path, spark_run: dict[str, object]) -> None:
    """Each segment recorded its members in its own (model_name, as_of_date) partition, and
    re-running a segment replaced its partition instead of adding to it."""
    assert spark_run["dbt"][1]["error"] is None and not failed_nodes(spark_run["dbt"][1])
    (as_of,) = query(demo_warehouse, "select cast(as_of_date as varchar) from intermediate.int_as_of_date")[0]
    duck = dict(query(demo_warehouse, "select model_name, count(*) from marts.fct_segment_membership_history group by 1"))
    partitions = sorted(row[0] for row in rows_read(spark_run, "history_partitions"))
    assert partitions == sorted(f"model_name={name}/as_of_date={as_of}" for name in duck)
    assert dict(rows_read(spark_run, "history_counts")) == duck
    assert duck[RERUN_SEGMENT] > 0


def test_spark_date_partitions_on_the_fixture(contract_warehouse: Path, spark_run: dict[str, object]) -> None:
    """With date partitions on, the event models hold one partition per UTC day of the
    staged events, and staging (staged, quarantined, collapsed rows) equals DuckDB's."""
    fixture_run = spark_run["dbt"][2]
    assert fixture_run["error"] is None and not failed_nodes(fixture_run), failed_nodes(fixture_run)
    days = [row[0] for row in query(contract_warehouse, "select distinct cast(event_date as varchar) from staging.stg_app__events order by 1")]
    # one event at 23:59:59-01:00 on May 2 is staged on the UTC day May 3
    assert days == ["2025-05-01", "2025-05-02", "2025-05-03"], days
    event_partitions = sorted(row[0] for row in rows_read(spark_run, "partitions.staging.stg_app__events"))
    assert event_partitions == [f"event_date={day}" for day in days]
    for relation, column in DATE_PARTITIONED.items():
        partitions = sorted(row[0] for row in rows_read(spark_run, f"partitions.{relation}"))
        dates = sorted(row[0] for row in rows_read(spark_run, f"dates.{relation}"))
        assert dates and set(dates) <= set(days), (relation, dates)
        assert partitions == [f"{column}={day}" for day in dates], relation
    differences = []
    for table in FIXTURE_COMPARED:
        columns, duck = duckdb_table(contract_warehouse, "staging", table)
        spark = rows_read(spark_run, f"fixture.{table}")
        difference = describe_difference(f"staging.{table}", normalized_rows(duck), normalized_rows(spark), columns, "spark")
        if difference:
            differences.append(difference)
    assert not differences, "spark and duckdb stage the fixture differently:\n" + "\n".join(differences)
