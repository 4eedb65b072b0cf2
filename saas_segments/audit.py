"""Audit a built warehouse: run the GX checkpoints over its ``segment_quality`` and ``load_health``.

Each relation is read through duckdb (read-only) into a pandas DataFrame and validated
by its committed checkpoint in ``expectations/`` (see :mod:`saas_segments.gx_gates`);
the checkpoints' action refreshes the Data Docs under
``expectations/uncommitted/data_docs/local_site/``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from saas_segments.gx_gates import EXPECTATIONS_DIR, GATE_TABLES, GateTable
from saas_segments.project import file_lock

#: The Data Docs index below a GX context's folder.
DATA_DOCS_INDEX = Path("uncommitted", "data_docs", "local_site", "index.html")
DATA_DOCS = EXPECTATIONS_DIR / DATA_DOCS_INDEX


@dataclass(frozen=True)
class GateFailure:
    """One failed expectation: its criterion and severity, and the segment keys (or raw
    tables, for the load criterion) it caught with their reasons."""

    criterion: str
    severity: str
    expectation: str
    segments: tuple[tuple[str, str], ...]

    def lines(self) -> list[str]:
        """One line per caught segment key or raw table (or one for a table-level expectation)."""
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
            f"GX checkpoints {', '.join(table.checkpoint for table in GATE_TABLES)}: {self.evaluated} expectations, {len(self.errors)} error-level and "
            f"{len(self.failures) - len(self.errors)} warn-level failed"
        )
        return "\n".join([head, *(f"  {line}" for line in lines), f"  Data Docs: {self.data_docs}"])


def read_relation(warehouse: Path, relation: str) -> pd.DataFrame:
    """A gate relation of a warehouse file (ordered by its first column), opened read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(f"select * from {relation} order by 1, 2").df()


def _failure(result: object, key_column: str) -> GateFailure:
    """A failed expectation result as a :class:`GateFailure`."""
    config = result.expectation_config
    meta = config.meta or {}
    criterion = meta.get("criterion", "")
    rows = (result.result or {}).get("unexpected_index_list") or []
    segments = tuple(
        dict.fromkeys((row[key_column], row.get(f"{criterion}_reason") or "") for row in rows if isinstance(row, dict))
    )
    return GateFailure(criterion, meta.get("severity", "error"), config.description or config.type, segments)


def _run(context: object, table: GateTable, frame: pd.DataFrame, run_name: str) -> list[GateFailure | None]:
    """Run one checkpoint on its relation's rows: a failure per failed expectation, None per passed one."""
    from great_expectations.core.run_identifier import RunIdentifier

    result = context.checkpoints.get(table.checkpoint).run(
        batch_parameters={"dataframe": frame}, run_id=RunIdentifier(run_name=run_name)
    )
    outcomes = [outcome for validation in result.run_results.values() for outcome in validation.results]
    return [None if outcome.success else _failure(outcome, table.key_column) for outcome in outcomes]


def audit(warehouse: Path, run_name: str) -> Audit:
    """Run every gate checkpoint on the warehouse file's relations and summarise them."""
    return audit_frames({table.relation: read_relation(warehouse, table.relation) for table in GATE_TABLES}, run_name)


def audit_frames(frames: Mapping[str, pd.DataFrame], run_name: str, context_root: Path = EXPECTATIONS_DIR) -> Audit:
    """Run every gate checkpoint on the rows of its relation (``frames`` by relation name,
    read from any engine) and summarise them. ``context_root`` is the GX context's folder
    (a copy of ``expectations/``, say)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    # one checkpoint run at a time writes results and Data Docs into the shared context
    with file_lock(context_root / "uncommitted" / "checkpoint.lock"):
        context = gx.get_context(mode="file", context_root_dir=context_root)
        outcomes = [
            outcome
            for table in GATE_TABLES
            for outcome in _run(context, table, frames[table.relation], run_name)
        ]
    failures = tuple(outcome for outcome in outcomes if outcome is not None)
    quality = frames[GATE_TABLES[0].relation]
    return Audit(run_id=str(quality["run_id"].iloc[0]), evaluated=len(outcomes), failures=failures, data_docs=context_root / DATA_DOCS_INDEX)
