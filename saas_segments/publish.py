"""Write-audit-publish of the warehouse file.

A refresh never opens the published file read-write: it copies it to a candidate
(``<dir>/.candidate/<run>/<same file name>``, so DuckDB's database name, which
dbt-duckdb writes into view definitions, stays the same), builds and tests the
candidate with dbt, runs the GX checkpoint on it, and only when no error-level
check failed records the run's quality rows in the candidate and renames it onto
the published path (``os.replace``: atomic on one filesystem). Readers keep reading
the old file until they reconnect. One refresh per warehouse runs at a time (a lock
file). Each candidate folder holds a lease naming its owner process: a refresh
removes the candidates of runs that are gone (a killed refresh's; its dbt process
dies with it, see :func:`saas_segments.project.die_with_parent`) and never one whose
owner still runs (or, for a run made of several processes, whose grace period has
not expired). Whether the build is incremental follows :mod:`saas_segments.raw_state`;
what an incremental build runs, :mod:`saas_segments.refresh_scope`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from saas_segments.audit import Audit, audit
from saas_segments.project import DbtError, dbt_steps, file_lock
from saas_segments.raw_state import BuildPlan, plan, plan_from_json, record
from saas_segments.refresh_scope import forget_inputs, raw_inputs, record_inputs, unchanged_tables

CANDIDATE_DIR = ".candidate"
LEASE_FILE = "lease.json"
LEASE_RENEW_SECONDS = 10
PLAN_FILE = "plan.json"
QUALITY_MODEL = "segment_quality"
# segment_quality and the models that read it (the report's quality views): built last
QUALITY_SELECTION = f"{QUALITY_MODEL}+"
# A refresh builds models and runs their data tests. Unit tests check rule logic on
# fixed inputs, not the data, so they run in CI (`make test`) and not on every refresh.
REFRESH_BUILD = ("build", "--fail-fast", "--exclude-resource-type", "unit_test")
# A development build (and `make test`'s) runs the unit tests as well.
DEV_BUILD = ("build", "--fail-fast")
# A refresh on a published warehouse rewrites the event models' lookback window only;
# their data tests then check those days (macros/incremental/refresh_window_tests.sql).
REFRESH_WINDOW_TESTS = {"data_test_scope": "refresh_window"}


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did: ``published`` is true when the candidate replaced the warehouse."""

    published: bool
    warehouse: Path
    message: str
    audit: Audit | None = None


def demo_vars(raw_dir: Path) -> dict[str, object]:
    """``quality_profile: demo`` for a raw dir the generator wrote at demo scale."""
    manifest = raw_dir / "_truth" / "manifest.json"
    if manifest.is_file() and json.loads(manifest.read_text()).get("scale") == "demo":
        return {"quality_profile": "demo"}
    return {}


def refresh_vars(
    raw_dir: Path,
    as_of: str | None = None,
    dbt_vars: Mapping[str, object] | None = None,
    incremental: bool = False,
    restage: bool = False,
) -> dict[str, object]:
    """The dbt vars of a refresh: the demo profile if it applies, the refresh-window test
    scope if ``incremental`` (building on a published warehouse), ``restage_history`` if
    ``restage`` (every raw file staged again), ``as_of``, then ``dbt_vars``."""
    scope = {**(REFRESH_WINDOW_TESTS if incremental else {}), **({"restage_history": True} if restage else {})}
    return {**demo_vars(raw_dir), **scope, **({"as_of": as_of} if as_of else {}), **(dbt_vars or {})}


def refresh_lock(workdir: Path) -> AbstractContextManager[None]:
    """The warehouse's refresh lock: one refresh (CLI or Dagster run) at a time per warehouse."""
    return file_lock(workdir / "refresh.lock")


