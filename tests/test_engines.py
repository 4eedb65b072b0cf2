"""The engines the suite needs: a test whose engine is missing fails (skips only when asked),
and tests/engines.sh installs or starts only what is missing."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from conftest import SKIP_ENGINES, engine_binary, ensure_postgres, skipped_engines
from saas_segments.project import PROJECT_DIR

BOOTSTRAP = PROJECT_DIR / "tests" / "engines.sh"


def executable(folder: Path, name: str, script: str = "exit 0") -> Path:
    """A shell script ``name`` in ``folder``."""
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return path


def test_missing_java_fails_the_spark_check_with_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(SKIP_ENGINES, raising=False)
    with pytest.raises(pytest.fail.Exception) as failed:
        engine_binary("spark", "java")
    assert str(failed.value) == (
        "spark engine missing: no `java` on PATH (Debian: apt-get install -y openjdk-17-jre-headless). "
        "Run tests/engines.sh (make test does) to install or start it, "
        "or set SAAS_SKIP_ENGINES=spark to skip its tests."
    )
    # naming another engine does not excuse this one
    monkeypatch.setenv(SKIP_ENGINES, "chromium,postgres")
    with pytest.raises(pytest.fail.Exception, match="spark engine missing"):
        engine_binary("spark", "java")


def test_missing_engine_skips_only_when_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv(SKIP_ENGINES, " spark , chromium")
    assert skipped_engines() == {"spark", "chromium"}
    with pytest.raises(pytest.skip.Exception, match="chromium engine missing: no `chromium` or `chromium-browser`"):
        engine_binary("chromium", "chromium", "chromium-browser")
    java = executable(tmp_path, "java")
    assert engine_binary("spark", "java") == str(java)


def test_unreachable_postgres_without_a_cluster_to_start_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("SAAS_PG_PORT", str(port))  # nothing listens there
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_ctlcluster
    monkeypatch.delenv(SKIP_ENGINES, raising=False)
    with pytest.raises(pytest.fail.Exception, match="postgres engine missing: no server reachable"):
        ensure_postgres()
    monkeypatch.setenv(SKIP_ENGINES, "postgres")
    with pytest.raises(pytest.skip.Exception, match=r"postgres engine missing"):
        ensure_postgres()


def test_unknown_engine_to_skip_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SKIP_ENGINES, "spark,chrome")
    with pytest.raises(pytest.UsageError, match=r"unknown engine\(s\) \['chrome'\]; known: chromium, spark, postgres"):
        skipped_engines()


@pytest.fixture
def tools(tmp_path: Path) -> Path:
    """A PATH with the bootstrap's tools, apt-get and PostgreSQL's faked: they log their calls to calls.log;
    pg_isready answers once pg_ctlcluster ran. No Chromium, Java or running server yet."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in ("env", "ls"):
        (folder / name).symlink_to(shutil.which(name))
    log = tmp_path / "calls.log"
    started = tmp_path / "started"
    executable(folder, "apt-get", f'echo "apt-get $*" >> {log}')
    executable(folder, "pg_ctlcluster", f'echo "pg_ctlcluster $*" >> {log}; : > {started}')
    executable(folder, "pg_isready", f"test -f {started}")
    return folder


def bootstrap(tools: Path, skip: str = "") -> list[str]:
    """Run tests/engines.sh on the ``tools`` PATH; the calls it made."""
    env = {"PATH": str(tools), "HOME": os.environ["HOME"], SKIP_ENGINES: skip}
    process = subprocess.run(["/bin/bash", str(BOOTSTRAP)], env=env, capture_output=True, text=True, check=False)
    assert process.returncode == 0, process.stderr
    log = tools.parent / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def test_bootstrap_installs_and_starts_only_what_is_missing(tools: Path) -> None:
    versions = sorted(path.name for path in Path("/etc/postgresql").iterdir())
    assert versions, "no PostgreSQL cluster in /etc/postgresql"
    assert bootstrap(tools) == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends chromium openjdk-17-jre-headless",
        *(f"pg_ctlcluster --skip-systemctl-redirect {version} main start" for version in versions),
    ]
    log = tools.parent / "calls.log"
    log.unlink()
    executable(tools, "chromium")
    assert bootstrap(tools, skip="spark") == [], "Java is missing but skipped; the server is up"
    assert bootstrap(tools) == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless",
    ]
    log.unlink()
    executable(tools, "java")
    assert bootstrap(tools) == [], "nothing missing: no apt-get update"
