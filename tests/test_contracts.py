"""Every mart has an enforced contract with type names both engines accept.

The builds on DuckDB (tests/conftest.py) and PostgreSQL (tests/test_postgres.py)
prove the declared types match what each engine computes; this checks, from the
parsed manifest, that no mart goes without a contract.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from saas_segments.project import dbt

#: Type names valid on DuckDB and PostgreSQL alike.
PORTABLE_TYPE = re.compile(r"^(text|integer|bigint|double precision|float|decimal\(\d+, \d+\)|date|timestamp|boolean)$")


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    target = tmp_path_factory.mktemp("contracts") / "target"
    dbt(["parse"], target_path=target)
    manifest = json.loads((target / "manifest.json").read_text())
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