def process_start(pid: int) -> str | None:
    """The start time of process ``pid`` (``/proc/<pid>/stat``), ``None`` if there is no such live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return None if fields[0] in {"Z", "X"} else fields[19]


def write_lease(run_dir: Path, grace_seconds: float = 0) -> None:
    """Mark ``run_dir``'s candidate as owned by this process: alive while the process
    lives, and ``grace_seconds`` from now after it (a run made of several processes)."""
    lease = {"pid": os.getpid(), "start": process_start(os.getpid()), "until": time.time() + grace_seconds}
    scratch = run_dir / f"{LEASE_FILE}.{os.getpid()}"
    scratch.write_text(json.dumps(lease))
    os.replace(scratch, run_dir / LEASE_FILE)


@contextmanager
def lease(run_dir: Path, grace_seconds: float) -> Iterator[None]:
    """Hold ``run_dir``'s lease while the block runs (a step of a run made of several
    processes), renewing its grace period every few seconds; ends quietly if the block
    removed the folder (a published candidate)."""

    def renew() -> None:
        try:
            write_lease(run_dir, grace_seconds)
        except FileNotFoundError:
            done.set()

    def keep_renewing() -> None:
        while not done.wait(LEASE_RENEW_SECONDS):
            renew()

    done = threading.Event()
    renew()
    renewer = threading.Thread(target=keep_renewing, daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()
        renew()


def is_live(run_dir: Path) -> bool:
    """Whether the run owning ``run_dir`` still runs (see :func:`write_lease`); no lease: not live."""
    try:
        owner = json.loads((run_dir / LEASE_FILE).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return False
    return process_start(owner["pid"]) == owner["start"] or time.time() < owner["until"]


def remove_stale_candidates(workdir: Path) -> list[Path]:
    """Remove the candidate folders of runs that no longer run; returns them."""
    stale = [run_dir for run_dir in sorted(workdir.glob("run-*")) if not is_live(run_dir)]
    for run_dir in stale:
        shutil.rmtree(run_dir, ignore_errors=True)
    return stale


def stage_candidate(
    warehouse: Path,
    raw_dir: Path,
    workdir: Path,
    run_name: str | None = None,
    full_refresh: bool = False,
    grace_seconds: float = 0,
    restage: bool = False,
) -> tuple[Path, BuildPlan]:
    """Remove stale candidates, plan the build (:func:`saas_segments.raw_state.plan`) and
    stage a new candidate: a copy of the published file, or none when the build starts
    from an empty warehouse. The raw event files the build reads are recorded in it.

    The candidate's folder is ``run_name``, by default ``run-<random id>``; it holds the
    run's lease, its plan (``plan.json``) and its dbt artifacts (``target/``). The
    candidate keeps no record of the raw files its staging was built from until the
    build writes one (:func:`saas_segments.refresh_scope.record_inputs`).
    """
    remove_stale_candidates(workdir)
    candidate = workdir / (run_name or f"run-{uuid.uuid4().hex[:12]}") / warehouse.name
    candidate.parent.mkdir()
    write_lease(candidate.parent, grace_seconds)
    build = plan(warehouse, raw_dir, full_refresh, restage)
    if build.mode in {"restage", "full", "incremental"}:
        shutil.copyfile(warehouse, candidate)
    record(candidate, build)
    forget_inputs(candidate)
    (candidate.parent / PLAN_FILE).write_text(build.to_json())
    return candidate, build


def candidate_plan(candidate: Path) -> BuildPlan:
    """The plan a candidate was staged with."""
    return plan_from_json((candidate.parent / PLAN_FILE).read_text())


def publish(candidate: Path, warehouse: Path) -> None:
    """Rename the candidate onto the published path and make the rename durable."""
    if candidate.with_name(candidate.name + ".wal").exists():
        raise RuntimeError(f"{candidate} has an unmerged write-ahead log; not publishing it")
    os.replace(candidate, warehouse)
    directory = os.open(warehouse.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def publish_audited(candidate: Path, warehouse: Path, options: Mapping[str, object]) -> None:
    """Record the audited candidate's quality rows, publish it and remove its folder.

    ``options`` are the :func:`~saas_segments.project.dbt` keywords the candidate was built with
    (run through :func:`~saas_segments.project.dbt_steps`: the parse of the build is reused).
    """
    dbt_steps([["run-operation", "record_segment_quality"]], **options)  # type: ignore[arg-type]
    publish(candidate, warehouse)
    shutil.rmtree(candidate.parent)


def say(line: str) -> None:
    """Print one progress line on stderr."""
    print(line, file=sys.stderr, flush=True)


def build_steps(build: BuildPlan, command: tuple[str, ...] = REFRESH_BUILD) -> list[list[str]]:
    """The dbt commands of a build: every model and test but ``segment_quality`` and what
    reads it, then those once every segment table exists (it reads all of them)."""
    full = ["--full-refresh"] if build.full_refresh else []
    return [[*command, *full, "--exclude", QUALITY_SELECTION], [*command, "--select", QUALITY_SELECTION]]


def run_build(
    build: BuildPlan,
    unchanged: tuple[str, ...],
    command: tuple[str, ...] = REFRESH_BUILD,
    **options: object,
) -> None:
    """Run :func:`build_steps` in one dbt process (one parse), leaving out the staging of
    the ``unchanged`` raw tables (:mod:`saas_segments.refresh_scope`; an incremental build
    and a full rebuild from the staged layer: ``build.keeps_unchanged_staging``). An
    incremental build runs the daily test subset, any other every test of what runs.
    ``options`` are :func:`~saas_segments.project.dbt_steps` keywords."""
    dbt_steps(
        build_steps(build, command),
        unchanged_tables=unchanged if build.keeps_unchanged_staging else (),
        daily_tests=build.incremental,
        **options,  # type: ignore[arg-type]
    )


def refresh(
    raw_dir: Path,
    warehouse: Path,
    as_of: str | None = None,
    dbt_vars: Mapping[str, object] | None = None,
    full_refresh: bool = False,
    progress: Callable[[str], None] = say,
    restage: bool = False,
) -> RefreshResult:
    """Build ``raw_dir`` into a candidate of ``warehouse``, audit it, publish it if it passes.

    dbt test failures and error-level GX failures block the publish; the published file
    is then left exactly as it was. The event models are incremental (the lookback
    window only) when the warehouse was built from the same raw dir and its event files
    seen then are unchanged; otherwise the build says why (``progress``) and rebuilds them
    in full, or starts from an empty warehouse for another raw dir
    (:func:`saas_segments.raw_state.plan`). ``full_refresh`` forces the full rebuild,
    ``restage`` that and a restage of every raw file.
    """
    raw_dir, warehouse = Path(raw_dir).resolve(), Path(warehouse).resolve()
    workdir = warehouse.parent / CANDIDATE_DIR
    workdir.mkdir(parents=True, exist_ok=True)
    with refresh_lock(workdir):
        candidate, build = stage_candidate(warehouse, raw_dir, workdir, full_refresh=full_refresh, restage=restage)
        progress(build.reason)
        variables = refresh_vars(raw_dir, as_of, dbt_vars, incremental=build.incremental, restage=build.restage)
        options = {"raw_dir": raw_dir, "warehouse": candidate, "dbt_vars": variables, "target_path": candidate.parent / "target"}
        inputs = raw_inputs(raw_dir, build.versions)
        unchanged = unchanged_tables(warehouse, inputs, variables) if build.keeps_unchanged_staging else ()
        record_inputs(candidate, inputs, variables)
        try:
            run_build(build, unchanged, **options)
        except DbtError as error:
            shutil.rmtree(candidate.parent)
            return RefreshResult(False, warehouse, f"publish blocked, {warehouse} unchanged: the dbt build failed\n{error}")
        result = audit(candidate, run_name=candidate.parent.name)
        if not result.passed:
            shutil.rmtree(candidate.parent)
            return RefreshResult(
                False, warehouse, f"publish blocked, {warehouse} unchanged\n{result.summary()}", result
            )
        publish_audited(candidate, warehouse, options)
        return RefreshResult(True, warehouse, f"published {warehouse} (run {result.run_id})\n{result.summary()}", result)


def dev_target(warehouse: Path) -> Path:
    """The dbt target dir of a development build into ``warehouse`` (next to it)."""
    return Path(warehouse).parent / f"target-{Path(warehouse).stem}"


def build_dev(
    raw_dir: Path,
    warehouse: Path,
    as_of: str | None = None,
    dbt_vars: Mapping[str, object] | None = None,
    full_refresh: bool = False,
    progress: Callable[[str], None] = say,
    command: tuple[str, ...] = DEV_BUILD,
    restage: bool = False,
) -> Path:
    """Development build: ``dbt build`` (unit tests included; ``command`` REFRESH_BUILD
    leaves them out) in place into ``warehouse``, with no quality gates and no publish.
    Refuses a published warehouse (one with a candidate folder next to it): development
    builds go to a separate file. Returns the dbt target dir.

    Incremental state is handled as in :func:`refresh`. Raises :class:`DbtError` if dbt fails.
    """
    raw_dir, warehouse = Path(raw_dir).resolve(), Path(warehouse).resolve()
    if (warehouse.parent / CANDIDATE_DIR).exists():
        raise ValueError(f"{warehouse} is a published warehouse; development builds go to a separate file")
    build = plan(warehouse, raw_dir, full_refresh, restage)
    progress(build.reason)
    variables = refresh_vars(raw_dir, as_of, dbt_vars, incremental=build.incremental, restage=build.restage)
    inputs = raw_inputs(raw_dir, build.versions)
    unchanged = unchanged_tables(warehouse, inputs, variables) if build.keeps_unchanged_staging else ()
    if build.mode == "empty":
        warehouse.unlink()
        warehouse.with_name(warehouse.name + ".wal").unlink(missing_ok=True)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    target = dev_target(warehouse)
    run_build(build, unchanged, command, raw_dir=raw_dir, warehouse=warehouse, dbt_vars=variables, target_path=target)
    record(warehouse, build)
    record_inputs(warehouse, inputs, variables)
    progress(f"development build (no quality gates, not published): {warehouse}")
    return target
