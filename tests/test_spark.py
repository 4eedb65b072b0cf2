"""Apache Spark: the whole project builds on a local Spark session (dbt-spark's session
method) through the audited publish path, with its contracts, data tests and unit
tests, and every mart equals DuckDB's.

One Spark run serves every test here (tests/spark_build.py, one JVM):
  1. the Spark refresh (saas_segments/spark_publish.py) of the demo data: `dbt build`
     of seeds, every model with its contract, every data test and unit test into the
     run's databases, the GX gates on them, then the published views switched to them;
  2. one segment re-run in the published run (its membership-history partition must be
     replaced);
  3. every compared mart read through the published views with DuckDB's column lists
     (tests/cross_engine.py);
  4. a failed gate: a second run (views over the published run's relations and its own
     `segment_quality`, built with a minimum segment size nobody reaches) is audited and
     dropped, and the published views still read the first run;
  5. the raw contract fixture (a bad row of every kind, events on three UTC days, and
     malformed CSV lines) built through staging and the event models with date
     partitions on, then read back.
The demo build runs without date partitions (`spark_date_partitions: false`): the
demo's ~1,000 event days would write ~1,000 partitions per event model, minutes on a
small machine, without changing a result; step 5 checks the partitioned layout. Spark
runs local[2] tuned for tiny data (SPARK_SETTINGS) with an in-memory catalog; its
files live under tmp, so nothing outlives the run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CONTRACT_FIXTURE, EVENT_WITH_IDS_COLUMNS, engine_binary, events_with_ids, query
from cross_engine import (
    UnreadableTable,
    compared_tables,
    describe_difference,
    duckdb_table,
    normalized_rows,
    table_differences,
)
from saas_segments.project import PROJECT_DIR, dbt_env
from saas_segments.publish import DEV_BUILD, refresh_vars
from saas_segments.spark_publish import RUN_MARK, run_vars
from test_raw_layouts import malformed_tickets

pytestmark = pytest.mark.slow

RERUN_SEGMENT = "seg_nps_promoters"
#: Partitioned event models and their date column (dbt_project.yml, spark_date_partitions).
DATE_PARTITIONED = {
    "staging.stg_app__events": "event_date",
    "intermediate.int_events_aggregated_to_user_days": "activity_date",
    "intermediate.int_feature_events_aggregated_to_user_days": "activity_date",
    "intermediate.int_user_feature_usage": "first_used_date",
}
FIXTURE_COMPARED = ["stg_quarantine", "stg_load_audit"]


def spark_hash_key(expression: str) -> str:
    """macros/keys/hash_key.sql on Spark."""
    return f"xxhash64({expression})"


#: The run whose gate fails (step 4) and the databases the fixture builds into (step 5).
FAILING_RUN = f"{RUN_MARK}99991231000000_gate"
FIXTURE_SUFFIX = "__fixture"
#: A published relation and what the failing run must leave as it was.
PUBLISHED_STATE = {
    "run": "show tblproperties marts.seg_power_users ('saas_segments.run')",
    "quality": "select segment_key, member_count, min_segment_size, verdict from marts.segment_quality",
    "databases": "show databases",
}
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


def fixture_with_malformed_lines(root: Path) -> Path:
    """The contract fixture with test_raw_layouts' malformed lines appended to support_tickets.csv."""
    raw = root / "raw_contract"
    shutil.copytree(CONTRACT_FIXTURE, raw)
    tickets = raw / "support_tickets.csv"
    lines = [line for _, _, line in malformed_tickets()]
    tickets.write_text(tickets.read_text() + "\n".join(lines) + "\n")
    return raw


