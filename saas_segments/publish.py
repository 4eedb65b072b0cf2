"""Write-audit-publish of the warehouse file.

A refresh never opens the published file read-write: it copies it to a candidate
(``<dir>/.candidate/<run>/<same file name>``, so DuckDB's database name, which
dbt-duckdb writes into view definitions, stays the same), builds and tests the
candidate with dbt, runs the GX checkpoint on it, and only when no error-level
check failed records the run's quality rows in the candidate and renames it onto
the published path (``os.replace``: atomic on one filesystem). Readers keep reading
the old file until they reconnect; a killed refresh leaves only a stale candidate,
removed by the next one. One refresh per warehouse runs at a time (a lock file).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from saas_segments.audit import Audit, audit
from saas_segments.project import DbtError, dbt, file_lock

CANDIDATE_DIR = ".candidate"
QUALITY_MODEL = "segment_quality"
# A refresh builds models and runs their data tests. Unit tests check rule logic on
# fixed inputs, not the data, so they run in CI (`make test`) and not on every refresh.
REFRESH_BUILD = ("build", "--fail-fast", "--exclude-resource-type", "unit_test")
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
) -> dict[str, object]:
    """The dbt vars of a refresh: the demo profile if it applies, the refresh-window test
    scope if ``incremental`` (building on a published warehouse), ``as_of``, then ``dbt_vars``."""
    scope = REFRESH_WINDOW_TESTS if incremental else {}
    return {**demo_vars(raw_dir), **scope, **({"as_of": as_of} if as_of else {}), **(dbt_vars or {})}


def refresh_lock(workdir: Path) -> AbstractContextManager[None]:
    """The warehouse's refresh lock: one refresh (CLI or Dagster run) at a time per warehouse."""
    return file_lock(workdir / "refresh.lock")


def stage_candidate(warehouse: Path, workdir: Path, run_name: str | None = None) -> Path:
    """Remove stale candidates and copy the published file (if any) to a new candidate.

    The candidate's folder is ``run_name``, by default ``run-<random id>``.
    """
    for stale in workdir.glob("run-*"):
        shutil.rmtree(stale, ignore_errors=True)
    candidate = workdir / (run_name or f"run-{uuid.uuid4().hex[:12]}") / warehouse.name
    candidate.parent.mkdir()
    if warehouse.exists():
        shutil.copyfile(warehouse, candidate)
    return candidate


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

    ``options`` are the :func:`~saas_segments.project.dbt` keywords the candidate was built with.
    """
    dbt(["run-operation", "record_segment_quality"], **options)
    publish(candidate, warehouse)
    shutil.rmtree(candidate.parent)


def refresh(
    raw_dir: Path,
    warehouse: Path,
    as_of: str | None = None,
    dbt_vars: Mapping[str, object] | None = None,
    full_refresh: bool = False,
) -> RefreshResult:
    """Build ``raw_dir`` into a candidate of ``warehouse``, audit it, publish it if it passes.

    ``segment_quality`` is built in a second step, once every segment table exists, so
    it reads all of them. dbt test failures and error-level GX failures block the
    publish; the published file is then left exactly as it was. The event models are
    incremental (the lookback window only); ``full_refresh`` rebuilds them from every
    raw row, for a raw dir whose history changed.
    """
    raw_dir, warehouse = Path(raw_dir).resolve(), Path(warehouse).resolve()
    workdir = warehouse.parent / CANDIDATE_DIR
    workdir.mkdir(parents=True, exist_ok=True)
    with refresh_lock(workdir):
        candidate = stage_candidate(warehouse, workdir)
        variables = refresh_vars(raw_dir, as_of, dbt_vars, incremental=candidate.exists() and not full_refresh)
        options = {"raw_dir": raw_dir, "warehouse": candidate, "dbt_vars": variables, "target_path": workdir / "target"}
        try:
            dbt([*REFRESH_BUILD, *(["--full-refresh"] if full_refresh else []), "--exclude", QUALITY_MODEL], **options)
            dbt([*REFRESH_BUILD, "--select", QUALITY_MODEL], **options)
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
