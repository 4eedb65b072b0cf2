"""Where the dbt project lives and how to invoke dbt on it.

Every caller (Makefile, tests, orchestration) goes through :func:`dbt` so that the
project dir, profiles dir, raw dir and warehouse file are set the same way.
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import json
import os
import shutil
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
# dbt's parse of the project, kept across invocations whatever their target dir (see
# :func:`parse_cache`); dbt itself re-parses the files that changed since
PARSE_CACHE_DIR = Path(".cache") / "dbt-parse"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
#: dbt commands that run on a parsed manifest: :mod:`saas_segments.dbt_steps` runs them
#: after a parse against a fixed warehouse path (:func:`parse_warehouse`)
MANIFEST_COMMANDS = frozenset({"build", "run", "test", "seed", "compile", "run-operation", "show"})
#: dbt vars a run reads when it starts (macros/run_inputs.sql), and the environment
#: variable each is handed over in: on the command line a var is part of dbt's parse, so
#: each new value (a new day's as_of) would cost a parse from scratch
RUN_VARS = {"as_of": "SAAS_AS_OF"}


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
    guarantee as :func:`dbt`, since the death signal survives the ``exec``, and the same
    parse reuse: a command of :data:`MANIFEST_COMMANDS` runs through
    :mod:`saas_segments.dbt_steps` with the parse cache carried in and back (its target dir
    is DBT_TARGET_PATH, as dagster-dbt sets it).
    """
    parent = int(os.environ.get(PARENT_PID_ENV) or os.getppid())
    os.setpgid(0, 0)
    die_with_parent(parent)
    args = sys.argv[1:]
    if args and args[0] in MANIFEST_COMMANDS:
        command, given_vars = split_vars(args)
        dbt_vars, run_env = run_inputs(given_vars)
        os.environ.update(run_env)
        spec = write_steps_spec([command], dbt_vars, None, os.environ, PROJECT_DIR)
        from saas_segments.dbt_steps import main  # dbt's import is slow: only when it runs

        targets = PROJECT_DIR / os.environ.get("DBT_TARGET_PATH", "target")
        with carried_parse(PROJECT_DIR, os.environ, dbt_vars, targets):
            status = main([str(spec)])
        sys.exit(status)
    executable = str(dbt_executable())
    os.execv(executable, [executable, *args])


def run_inputs(
    dbt_vars: Mapping[str, object] | None, env: Mapping[str, str] | None = None
) -> tuple[dict[str, object] | None, dict[str, str]]:
    """``dbt_vars`` without the :data:`RUN_VARS`, and ``env`` with them added (as strings)."""
    given = dict(dbt_vars or {})
    moved = {RUN_VARS[name]: str(value) for name, value in given.items() if name in RUN_VARS and value is not None}
    kept = {name: value for name, value in given.items() if name not in RUN_VARS}
    return kept or None, {**(env or {}), **moved}


def split_vars(args: Sequence[str]) -> tuple[list[str], dict[str, object] | None]:
    """A dbt command's arguments without its ``--vars`` option (a JSON object), and those vars."""
    if "--vars" not in args:
        return list(args), None
    position = list(args).index("--vars")
    return [*args[:position], *args[position + 2 :]], json.loads(args[position + 1])


class DbtError(RuntimeError):
    """dbt exited non-zero; the message carries the tail of its output."""


