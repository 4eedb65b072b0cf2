"""The Dagster code location: ``dagster dev -m orchestration.definitions``."""

from collections.abc import Mapping

from dagster import Definitions

from orchestration.assets import dbt_models, dbt_segment_quality, demo_raw_data, published_warehouse, raw_sources
from orchestration.checks import freshness_checks, gx_quality_gates
from orchestration.jobs import daily_refresh_schedule, observe_raw_job, observe_raw_schedule, refresh_job
from orchestration.resources import resources
from orchestration.sensors import alert_on_run_failure, freshness_sensor


def build_definitions(resource_overrides: Mapping[str, object] | None = None) -> Definitions:
    """Every asset, check, job, schedule and sensor, with the default resources updated by ``resource_overrides``."""
    checks = freshness_checks()
    return Definitions(
        assets=[raw_sources, demo_raw_data, dbt_models, dbt_segment_quality, published_warehouse],
        asset_checks=[gx_quality_gates, *checks],
        jobs=[refresh_job, observe_raw_job],
        schedules=[daily_refresh_schedule, observe_raw_schedule],
        sensors=[alert_on_run_failure, freshness_sensor(checks)],
        resources={**resources(), **(resource_overrides or {})},
    )


defs = build_definitions()
