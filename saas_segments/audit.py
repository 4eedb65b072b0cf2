"""Audit a built warehouse: run the GX checkpoint over its ``segment_quality``.

The view is read through duckdb (read-only) into a pandas DataFrame and validated by
the committed checkpoint in ``expectations/`` (see :mod:`saas_segments.gx_gates`);
the checkpoint's action refreshes the Data Docs under
``expectations/uncommitted/data_docs/local_site/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from saas_segments.gx_gates import CHECKPOINT, EXPECTATIONS_DIR
from saas_segments.project import file_lock

QUALITY_RELATION = "marts.segment_quality"
DATA_DOCS = EXPECTATIONS_DIR / "uncommitted" / "data_docs" / "local_site" / "index.html"


@dataclass(frozen=True)
class GateFailure:
    """One failed expectation: its criterion and severity, and the segments it caught."""

    criterion: str
    severity: str
    expectation: str
    segments: tuple[tuple[str, str], ...]

    def lines(self) -> list[str]:
        """One line per caught segment (or one for a table-level expectation)."""
        head = f"{self.severity.upper()} {self.criterion}"
        if not self.segments:
            return [f"{head}: {self.expectation}"]
        return [f"{head}: {segment}: {reason}" for segment, reason in self.segments]


@dataclass(frozen=True)
class Audit:
    """The checkpoint's outcome: ``passed`` when no error-level expectation failed."""

    run_id: str
    evaluated: int
    failures: tuple[GateFailure, ...]
    data_docs: Path

    @property
    def errors(self) -> tuple[GateFailure, ...]:
        """Failed expectations that block publishing."""
        return tuple(failure for failure in self.failures if failure.severity == "error")

    @property
    def passed(self) -> bool:
        """No error-level expectation failed."""
        return not self.errors

    def summary(self) -> str:
        """What the checkpoint found, one failure per line, errors first."""
        failed = sorted(self.failures, key=lambda failure: (failure.severity != "error", failure.criterion))
        lines = dict.fromkeys(line for failure in failed for line in failure.lines())
        head = (
            f"GX checkpoint {CHECKPOINT}: {self.evaluated} expectations, {len(self.errors)} error-level and "
            f"{len(self.failures) - len(self.errors)} warn-level failed"
        )
        return "\n".join([head, *(f"  {line}" for line in lines), f"  Data Docs: {self.data_docs}"])


def read_quality(warehouse: Path) -> pd.DataFrame:
    """``segment_quality`` of a warehouse file, opened read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(f"select * from {QUALITY_RELATION} order by segment_key").df()


def _failure(result: object) -> GateFailure:
    """A failed expectation result as a :class:`GateFailure`."""
    config = result.expectation_config
    meta = config.meta or {}
    criterion = meta.get("criterion", "")
    rows = (result.result or {}).get("unexpected_index_list") or []
    segments = tuple(
        dict.fromkeys((row["segment_key"], row.get(f"{criterion}_reason") or "") for row in rows if isinstance(row, dict))
    )
    return GateFailure(criterion, meta.get("severity", "error"), config.description or config.type, segments)


def audit(warehouse: Path, run_name: str) -> Audit:
    """Run the checkpoint on the warehouse's ``segment_quality`` and summarise it."""
    return audit_frame(read_quality(warehouse), run_name)


def audit_frame(frame: pd.DataFrame, run_name: str) -> Audit:
    """Run the checkpoint on rows of ``segment_quality`` (from any engine) and summarise it."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    # one checkpoint run at a time writes results and Data Docs into the shared context
    with file_lock(EXPECTATIONS_DIR / "uncommitted" / "checkpoint.lock"):
        context = gx.get_context(mode="file", context_root_dir=EXPECTATIONS_DIR)
        result = context.checkpoints.get(CHECKPOINT).run(
            batch_parameters={"dataframe": frame}, run_id=RunIdentifier(run_name=run_name)
        )
    outcomes = [outcome for validation in result.run_results.values() for outcome in validation.results]
    failures = tuple(_failure(outcome) for outcome in outcomes if not outcome.success)
    return Audit(run_id=str(frame["run_id"].iloc[0]), evaluated=len(outcomes), failures=failures, data_docs=DATA_DOCS)