def dbt_env(
    raw_dir: Path | None = None,
    warehouse: Path | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Environment for a dbt process on this project. dbt's file log (logs/dbt.log) keeps
    info events unless DBT_LOG_LEVEL_FILE says otherwise: at debug it formats and writes
    every SQL statement (a demo build: 12 % of the dbt process's profile samples)."""
    env = dict(os.environ)
    env.setdefault("DBT_LOG_LEVEL_FILE", "info")
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


def parse_cache(project_dir: Path, env: Mapping[str, str], dbt_vars: Mapping[str, object] | None) -> Path:
    """Where dbt's partial parse of ``project_dir`` is kept for invocations with these vars
    and this target, database and warehouse file name: dbt parses from scratch whenever
    the command-line vars or the connection settings differ from the saved parse's, so
    each such combination keeps its own. The raw dir is not part of it (the project reads
    it when a run starts), nor is the warehouse's folder (:func:`parse_warehouse`)."""
    warehouse_name = Path(env.get("SAAS_DUCKDB_PATH", "")).name
    key = json.dumps(
        [dict(dbt_vars or {}), env.get("SAAS_TARGET", ""), env.get("SAAS_PG_DATABASE", ""), warehouse_name],
        sort_keys=True,
        default=str,
    )
    return project_dir / PARSE_CACHE_DIR / hashlib.sha256(key.encode()).hexdigest()[:16] / PARTIAL_PARSE_FILE


def parse_warehouse(project_dir: Path, env: Mapping[str, str], dbt_vars: Mapping[str, object] | None) -> str | None:
    """The DuckDB path dbt parses against: one fixed path per parse-cache slot, with the
    warehouse's file name (the database's name). dbt's parse keeps a hash of the
    connection settings, the file's path among them, so a command on a file in any other
    folder (a refresh's candidate, a test's warehouse) reuses the slot's parse. None off
    DuckDB or without a warehouse file."""
    warehouse = env.get("SAAS_DUCKDB_PATH")
    if env.get("SAAS_TARGET", "duckdb") != "duckdb" or not warehouse or warehouse == ":memory:":
        return None
    return str(parse_cache(project_dir, env, dbt_vars).parent / "parse" / Path(warehouse).name)


@contextmanager
def carried_parse(
    project_dir: Path, env: Mapping[str, str], dbt_vars: Mapping[str, object] | None, targets: Path
) -> Iterator[None]:
    """Around a dbt run in the target dir ``targets``: the slot's parse (:func:`parse_cache`)
    copied in, and the run's parse copied back after it. The slot's replaces what the
    target dir holds: a run with other vars (a refresh's steps) may have left its own
    there, which dbt would throw away for a parse from scratch."""
    cache, parsed = parse_cache(project_dir, env, dbt_vars), targets / PARTIAL_PARSE_FILE
    keep_parse(cache, parsed)
    yield
    keep_parse(parsed, cache)


def keep_parse(source: Path, destination: Path) -> None:
    """Copy a partial parse file into place atomically (concurrent invocations may share it)."""
    if not source.is_file() or source.resolve() == destination.resolve():
        return
    destination.parent.mkdir(parents=True, exist_ok=True)
    scratch = destination.with_name(f"{destination.name}.{os.getpid()}")
    shutil.copyfile(source, scratch)
    os.replace(scratch, destination)


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
    write_json: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run one dbt command on the project and return the finished process.

    ``target_path`` keeps artifacts of parallel invocations apart; dbt's partial parse
    is carried into it and back (:func:`parse_cache`), so a new target dir does not
    mean a parse from scratch. ``project_dir`` points at a copy of the project. Without
    ``write_json`` dbt writes no manifest.json and run_results.json. With ``check`` a
    non-zero exit raises :class:`DbtError` with dbt's output.
    """
    json_option = [] if write_json else ["--no-write-json"]
    if args and args[0] in MANIFEST_COMMANDS:
        return dbt_steps(
            [[*args, *json_option]], raw_dir=raw_dir, warehouse=warehouse, dbt_vars=dbt_vars,
            target_path=target_path or Path("target"), env=env, project_dir=project_dir, check=check,
            results_per_step=False,
        )
    dbt_vars, env = run_inputs(dbt_vars, env)
    command = [str(dbt_executable()), *args, *dbt_options(dbt_vars, target_path), *json_option]
    return launch(command, " ".join(args), raw_dir, warehouse, dbt_vars, target_path, env, project_dir, check)


def dbt_steps(
    steps: Sequence[Sequence[str]],
    *,
    unchanged_tables: Sequence[str] = (),
    daily_tests: bool = False,
    raw_dir: Path | None = None,
    warehouse: Path | None = None,
    dbt_vars: Mapping[str, object] | None = None,
    target_path: Path,
    env: Mapping[str, str] | None = None,
    project_dir: Path = PROJECT_DIR,
    check: bool = True,
    results_per_step: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run dbt commands one after the other in one process that parses the project once
    (:mod:`saas_segments.dbt_steps`), leaving out the staging of ``unchanged_tables`` and,
    with ``daily_tests``, the tests a refresh skips (:mod:`saas_segments.refresh_scope`).
    Stops at the first command that fails (with ``check``, raising :class:`DbtError`);
    with ``results_per_step`` each command's results stay in ``target_path`` as
    ``run_results-<n>.json``."""
    project_dir = Path(project_dir).resolve()
    dbt_vars, env = run_inputs(dbt_vars, env)
    options = dbt_options(dbt_vars, target_path)
    spec = write_steps_spec(steps, dbt_vars, options, dbt_env(raw_dir, warehouse, env), project_dir,
                            unchanged_tables, daily_tests, results_per_step)
    command = [sys.executable, "-m", "saas_segments.dbt_steps", str(spec)]
    label = "; ".join(" ".join(step) for step in steps)
    return launch(command, label, raw_dir, warehouse, dbt_vars, target_path, env, project_dir, check)


def write_steps_spec(
    steps: Sequence[Sequence[str]],
    dbt_vars: Mapping[str, object] | None,
    common: Sequence[str] | None,
    env: Mapping[str, str],
    project_dir: Path,
    unchanged_tables: Sequence[str] = (),
    daily_tests: bool = False,
    results_per_step: bool = False,
) -> Path:
    """The spec of a :mod:`saas_segments.dbt_steps` run, written into its target dir:
    ``common`` defaults to the vars (the target dir then comes from DBT_TARGET_PATH)."""
    common = list(common) if common is not None else dbt_options(dbt_vars, None)
    position = common.index("--target-path") + 1 if "--target-path" in common else None
    target = Path(common[position]) if position else Path(env.get("DBT_TARGET_PATH", "target"))
    spec = project_dir / target / "steps.json"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(
        json.dumps(
            {
                "steps": [list(step) for step in steps],
                "common": common,
                "unchanged_tables": list(unchanged_tables),
                "daily_tests": daily_tests,
                "target_path": str(target),
                "results_per_step": results_per_step,
                "parse_warehouse": parse_warehouse(project_dir, env, dbt_vars),
            }
        )
    )
    return spec


def dbt_options(dbt_vars: Mapping[str, object] | None, target_path: Path | None) -> list[str]:
    """The ``--vars`` and ``--target-path`` options of a dbt command."""
    options = ["--vars", json.dumps(dict(dbt_vars))] if dbt_vars else []
    return options + (["--target-path", str(target_path)] if target_path is not None else [])


def run_process(command: list[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a dbt process to its end, its output captured: in its own process group (a
    terminal's signals go to the caller, which decides) and killed with the caller."""
    parent = os.getpid()
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        process_group=0,
        preexec_fn=lambda: die_with_parent(parent),
    )


def launch(
    command: list[str],
    label: str,
    raw_dir: Path | None,
    warehouse: Path | None,
    dbt_vars: Mapping[str, object] | None,
    target_path: Path | None,
    env: Mapping[str, str] | None,
    project_dir: Path,
    check: bool,
) -> subprocess.CompletedProcess[str]:
    """Run a dbt process on ``project_dir`` with the parse cache carried in and back."""
    project_dir = Path(project_dir).resolve()
    environment = {**dbt_env(raw_dir, warehouse, env), "DBT_PROJECT_DIR": str(project_dir), "DBT_PROFILES_DIR": str(project_dir)}
    targets = project_dir / (target_path if target_path is not None else "target")
    with carried_parse(project_dir, environment, dbt_vars, targets):
        process = run_process(command, project_dir, environment)
    if check and process.returncode != 0:
        raise DbtError(f"dbt {label} failed ({process.returncode}):\n{process.stdout[-6000:]}{process.stderr[-2000:]}")
    return process
