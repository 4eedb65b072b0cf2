"""The Great Expectations context in ``expectations/``: one suite per quality criterion.

Every suite runs over ``segment_quality`` (one row per segment key, figures computed
from the segment marts, membership history and catalogue), through one checkpoint
whose validations build the Data Docs. Thresholds are never written here: each row
carries the dbt var values it was judged with (``min_segment_size``,
``accessible_warn_share``, …) and the expectations compare figures with those
columns. Each expectation's ``meta`` names its criterion and severity (``error``
blocks publishing, ``warn`` is reported).

The files are committed; run ``python -m saas_segments.gx_gates`` only after
changing an expectation here, to rewrite them.
"""

from __future__ import annotations

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
ASSET = "segment_quality"
BATCH = "whole_table"
CHECKPOINT = "segment_quality_gates"
CRITERIA = ("measurable", "accessible", "stable", "consistent")
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["segment_key", *(f"{criterion}_reason" for criterion in CRITERIA)],
}

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
        f"No segment fails the {criterion} criterion.",
    )


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
                "metric_coverage",
                "min_metric_coverage",
                "measurable",
                "error",
                "At least min_metric_coverage of members have every metric of the rule non-null.",
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
            _tagged(
                gxe.ExpectColumnPairValuesToBeEqual(
                    column_A="member_count", column_B="table_rows", ignore_row_if="either_value_is_missing"
                ),
                "consistent",
                "error",
                "Recorded members equal the rows of the segment table.",
            ),
            _tagged(
                gxe.ExpectColumnValuesToBeInSet(column="is_rebuild_different", value_set=[False]),
                "consistent",
                "error",
                "Rebuilding a published as_of on the same source data and definition gives the same members.",
            ),
            _tagged(
                gxe.ExpectColumnValuesToBeInSet(column="is_partition_exhaustive_exclusive", value_set=[True]),
                "consistent",
                "error",
                "Value tiers and NPS categories are exhaustive and exclusive.",
            ),
            _at_least(
                "max_arr_gap_usd",
                "tier_arr_gap_usd",
                "consistent",
                "error",
                "Value tier ARR sums to total ARR within max_arr_gap_usd.",
            ),
            _tagged(
                gxe.ExpectColumnValuesToBeInSet(column="consistent_verdict", value_set=["pass"]),
                "consistent",
                "warn",
                "A changed definition is recorded as a new version.",
            ),
            _no_fail("consistent"),
        ],
    }


def write_context() -> FileDataContext:
    """(Re)write the file context: datasource, suites, validation definitions, checkpoint."""
    context = gx.get_context(mode="file", context_root_dir=EXPECTATIONS_DIR)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.enable_analytics(False)
    if DATASOURCE in context.data_sources.all():
        context.data_sources.delete(DATASOURCE)
    batch = context.data_sources.add_pandas(DATASOURCE).add_dataframe_asset(ASSET).add_batch_definition_whole_dataframe(BATCH)
    for name in [c.name for c in context.checkpoints.all()]:
        context.checkpoints.delete(name)
    for name in [v.name for v in context.validation_definitions.all()]:
        context.validation_definitions.delete(name)
    for name in [s.name for s in context.suites.all()]:
        context.suites.delete(name)
    validations = []
    for criterion, expectations in suites().items():
        suite = context.suites.add(ExpectationSuite(name=criterion, meta={"criterion": criterion}))
        for expectation in expectations:
            suite.add_expectation(expectation)
        validations.append(
            context.validation_definitions.add(gx.ValidationDefinition(name=f"{criterion}_gate", data=batch, suite=suite))
        )
    context.checkpoints.add(
        gx.Checkpoint(
            name=CHECKPOINT,
            validation_definitions=validations,
            actions=[UpdateDataDocsAction(name="update_data_docs")],
            result_format=RESULT_FORMAT,
        )
    )
    return context


if __name__ == "__main__":
    write_context()
    print(f"wrote the GX context in {EXPECTATIONS_DIR}")