def spark_steps(demo_warehouse: Path, fixture_warehouse: Path, demo_raw_dir: Path, fixture: Path) -> list[dict[str, object]]:
    demo_vars = {"spark_date_partitions": False}
    # the refresh's vars (the same vars keep dbt's partial parse)
    published_vars = {**refresh_vars(demo_raw_dir, None, demo_vars), **run_vars("$RUN", demo_raw_dir)}
    compared = {
        f"{schema}.{table}": f"select {', '.join(duckdb_table(demo_warehouse, schema, table)[0])} from {schema}.{table}"
        for schema, table in compared_tables(demo_warehouse)
    }
    fixture_queries = {
        f"fixture.{table}": f"select {', '.join(duckdb_table(fixture_warehouse, 'staging', table)[0])}"
        f" from staging{FIXTURE_SUFFIX}.{table}"
        for table in FIXTURE_COMPARED
    }
    fixture_queries["fixture.stg_app__events"] = events_with_ids(f"staging{FIXTURE_SUFFIX}", spark_hash_key)
    fixture_queries["fixture.malformed"] = (
        f"select source_file, source_line, rule, raw_record from staging{FIXTURE_SUFFIX}.stg_quarantine"
        " where source_file is not null order by source_line"
    )
    fixture_queries["fixture.malformed_rows"] = (
        f"select source_table, malformed_rows from staging{FIXTURE_SUFFIX}.stg_load_audit where malformed_rows > 0"
    )
    for relation, column in DATE_PARTITIONED.items():
        schema, name = relation.split(".")
        fixture_queries[f"partitions.{relation}"] = f"show partitions {schema}{FIXTURE_SUFFIX}.{name}"
        fixture_queries[f"dates.{relation}"] = f"select distinct cast({column} as string) from {schema}{FIXTURE_SUFFIX}.{name}"
    fixture_selection = " ".join(["+stg_quarantine", "+stg_load_audit"] + [f"+{name.split('.')[1]}" for name in DATE_PARTITIONED])
    failing_vars = {**run_vars(FAILING_RUN, demo_raw_dir), **demo_vars, "quality_profile": "demo", "min_segment_size_demo": 10**9}
    fixture_vars = {"raw_dir": str(fixture), "spark_date_partitions": True}
    fixture_vars |= {"schema_suffix": FIXTURE_SUFFIX, "raw_schema": "raw" + FIXTURE_SUFFIX}
    return [
        {"refresh": {"raw_dir": str(demo_raw_dir), "dbt_vars": demo_vars, "build": list(DEV_BUILD)}},
        {"dbt": ["run", "--select", RERUN_SEGMENT, "--vars", json.dumps(published_vars)]},
        {
            "queries": compared
            | {
                "history_partitions": "show partitions marts$RUN.fct_segment_membership_history",
                "history_counts": "select model_name, count(*) from marts.fct_segment_membership_history group by model_name",
                "history_runs": "select count(distinct run_id) from marts.segment_quality_history",
            }
            | {f"before.{name}": sql for name, sql in PUBLISHED_STATE.items()}
        },
        {"views_of_published": FAILING_RUN},
        {"dbt": ["run", "--select", "segment_quality", "--vars", json.dumps(failing_vars)]},
        {"audit_and_publish": {"run": FAILING_RUN, "variables": failing_vars}},
        {"queries": {f"after.{name}": sql for name, sql in PUBLISHED_STATE.items()}},
        {
            "dbt": [
                "build", "--select", fixture_selection, "--resource-type", "seed", "--resource-type", "model",
                "--vars", json.dumps(fixture_vars),
            ]
        },
        {"queries": fixture_queries},
    ]


@pytest.fixture(scope="module")
def malformed_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The contract fixture with malformed CSV lines (fixture_with_malformed_lines)."""
    return fixture_with_malformed_lines(tmp_path_factory.mktemp("malformed"))


@pytest.fixture(scope="module")
def fixture_warehouse(build_warehouse: Callable[..., Path], malformed_fixture: Path) -> Path:
    """Staging of the malformed fixture on DuckDB, what Spark's must equal."""
    return build_warehouse(malformed_fixture, "malformed_fixture", select="+staging")


@pytest.fixture(scope="module")
def spark_run(
    demo_warehouse: Path,
    fixture_warehouse: Path,
    demo_raw_dir: Path,
    malformed_fixture: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, object]:
    """The output of tests/spark_build.py over spark_steps (see the module docstring)."""
    engine_binary("spark", "java")
    workdir = tmp_path_factory.mktemp("spark")
    steps, out = workdir / "steps.json", workdir / "out.json"
    steps.write_text(json.dumps(spark_steps(demo_warehouse, fixture_warehouse, demo_raw_dir, malformed_fixture)))
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
    for command in [command for run in result["publish"] for command in run["dbt"]] + result["dbt"]:
        print(f"  dbt {' '.join(command['args'][:2])}: {len(command['nodes'])} nodes, {command['seconds']}s")
    return result


def failed_nodes(command: dict[str, object]) -> list[str]:
    return [
        f"{unique_id}: {status} {message}"
        for unique_id, (status, message) in command["nodes"].items()
        if status not in ("success", "pass", "no-op")  # exposures are no-ops
    ]


def test_spark_builds_and_tests_every_node(spark_run: dict[str, object]) -> None:
    """The Spark refresh's `dbt build` ran every seed, model (contracts enforced), data
    test and unit test of the project, and each one passed."""
    refresh = spark_run["publish"][0]
    builds = [command for command in refresh["dbt"] if command["args"][0] == "build"]
    assert len(builds) == 2, refresh["message"]
    assert all(build["error"] is None for build in builds), [build["error"] for build in builds]
    failed = [line for build in builds for line in failed_nodes(build)]
    assert not failed, "failed on spark:\n" + "\n".join(failed)
    manifest = spark_run["manifest"]
    kinds = ("model", "seed", "snapshot", "test", "unit_test")
    expected = {
        unique_id for unique_id, node in manifest["nodes"].items() if node["resource_type"] in kinds
    } | set(manifest["unit_tests"])
    built = [unique_id for build in builds for unique_id in build["nodes"] if unique_id.split(".")[0] in kinds]
    assert sorted(built) == sorted(expected), sorted(expected ^ set(built))[:20]
    counts = {kind: sum(unique_id.startswith(kind + ".") for unique_id in built) for kind in kinds}
    assert counts["model"] >= 90 and counts["seed"] >= 1, counts
    assert counts["test"] >= 300 and counts["unit_test"] >= 50, counts
    contracted = [node for node in manifest["nodes"].values() if node["config"].get("contract", {}).get("enforced")]
    assert len(contracted) >= 30


