"""``dagster dev`` for real (UI, GraphQL, a Chromium screenshot) and Postgres instance storage."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from dagster import DagsterInstance, asset, materialize, mem_io_manager

from orchestration.instance import PG_URL_ENV, write_instance
from saas_segments import pg_load
from saas_segments.project import PROJECT_DIR

ARTIFACTS = PROJECT_DIR / "test-artifacts"
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


def _chromium() -> str | None:
    """The Chromium binary, installed with apt-get when missing (None when that is impossible)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found or not shutil.which("apt-get"):
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, capture_output=True, check=False)
    return shutil.which("chromium")


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


def test_asset_graph_screenshot(dagster_dev: int, tmp_path: Path) -> None:
    """Headless Chromium renders the asset graph; the screenshot is kept under test-artifacts/."""
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium is not installed and apt-get cannot install it; screenshot skipped")
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "dagster-asset-graph.png"
    screenshot.unlink(missing_ok=True)
    subprocess.run(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium'}", f"--screenshot={screenshot}", "--window-size=1600,1000",
            "--virtual-time-budget=20000", f"http://127.0.0.1:{dagster_dev}/asset-groups",
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert screenshot.is_file() and screenshot.stat().st_size > 20_000


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
