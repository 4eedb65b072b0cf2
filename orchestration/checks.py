"""Asset checks: the Great Expectations gates on the candidate, and freshness of raw sources and marts.

dbt tests become asset checks of their models through dagster-dbt (see :mod:`orchestration.assets`).
"""

from collections.abc import Iterator, Sequence
from datetime import timedelta

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetChecksDefinition,
    AssetKey,
    MetadataValue,
    build_last_update_freshness_checks,
    multi_asset_check,
)

from orchestration.assets import RAW_KEYS, SEGMENT_QUALITY, dbt_models
from orchestration.resources import RUN_LEASE_GRACE_SECONDS, WarehouseResource
from saas_segments.audit import Audit, audit
from saas_segments.gx_gates import CRITERIA, GATE_TABLES
from saas_segments.publish import lease

RAW_MAX_AGE = timedelta(hours=26)
MART_MAX_AGE = timedelta(hours=26)


CHECKPOINTS = {criterion: table.checkpoint for table in GATE_TABLES for criterion in table.criteria}


def gx_check_name(criterion: str) -> str:
    """The asset check of one quality criterion."""
    return f"gx_{criterion}"


def criterion_result(result: Audit, criterion: str) -> AssetCheckResult:
    """One criterion's outcome: failed at ERROR when an error-level expectation failed, else WARN."""
    failures = [failure for failure in result.failures if failure.criterion == criterion]
    errors = [failure for failure in failures if failure.severity == "error"]
    lines = [line for failure in sorted(failures, key=lambda f: f.severity != "error") for line in failure.lines()]
    return AssetCheckResult(
        check_name=gx_check_name(criterion),
        asset_key=SEGMENT_QUALITY,
        passed=not failures,
        severity=AssetCheckSeverity.ERROR if errors else AssetCheckSeverity.WARN,
        metadata={
            "run_id": result.run_id,
            "errors": len(errors),
            "warnings": len(failures) - len(errors),
            "failures": MetadataValue.md("\n".join(f"- {line}" for line in dict.fromkeys(lines)) or "none"),
            "data_docs": MetadataValue.path(str(result.data_docs)),
        },
    )


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            gx_check_name(criterion),
            asset=SEGMENT_QUALITY,
            blocking=True,
            description=f"GX checkpoint {CHECKPOINTS[criterion]}, suite {criterion}: error-level failures block publishing",
        )
        for criterion in CRITERIA
    ],
    name="gx_quality_gates",
)
def gx_quality_gates(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator[AssetCheckResult]:
    """Run the GX checkpoints on the run's candidate (:func:`saas_segments.audit.audit`), one result per criterion."""
    candidate = warehouse.candidate(context.run.run_id)
    with lease(candidate.parent, RUN_LEASE_GRACE_SECONDS):
        result = audit(candidate, run_name=candidate.parent.name)
    for criterion in CRITERIA:
        yield criterion_result(result, criterion)


def mart_keys() -> list[AssetKey]:
    """The dbt models in the marts (segments included)."""
    return [key for key in dbt_models.keys if key.path[0] == "marts"]


def freshness_checks() -> Sequence[AssetChecksDefinition]:
    """Raw files updated and marts materialized within the last 26 hours."""
    return [
        *build_last_update_freshness_checks(assets=RAW_KEYS, lower_bound_delta=RAW_MAX_AGE),
        *build_last_update_freshness_checks(assets=mart_keys(), lower_bound_delta=MART_MAX_AGE),
    ]
