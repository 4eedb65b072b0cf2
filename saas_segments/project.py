"""Where the dbt project lives and how to invoke dbt on it.

Every caller (Makefile, tests, orchestration) goes through :func:`dbt` so that the
project dir, profiles dir, raw dir and warehouse file are set the same way.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = PROJECT_DIR / "warehouse" / "saas_segments.duckdb"
DEFAULT_RAW_DIR = PROJECT_DIR / "data" / "raw" / "demo"


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing; released by the OS if the process dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int) -> None:
    """In a child before ``exec``: be killed (SIGKILL) when the parent dies, and exit if it already has.

    A killed refresh then never leaves its dbt process writing into the candidate.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        os._exit(127)
    if os.getppid() != parent_pid:
        os._exit(1)


#: The process a dbt started through :func:`launch_dbt` dies with (default: its parent).
PARENT_PID_ENV = "SAAS_DBT_PARENT_PID"


def dbt_executable() -> Path:
    """The environment's ``dbt``."""
    return Path(sys.executable).parent / "dbt"


def launch_dbt() -> NoReturn:
    """Console script ``saas-segments-dbt``: ``dbt`` with the given arguments, in its own
    process group and killed with the process named in SAAS_DBT_PARENT_PID (else its parent).

    For callers that start dbt themselves (dagster-dbt's ``DbtCliResource``): the same
    guarantee as :func:`dbt`, since the death signal survives the ``exec``.
    """
    parent = int(os.environ.get(PARENT_PID_ENV) or os.getppid())
    os.setpgid(0, 0)
    die_with_parent(parent)
    executable = str(dbt_executable())
    os.execv(executable, [executable, *sys.argv[1:]])


class DbtError(RuntimeError):
    """dbt exited non-zero; the message carries the tail of its output."""


def dbt_env(
    raw_dir: Path | None = None,
    warehouse: Path | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Environment for a dbt process on this project."""
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        DBT_PROJECT_DIR=str(PROJECT_DIR),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
    )
    if raw_dir is not None:
        env["SAAS_RAW_DIR"] = str(Path(raw_dir).resolve())
    if warehouse is not None:
        env["SAAS_DUCKDB_PATH"] = str(Path(warehouse).resolve())
    env.update(extra or {})
    return env


def dbt(
    args: Sequence[str],
    *,
    raw_dir: Path | None = None,
    warehouse: Path | None = None,
    dbt_vars: Mapping[str, object] | None = None,
    target_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    project_dir: Path = PROJECT_DIR,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run one dbt command on the project and return the finished process.

    ``target_path`` keeps artifacts of parallel invocations apart; ``project_dir``
    points at a copy of the project. With ``check`` a non-zero exit raises
    :class:`DbtError` with dbt's output.
    """
    command = [str(dbt_executable()), *args]
    if dbt_vars:
        command += ["--vars", json.dumps(dict(dbt_vars))]
    if target_path is not None:
        command += ["--target-path", str(target_path)]
    parent = os.getpid()
    # its own process group (a terminal's signals go to the caller, which decides) and
    # killed with the caller
    process = subprocess.run(
        command,
        cwd=project_dir,
        env={**dbt_env(raw_dir, warehouse, env), "DBT_PROJECT_DIR": str(project_dir), "DBT_PROFILES_DIR": str(project_dir)},
        capture_output=True,
        text=True,
        check=False,
        process_group=0,
        preexec_fn=lambda: die_with_parent(parent),
    )
    if check and process.returncode != 0:
        raise DbtError(f"dbt {' '.join(args)} failed ({process.returncode}):\n{process.stdout[-6000:]}{process.stderr[-2000:]}")
    return process
