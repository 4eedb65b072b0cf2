"""Every mart has an enforced contract with type names both engines accept.

The builds on DuckDB (tests/conftest.py) and PostgreSQL (tests/test_postgres.py)
prove the declared types match what each engine computes; this checks, from the
parsed manifest, that no mart goes without a contract, and that a not_null constraint
the engine enforces stands in for the not_null test of its column.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import copy_project, query
from saas_segments.project import DbtError, dbt

#: Type names valid on DuckDB and PostgreSQL alike.
PORTABLE_TYPE = re.compile(r"^(text|integer|bigint|double precision|float|decimal\(\d+, \d+\)|date|timestamp|boolean)$")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The parsed project's manifest, every node in it."""
    target = tmp_path_factory.mktemp("contracts") / "target"
    dbt(["parse"], target_path=target)
    return json.loads((target / "manifest.json").read_text())


@pytest.fixture(scope="module")
def marts(manifest: dict) -> list[dict]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and Path(node["original_file_path"]).parts[:2] == ("models", "marts")
    ]


def test_every_mart_enforces_a_contract(marts: list[dict]) -> None:
    assert len(marts) >= 40
    missing = sorted(node["name"] for node in marts if not node["config"]["contract"]["enforced"])
    assert not missing, f"marts without an enforced contract: {missing}"


def test_contract_types_are_portable(marts: list[dict]) -> None:
    bad = [
        f"{node['name']}.{column['name']}: {column.get('data_type')!r}"
        for node in marts
        for column in node["columns"].values()
        if not PORTABLE_TYPE.match(str(column.get("data_type") or ""))
    ]
    assert not bad, "columns without a portable data_type:\n" + "\n".join(bad)


def test_table_keys_are_not_null_constraints(marts: list[dict]) -> None:
    """Segment tables constrain their entity key; views carry no constraints."""
    missing = []
    for node in marts:
        if not node["name"].startswith("seg_") or node["config"]["materialized"] != "table":
            continue
        grain = node["config"]["meta"]["segment"]["grain"]
        key = node["columns"].get(f"{grain}_id")
        if key is None or {"type": "not_null"} not in [{"type": c["type"]} for c in key["constraints"]]:
            missing.append(node["name"])
    assert not missing, f"segment tables without a not_null constraint on their key: {missing}"


def test_enforced_not_null_constraints_stand_in_for_their_not_null_tests(
    manifest: dict, demo_warehouse: Path, demo_raw_dir: Path, tmp_path: Path
) -> None:
    """On DuckDB the not_null tests of dim_accounts, whose columns all have an enforced
    not_null constraint, are left out of a build (saas_segments.dbt_steps); the table
    holds each constraint, a not_null test of an unconstrained column still runs, and a
    dim_accounts that writes a null fails its run (a run: the unit test of the rule
    would fail first in a build)."""
    warehouse = tmp_path / demo_warehouse.name
    shutil.copyfile(demo_warehouse, warehouse)
    target = tmp_path / "target"
    dbt(["build", "--select", "dim_accounts", "int_accounts_as_of"], raw_dir=demo_raw_dir, warehouse=warehouse, target_path=target)
    not_null = {
        unique_id: (node["attached_node"].split(".")[-1], node["column_name"])
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and node.get("test_metadata", {}).get("name") == "not_null"
        and node["attached_node"] in ("model.saas_segments.dim_accounts", "model.saas_segments.int_accounts_as_of")
    }
    ran = {result["unique_id"] for result in json.loads((target / "run_results.json").read_text())["results"]}
    constrained = {
        column
        for (column,) in query(
            warehouse,
            "select unnest(constraint_column_names) from duckdb_constraints()"
            " where schema_name = 'marts' and table_name = 'dim_accounts' and constraint_type = 'NOT NULL'",
        )
    }
    left_out = {columns for unique_id, columns in not_null.items() if unique_id not in ran}
    assert len(left_out) >= 15 and {model for model, _ in left_out} == {"dim_accounts"}
    assert {column for _, column in left_out} <= constrained
    assert {columns for unique_id, columns in not_null.items() if unique_id in ran} == {("int_accounts_as_of", "account_id")}
    assert "model.saas_segments.dim_accounts" in ran

    project = copy_project(tmp_path)
    model = project / "models" / "marts" / "dim_accounts.sql"
    sql = model.read_text()
    prospect = "        else 'prospect'\n    end as lifecycle_stage,"
    assert sql.count(prospect) == 1 and query(warehouse, "select count(*) from marts.dim_accounts where lifecycle_stage = 'prospect'")[0][0] > 0
    model.write_text(sql.replace(prospect, "        else null\n    end as lifecycle_stage,"))
    with pytest.raises(DbtError, match=r"(?i)not null constraint failed: dim_accounts\w*\.lifecycle_stage"):
        dbt(["run", "--select", "dim_accounts"], raw_dir=demo_raw_dir, warehouse=warehouse,
            target_path=tmp_path / "mutated", project_dir=project)
    assert query(warehouse, "select count(*) from marts.dim_accounts where lifecycle_stage is null") == [(0,)]