def test_spark_refresh_publishes_the_audited_run(spark_run: dict[str, object]) -> None:
    """The refresh passed the gates, recorded its quality rows and switched the published
    views to its run's databases."""
    refresh = spark_run["publish"][0]
    assert refresh["published"] and refresh["run"].startswith(RUN_MARK), refresh["message"]
    assert "0 error-level" in refresh["message"]
    assert [command["args"][:2] for command in refresh["dbt"]] == [
        ["run-operation", "spark_prepare_run"], ["build", "--fail-fast"], ["build", "--fail-fast"],
        ["run-operation", "record_segment_quality"], ["run-operation", "spark_publish_run"],
    ]
    assert rows_read(spark_run, "before.run") == [("saas_segments.run", refresh["run"])]
    assert rows_read(spark_run, "history_runs") == [(1,)]


def test_spark_failed_gate_leaves_the_published_run(spark_run: dict[str, object]) -> None:
    """A run whose gate fails (no segment reaches the minimum size) is not published: its
    databases are dropped and the published views, their run and their rows are unchanged."""
    segment_quality = spark_run["dbt"][1]
    assert segment_quality["success"] and not failed_nodes(segment_quality), segment_quality["error"]
    failing = spark_run["publish"][1]
    assert failing["published"] is False and failing["run"] == FAILING_RUN
    assert "ERROR measurable" in failing["message"] and "publish blocked" in failing["message"], failing["message"]
    assert [command["args"][:2] for command in failing["dbt"]] == [["run-operation", "spark_drop_run"]]
    for name in PUBLISHED_STATE:
        assert rows_read(spark_run, f"after.{name}") == rows_read(spark_run, f"before.{name}"), name
    assert rows_read(spark_run, "after.run") == [("saas_segments.run", spark_run["publish"][0]["run"])]
    quality = rows_read(spark_run, "after.quality")
    assert len(quality) > 20 and {row[2] for row in quality} <= {5, None} and any(row[2] == 5 for row in quality)
    databases = [row[0] for row in rows_read(spark_run, "after.databases")]
    assert not [name for name in databases if name.endswith(FAILING_RUN)], databases
    assert f"marts{spark_run['publish'][0]['run']}" in databases


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
    assert spark_run["dbt"][0]["error"] is None and not failed_nodes(spark_run["dbt"][0])
    (as_of,) = query(demo_warehouse, "select cast(as_of_date as varchar) from intermediate.int_as_of_date")[0]
    duck = dict(query(demo_warehouse, "select model_name, count(*) from marts.fct_segment_membership_history group by 1"))
    partitions = sorted(row[0] for row in rows_read(spark_run, "history_partitions"))
    assert partitions == sorted(f"model_name={name}/as_of_date={as_of}" for name in duck)
    assert dict(rows_read(spark_run, "history_counts")) == duck
    assert duck[RERUN_SEGMENT] > 0


def test_spark_date_partitions_on_the_fixture(fixture_warehouse: Path, spark_run: dict[str, object]) -> None:
    """With date partitions on, the event models hold one partition per UTC day of the
    staged events, and staging (staged, quarantined, collapsed rows and malformed CSV
    lines) equals DuckDB's."""
    fixture_run = spark_run["dbt"][2]
    assert fixture_run["error"] is None and not failed_nodes(fixture_run), failed_nodes(fixture_run)
    days = [row[0] for row in query(fixture_warehouse, "select distinct cast(event_date as varchar) from staging.stg_app__events order by 1")]
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
    events = query(fixture_warehouse, events_with_ids())
    assert len(events) > 10 and all(row[0] and row[1] for row in events), events
    duck_tables = {"stg_app__events": (list(EVENT_WITH_IDS_COLUMNS), events)}
    for table in ["stg_app__events", *FIXTURE_COMPARED]:
        columns, duck = duck_tables.get(table) or duckdb_table(fixture_warehouse, "staging", table)
        spark = rows_read(spark_run, f"fixture.{table}")
        difference = describe_difference(f"staging.{table}", normalized_rows(duck), normalized_rows(spark), columns, "spark")
        if difference:
            differences.append(difference)
    assert not differences, "spark and duckdb stage the fixture differently:\n" + "\n".join(differences)


def test_spark_quarantines_malformed_csv_lines(spark_run: dict[str, object]) -> None:
    """Each CSV line Spark's reader cannot parse is left out of the raw table and
    quarantined with its file, line number and DuckDB's rule, and the load audit counts it."""
    expected = [("support_tickets.csv", line, rule, text) for line, rule, text in malformed_tickets()]
    assert rows_read(spark_run, "fixture.malformed") == expected
    assert rows_read(spark_run, "fixture.malformed_rows") == [("support_tickets", len(expected))]
