"""``dagster dev`` for real (GraphQL, pages rendered in headless Chromium) and Postgres instance storage."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg2
import pytest
from dagster import DagsterInstance, asset, materialize, mem_io_manager

from conftest import ARTIFACTS, render, text_of
from orchestration.dbt_project import DAILY
from orchestration.instance import PG_URL_ENV, write_instance
from saas_segments import pg_load
from saas_segments.project import PROJECT_DIR

LOCATION = "orchestration.definitions"
PG_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/dagster_test"
ASSETS_QUERY = """{ assetNodes { assetKey { path } groupName
  assetChecksOrError { ... on AssetChecks { checks { name blocking } } } } }"""


def _free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 240) -> None:
    """Poll ``url`` until it answers, failing if the server exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "dagster dev exited early"
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(2)
    pytest.fail(f"{url} did not answer within {timeout} s")


def _graphql(port: int, query: str) -> dict:
    """One GraphQL query on the webserver."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", json.dumps({"query": query}).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)["data"]


def _page_text(chromium: str, url: str, profile: Path, screenshot: Path, ready: Callable[[str], bool],
               window: str = "1600,1000", budget_ms: int = 20_000, attempts: int = 3) -> str:
    """The visible text of a webserver page once ``ready`` holds for it.

    The UI fills a page from GraphQL queries that a webserver busy beside other tests can
    answer after Chromium's time budget, so the page is rendered again (with twice the
    budget) until ``ready`` holds or the attempts run out; the last text is returned for
    the caller's assertions.
    """
    for attempt in range(attempts):
        text = text_of(render(chromium, url, profile, screenshot, window, budget_ms * 2**attempt))
        if ready(text):
            break
    return text


@pytest.fixture(scope="module")
def dagster_dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """``dagster dev`` on a free loopback port with a fresh DAGSTER_HOME; stopped by its process group."""
    home = write_instance(tmp_path_factory.mktemp("dagster_home"))
    port = _free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster"), "dev", "-m", "orchestration.definitions", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_DIR,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/server_info", process)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_dagster_dev_lists_every_segment_and_check(dagster_dev: int) -> None:
    """The webserver lists every segment model as an asset, the blocking GX gates and the dbt test checks."""
    nodes = _graphql(dagster_dev, ASSETS_QUERY)["assetNodes"]
    names = {node["assetKey"]["path"][-1]: node for node in nodes}
    segments = {path.stem for path in (PROJECT_DIR / "models" / "marts" / "segments").glob("seg_*.sql")}
    assert segments <= names.keys()
    assert all(names[segment]["groupName"].startswith("segments_") for segment in segments)
    checks = {node["assetKey"]["path"][-1]: node["assetChecksOrError"].get("checks", []) for node in nodes}
    gates = {check["name"]: check["blocking"] for check in checks["segment_quality"]}
    assert {f"gx_{c}": True for c in ("measurable", "accessible", "stable", "consistent")}.items() <= gates.items()
    assert all(checks[segment] for segment in segments), "a segment has no checks"
    assert "published_warehouse" in names and {"raw", "demo", "publish"} <= {node["groupName"] for node in nodes}


def test_asset_graph_shows_the_segment_groups_and_their_assets(dagster_dev: int, chromium: str, tmp_path: Path) -> None:
    """Headless Chromium renders the global asset lineage (every group, the seven segment families) and the
    engagement group's graph (each of its segment assets); the screenshots are kept under test-artifacts/."""
    nodes = _graphql(dagster_dev, "{ assetNodes { assetKey { path } groupName } }")["assetNodes"]
    groups: dict[str, set[str]] = {}
    for node in nodes:
        groups.setdefault(node["groupName"], set()).add(node["assetKey"]["path"][-1])
    segment_groups = sorted(group for group in groups if group.startswith("segments_"))
    assert len(segment_groups) == 7 and len(groups["segments_engagement"]) == 7

    ARTIFACTS.mkdir(exist_ok=True)

    def lists_every_group(text: str) -> bool:
        listed = text.partition("Reload definitions")[2]
        return all(f"{group} {group}" in listed for group in groups)

    lineage = _page_text(chromium, f"http://127.0.0.1:{dagster_dev}/asset-groups", tmp_path / "lineage",
                         ARTIFACTS / "dagster-asset-graph.png", lists_every_group)
    assert lineage.startswith("Global asset lineage"), lineage[:500]
    assert lists_every_group(lineage), lineage[:1500]

    group_url = f"http://127.0.0.1:{dagster_dev}/locations/{LOCATION}/asset-groups/segments_engagement"
    graph = _page_text(chromium, group_url, tmp_path / "group",
                       ARTIFACTS / "dagster-asset-group-segments_engagement.png",
                       lambda text: set(re.findall(r"\bseg_\w+", text)) >= groups["segments_engagement"],
                       window="1600,3000")
    assert f"segments_engagement Asset Group in {LOCATION}" in graph, graph[:500]
    assert set(re.findall(r"\bseg_\w+", graph)) == groups["segments_engagement"]
    assert f"{len(DAILY.get_partition_keys())} partitions" in graph


def test_daily_refresh_job_page_shows_its_partitions(dagster_dev: int, chromium: str, tmp_path: Path) -> None:
    """The job's partitions page: every daily partition from the first to today's, none materialized yet."""
    keys = DAILY.get_partition_keys()
    ARTIFACTS.mkdir(exist_ok=True)
    page = _page_text(chromium, f"http://127.0.0.1:{dagster_dev}/locations/{LOCATION}/jobs/daily_refresh/partitions",
                      tmp_path / "chromium", ARTIFACTS / "dagster-daily-refresh-partitions.png",
                      lambda text: "Missing partitions" in text and "No backfills" in text, budget_ms=30_000)
    assert f"Jobs / daily_refresh Job in {LOCATION}" in page, page[:500]
    assert f"{len(keys)} Total partitions {len(keys)} Missing partitions {keys[0]} {keys[-1]}" in page, page[:1500]
    assert "No backfills for daily_refresh" in page


@pytest.fixture(scope="module")
def postgres_url(pg_server: None) -> str:
    """A fresh ``dagster_test`` database on the local server."""
    connection = psycopg2.connect(**pg_load.connection_params("postgres"), connect_timeout=5)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("drop database if exists dagster_test")
        cursor.execute("create database dagster_test")
    connection.close()
    return PG_URL


def test_postgres_instance_storage(postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With SAAS_DAGSTER_PG_URL set, the instance stores runs and asset events in Postgres."""

    @asset
    def probe() -> int:
        """A one-row asset, to record a run."""
        return 1

    monkeypatch.setenv(PG_URL_ENV, postgres_url)
    home = write_instance(tmp_path / "home")
    with DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        result = materialize([probe], instance=instance, resources={"io_manager": mem_io_manager})
        assert result.success
    with psycopg2.connect(postgres_url.replace("+psycopg2", "")) as connection, connection.cursor() as cursor:
        cursor.execute("select status from runs where run_id = %s", (result.run_id,))
        assert cursor.fetchone() == ("SUCCESS",)
