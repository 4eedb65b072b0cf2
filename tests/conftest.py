"""Shared fixtures: warehouses built by dbt on raw dirs, once per test session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

import subprocess
import sys

from saas_segments.project import PROJECT_DIR, dbt

FIXTURES = PROJECT_DIR / "tests" / "fixtures"
CONTRACT_FIXTURE = FIXTURES / "raw_contract"


def query(warehouse: Path, sql: str) -> list[tuple]:
    """All rows of one query on a warehouse file, opened read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.sql(sql).fetchall()


@pytest.fixture(scope="session")
def build_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Build the whole project on a raw dir into a fresh DuckDB file; returns the file."""

    def build(raw_dir: Path, name: str, dbt_vars: dict[str, object] | None = None, select: str | None = None) -> Path:
        workdir = tmp_path_factory.mktemp(name)
        warehouse = workdir / "warehouse.duckdb"
        args = ["build", "--fail-fast"] + (["--select", select] if select else [])
        dbt(args, raw_dir=raw_dir, warehouse=warehouse, dbt_vars=dbt_vars, target_path=workdir / "target")
        return warehouse

    return build


@pytest.fixture(scope="session")
def contract_warehouse(build_warehouse: Callable[..., Path]) -> Iterator[Path]:
    """The hand-written contract fixture (one bad row of every kind), staging built."""
    yield build_warehouse(CONTRACT_FIXTURE, "contract", select="+staging")


def generate(out: Path, scale: str = "demo", seed: int = 42, *options: str) -> Path:
    """Run the data generator into ``out`` and return it."""
    subprocess.run(
        [sys.executable, "-m", "saas_segments.generator", "--scale", scale, "--seed", str(seed), "--out", str(out), *options],
        check=True,
        capture_output=True,
        text=True,
    )
    return out


@pytest.fixture(scope="session")
def demo_raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo-scale generated raw data (seed 42) with its truth files."""
    return generate(tmp_path_factory.mktemp("demo") / "raw")


@pytest.fixture(scope="session")
def demo_warehouse(build_warehouse: Callable[..., Path], demo_raw_dir: Path) -> Path:
    """The whole project built on the demo data, as of its last day."""
    return build_warehouse(demo_raw_dir, "demo_build")
