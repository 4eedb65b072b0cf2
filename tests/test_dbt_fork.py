"""The test suite's forked dbt processes (tests/dbt_fork.py) behave as dbt processes do:
the same exit status and output, and none outlives the process that started it."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

import dbt_fork
from saas_segments import project
from saas_segments.project import dbt, dbt_steps
from saas_segments.publish import process_start
from test_publish import dbt_children


def test_a_forked_dbt_gives_the_exit_status_and_output_of_a_dbt_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that fails and one that succeeds, each run as a dbt process and forked:
    the same exit status, and dbt's own lines on stdout."""
    outcomes = {}
    for name, run in (("process", dbt_fork.ORIGINAL_RUN_PROCESS), ("forked", dbt_fork.run_process)):
        monkeypatch.setattr(project, "run_process", run)
        outcomes[name] = [
            (process.returncode, "no_such_macro" in process.stdout, "Running with dbt" in process.stdout)
            for process in (
                dbt(["run-operation", macro], warehouse=tmp_path / "w.duckdb", target_path=tmp_path / name, check=False)
                for macro in ("no_such_macro", "bit_set_capacity")
            )
        ]
    assert outcomes["forked"] == outcomes["process"] == [(1, True, True), (0, False, True)]


def test_a_forked_dbt_dies_with_its_server_and_the_next_command_starts_a_new_one(
    demo_raw_dir: Path, tmp_path: Path
) -> None:
    """The fork server killed while its child builds the demo: the child dies with it, the
    caller sees it killed, and the next command runs on a new server."""
    server = dbt_fork._live_server()
    outcome: dict[str, object] = {}

    def build() -> None:
        outcome["process"] = dbt_steps(
            [["build", "--select", "+int_user_engagement"]], raw_dir=demo_raw_dir,
            warehouse=tmp_path / "w.duckdb", target_path=tmp_path / "target", check=False,
        )

    builder = threading.Thread(target=build)
    builder.start()
    deadline = time.monotonic() + 60
    while not dbt_children(server.process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    (child,) = dbt_children(server.process.pid)
    time.sleep(1)
    os.kill(server.process.pid, signal.SIGKILL)
    builder.join(60)
    assert not builder.is_alive()
    assert outcome["process"].returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while process_start(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not process_start(child), "the forked dbt outlived its server"
    server.process.wait(10)
    again = dbt(["run-operation", "bit_set_capacity"], warehouse=tmp_path / "w2.duckdb", target_path=tmp_path / "t2")
    assert again.returncode == 0 and "Running with dbt" in again.stdout
    assert dbt_fork._live_server().process.pid != server.process.pid
