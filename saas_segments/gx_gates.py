"""The Great Expectations context in ``expectations/``: one suite per quality criterion.

The four segment criteria run over ``segment_quality`` (one row per segment key,
figures computed from the segment marts, rule inputs, reconciliations, membership
history and catalogue) through the checkpoint ``segment_quality_gates``; the load
criterion runs over ``load_health`` (one row per raw table) through
``load_health_gates``. Their validations build the Data Docs. Thresholds are never
written here: each row carries the dbt var values it was judged with
(``min_segment_size``, ``input_coverage_error_floor``, ``max_quarantine_rate_error``, …)
and the expectations compare figures with those columns. Each expectation's ``meta``
names its criterion and severity (``error`` blocks publishing, ``warn`` is reported).

The files are committed; run ``python -m saas_segments.gx_gates`` only after
changing an expectation here, to rewrite them.
"""

from __future__ import annotations

from dataclasses import dataclass

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.checkpoint import UpdateDataDocsAction
from great_expectations.core.expectation_suite import ExpectationSuite
from great_expectations.data_context import FileDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.metadata_types import FailureSeverity
from great_expectations.expectations.row_conditions import Column

from saas_segments.project import PROJECT_DIR

EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
DATASOURCE = "candidate"
BATCH = "whole_table"
SEGMENT_CRITERIA = ("measurable", "accessible", "stable", "consistent")
CRITERIA = (*SEGMENT_CRITERIA, "load")


@dataclass(frozen=True)
class GateTable:
    """A warehouse relation the gates read: its checkpoint, the criteria (suites) run on
    it and the column naming what a failing row is about (segment key, raw table)."""

    relation: str
    checkpoint: str
    criteria: tuple[str, ...]
    key_column: str

    @property
    def asset(self) -> str:
        """The GX dataframe asset: the relation's table name."""
        return self.relation.split(".")[-1]

    @property
    def result_format(self) -> dict[str, object]:
        """Failing rows are reported by key and each criterion's reason."""
        reasons = [f"{criterion}_reason" for criterion in self.criteria]
        return {"result_format": "COMPLETE", "unexpected_index_column_names": [self.key_column, *reasons]}


GATE_TABLES = (
    GateTable("marts.segment_quality", "segment_quality_gates", SEGMENT_CRITERIA, "segment_key"),
    GateTable("marts.load_health", "load_health_gates", ("load",), "source_table"),
)
CHECKPOINT = GATE_TABLES[0].checkpoint

_SEVERITY = {"error": FailureSeverity.CRITICAL, "warn": FailureSeverity.WARNING}
_GATED = Column("is_size_gated") == True  # noqa: E712 - a GX row condition, not a comparison


def _tagged(expectation: gxe.Expectation, criterion: str, severity: str, description: str) -> gxe.Expectation:
    """The expectation with its criterion, severity and a description for the Data Docs."""
    expectation.meta = {"criterion": criterion, "severity": severity}
    expectation.severity = _SEVERITY[severity]
    expectation.description = description
    return expectation


def _at_least(column: str, floor: str, criterion: str, severity: str, description: str, **kwargs: object) -> gxe.Expectation:
    """``column >= floor`` on every row where both are known."""
    return _tagged(
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=column, column_B=floor, or_equal=True, ignore_row_if="either_value_is_missing", **kwargs
        ),
        criterion,
        severity,
        description,
    )


def _no_fail(criterion: str) -> gxe.Expectation:
    """The criterion's verdict is not ``fail`` (the error-level gate of the criterion)."""
    return _tagged(
        gxe.ExpectColumnValuesToNotBeInSet(column=f"{criterion}_verdict", value_set=["fail"]),
        criterion,
        "error",
        f"No row (segment key or raw table) fails the {criterion} criterion.",
    )


def _at_most_zero(column: str, criterion: str, severity: str, description: str) -> gxe.Expectation:
    """``column`` is 0 (or missing) on every row."""
    return _tagged(gxe.ExpectColumnValuesToBeBetween(column=column, max_value=0), criterion, severity, description)


