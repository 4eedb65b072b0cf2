"""Resources: the dbt CLI, the warehouse being refreshed, and where run-failure alerts go."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from pydantic import Field

from orchestration.dbt_project import DBT_PROJECT
from orchestration.instance import dagster_home
from saas_segments.project import DEFAULT_RAW_DIR, DEFAULT_WAREHOUSE, PARENT_PID_ENV, dbt_env
from saas_segments.publish import CANDIDATE_DIR, candidate_plan, refresh_lock, refresh_vars, stage_candidate
from saas_segments.raw_state import BuildPlan

# A run's steps are separate processes: its candidate stays leased this long after a
# step ends, for the next step to start (a step renews it while it runs).
RUN_LEASE_GRACE_SECONDS = 600


class WarehouseResource(ConfigurableResource):
    """The raw dir and the published warehouse file of the refresh, and its per-run candidate.

    A run builds into ``<warehouse dir>/.candidate/run-<run id>/<file name>``, the same
    layout the CLI refresh uses, so either removes the other's stale candidates.
    """

    raw_dir: str | None = Field(default=None, description="raw dir; default SAAS_RAW_DIR, else the demo data")
    warehouse: str | None = Field(default=None, description="published file; default SAAS_DUCKDB_PATH, else warehouse/")
    dbt_vars: dict[str, Any] = Field(default={}, description="extra dbt vars, e.g. spike_gate_severity")

    @property
    def raw_path(self) -> Path:
        """The raw dir, absolute."""
        return Path(self.raw_dir or os.environ.get("SAAS_RAW_DIR") or DEFAULT_RAW_DIR).resolve()

    @property
    def warehouse_path(self) -> Path:
        """The published warehouse file, absolute."""
        return Path(self.warehouse or os.environ.get("SAAS_DUCKDB_PATH") or DEFAULT_WAREHOUSE).resolve()

    @property
    def workdir(self) -> Path:
        """Where candidates, the refresh lock and dbt artifacts live."""
        return self.warehouse_path.parent / CANDIDATE_DIR

    def candidate(self, run_id: str) -> Path:
        """The candidate file of a run."""
        return self.workdir / f"run-{run_id}" / self.warehouse_path.name

    def stage(self, run_id: str) -> tuple[Path, BuildPlan]:
        """The run's candidate and its build plan, staged on first use as the CLI refresh does
        (:func:`saas_segments.publish.stage_candidate`)."""
        candidate = self.candidate(run_id)
        if not candidate.parent.exists():
            self.workdir.mkdir(parents=True, exist_ok=True)
            with refresh_lock(self.workdir):
                stage_candidate(
                    self.warehouse_path,
                    self.raw_path,
                    self.workdir,
                    run_name=candidate.parent.name,
                    grace_seconds=RUN_LEASE_GRACE_SECONDS,
                )
        return candidate, candidate_plan(candidate)

    def vars(self, run_id: str, as_of: str | None) -> dict[str, object]:
        """dbt vars for a run's partition, as the CLI refresh computes them."""
        build = candidate_plan(self.candidate(run_id))
        return refresh_vars(self.raw_path, as_of, self.dbt_vars, incremental=build.incremental, restage=build.restage)

    def dbt_env(self, candidate: Path) -> dict[str, str]:
        """Environment that points dbt at the raw dir and the candidate (:func:`saas_segments.project.dbt_env`),
        and ties the dbt process to this one (it is killed with it, see ``saas-segments-dbt``)."""
        return {**dbt_env(self.raw_path, candidate), PARENT_PID_ENV: str(os.getpid())}

    def dbt_options(self, run_id: str, as_of: str | None) -> dict[str, object]:
        """:func:`saas_segments.project.dbt` keywords for the run's candidate."""
        return {
            "raw_dir": self.raw_path,
            "warehouse": self.candidate(run_id),
            "dbt_vars": self.vars(run_id, as_of),
            "target_path": self.candidate(run_id).parent / "target",
        }


class AlertSink(ConfigurableResource):
    """Appends alerts as JSON lines to a file (default ``<DAGSTER_HOME>/alerts.jsonl``).

    Swap in another resource with the same ``send`` method to alert elsewhere.
    """

    path: str | None = Field(default=None, description="JSON-lines file; default <DAGSTER_HOME>/alerts.jsonl")

    def send(self, alert: dict[str, Any]) -> None:
        """Record one alert, stamped with the current UTC time."""
        target = Path(self.path) if self.path else dagster_home() / "alerts.jsonl"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a") as handle:
            handle.write(json.dumps({"at": datetime.now(timezone.utc).isoformat(), **alert}) + "\n")


def resources() -> dict[str, object]:
    """The resources every definition uses."""
    return {
        # dbt through the launcher that kills it with the step process (as the CLI refresh's)
        "dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=str(Path(sys.executable).parent / "saas-segments-dbt")),
        "warehouse": WarehouseResource(),
        "alerts": AlertSink(),
    }
