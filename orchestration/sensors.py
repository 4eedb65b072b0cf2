"""Sensors: an alert for every failed run, and the evaluation of freshness checks."""

from collections.abc import Sequence

from dagster import (
    AssetChecksDefinition,
    DefaultSensorStatus,
    RunFailureSensorContext,
    SensorDefinition,
    build_sensor_for_freshness_checks,
    run_failure_sensor,
)

from orchestration.resources import AlertSink


@run_failure_sensor(name="alert_on_run_failure", monitor_all_code_locations=False, default_status=DefaultSensorStatus.RUNNING)
def alert_on_run_failure(context: RunFailureSensorContext, alerts: AlertSink) -> None:
    """Send one alert per failed run: job, run id, tags (``as_of``) and the failure message."""
    run = context.dagster_run
    alerts.send(
        {
            "job": run.job_name,
            "run_id": run.run_id,
            "as_of": run.tags.get("as_of"),
            "partition": run.tags.get("dagster/partition"),
            "message": context.failure_event.message,
        }
    )


def freshness_sensor(checks: Sequence[AssetChecksDefinition]) -> SensorDefinition:
    """Evaluate the freshness checks periodically."""
    return build_sensor_for_freshness_checks(freshness_checks=checks, minimum_interval_seconds=600)