def suites() -> dict[str, list[gxe.Expectation]]:
    """The expectations of each criterion's suite."""
    return {
        "measurable": [
            _tagged(
                gxe.ExpectTableRowCountToBeBetween(min_value=1),
                "measurable",
                "error",
                "segment_quality has a row per segment key.",
            ),
            _at_least(
                "member_count",
                "min_segment_size",
                "measurable",
                "error",
                "Every segment (trait and need keys excepted) has at least min_segment_size members.",
                row_condition=_GATED,
            ),
            _at_least(
                "input_coverage",
                "input_coverage_error_floor",
                "measurable",
                "error",
                "Every rule input covers at least its error floor of its eligible population.",
            ),
            _at_least(
                "input_coverage",
                "input_coverage_warn_floor",
                "measurable",
                "warn",
                "Every rule input covers at least its warn floor of its eligible population.",
            ),
            _no_fail("measurable"),
        ],
        "accessible": [
            _at_least(
                "reachable_share",
                "accessible_error_share",
                "accessible",
                "error",
                "At least accessible_error_share of members are reachable (email opt-in or in-app).",
            ),
            _at_least(
                "reachable_share",
                "accessible_warn_share",
                "accessible",
                "warn",
                "At least accessible_warn_share of members are reachable.",
            ),
            _no_fail("accessible"),
        ],
        "stable": [
            _at_least(
                "max_size_change",
                "abs_size_change",
                "stable",
                "warn",
                "Size changed by at most max_size_change since the previous published as_of.",
                row_condition=_GATED,
            ),
            _at_least(
                "membership_jaccard",
                "min_membership_jaccard",
                "stable",
                "warn",
                "Membership Jaccard vs the previous published as_of is at least min_membership_jaccard.",
                row_condition=_GATED,
            ),
            _at_least(
                "max_size_change_error",
                "abs_size_change",
                "stable",
                "error",
                "Size changed by at most max_size_change_error since the previous published as_of.",
                row_condition=_GATED,
            ),
            _at_least(
                "membership_jaccard",
                "min_membership_jaccard_error",
                "stable",
                "error",
                "Membership Jaccard vs the previous published as_of is at least min_membership_jaccard_error.",
                row_condition=_GATED,
            ),
            _tagged(
                gxe.ExpectColumnValuesToBeInSet(column="spike_driven", value_set=[False]),
                "stable",
                "warn",
                "No segment (trait and need keys excepted) is mostly recent signups during a signup spike; "
                "blocks publishing when spike_gate_severity is error.",
            ),
            _no_fail("stable"),
        ],
        "consistent": [
            _tagged(
                gxe.ExpectColumnValuesToBeUnique(column="segment_key"),
                "consistent",
                "error",
                "One row per segment key.",
            ),
            _at_most_zero(
                "failed_reconciliations",
                "consistent",
                "error",
                "Every reconciliation a segment relies on agrees (MRR vs paid invoices, ARR three ways, NPS recomputed).",
            ),
            _tagged(
                gxe.ExpectColumnPairValuesToBeEqual(
                    column_A="member_count", column_B="flag_count", ignore_row_if="either_value_is_missing"
                ),
                "consistent",
                "error",
                "Segment sizes equal the dim_accounts / dim_users rows carrying the segment's flag.",
            ),
            _tagged(
                gxe.ExpectColumnValuesToBeInSet(column="is_rebuild_different", value_set=[False]),
                "consistent",
                "error",
                "Rebuilding a published as_of on the same source data and definition gives the same members.",
            ),
            _tagged(
                gxe.ExpectColumnValuesToBeInSet(column="consistent_verdict", value_set=["pass"]),
                "consistent",
                "warn",
                "A changed definition is recorded as a new version.",
            ),
            _no_fail("consistent"),
        ],
        "load": [
            _tagged(
                gxe.ExpectTableRowCountToBeBetween(min_value=1),
                "load",
                "error",
                "load_health has a row per raw table.",
            ),
            _at_least(
                "max_quarantine_rate_error",
                "quarantine_rate",
                "load",
                "error",
                "No raw table has more than max_quarantine_rate_error of its rows quarantined.",
            ),
            _at_least(
                "max_quarantine_rate_warn",
                "quarantine_rate",
                "load",
                "warn",
                "No raw table has more than max_quarantine_rate_warn of its rows quarantined.",
            ),
            _no_fail("load"),
        ],
    }


def write_context() -> FileDataContext:
    """(Re)write the file context: datasource, suites, validation definitions, checkpoints."""
    context = gx.get_context(mode="file", context_root_dir=EXPECTATIONS_DIR)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.enable_analytics(False)
    for name in [c.name for c in context.checkpoints.all()]:
        context.checkpoints.delete(name)
    for name in [v.name for v in context.validation_definitions.all()]:
        context.validation_definitions.delete(name)
    for name in [s.name for s in context.suites.all()]:
        context.suites.delete(name)
    if DATASOURCE in context.data_sources.all():
        context.data_sources.delete(DATASOURCE)
    datasource = context.data_sources.add_pandas(DATASOURCE)
    expectations = suites()
    for table in GATE_TABLES:
        batch = datasource.add_dataframe_asset(table.asset).add_batch_definition_whole_dataframe(BATCH)
        validations = []
        for criterion in table.criteria:
            suite = context.suites.add(ExpectationSuite(name=criterion, meta={"criterion": criterion}))
            for expectation in expectations[criterion]:
                suite.add_expectation(expectation)
            validations.append(
                context.validation_definitions.add(gx.ValidationDefinition(name=f"{criterion}_gate", data=batch, suite=suite))
            )
        context.checkpoints.add(
            gx.Checkpoint(
                name=table.checkpoint,
                validation_definitions=validations,
                actions=[UpdateDataDocsAction(name="update_data_docs")],
                result_format=table.result_format,
            )
        )
    return context


if __name__ == "__main__":
    write_context()
    print(f"wrote the GX context in {EXPECTATIONS_DIR}")
