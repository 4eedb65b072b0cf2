"""Jobs and schedules: the daily partitioned refresh at 06:00 UTC and the raw-source observation."""

from dagster import (
    AssetSelection,
    Backoff,
    DefaultScheduleStatus,
    PartitionedConfig,
    RetryPolicy,
    ScheduleDefinition,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

from orchestration.assets import PUBLISHED, dbt_models, dbt_segment_quality, raw_sources
from orchestration.dbt_project import DAILY
from orchestration.instance import WAREHOUSE_TAG
RETRY = RetryPolicy(max_retries=2, delay=30, backoff=Backoff.EXPONENTIAL)


def partition_tags(partition_key: str) -> dict[str, str]:
    """Run tags of a partition: ``as_of`` and the warehouse it refreshes (one run at a time per warehouse)."""
    return {"as_of": partition_key, WAREHOUSE_TAG: "default"}


refresh_job = define_asset_job(
    "daily_refresh",
    selection=AssetSelection.assets(dbt_models, dbt_segment_quality, PUBLISHED),
    partitions_def=DAILY,
    config=PartitionedConfig(
        partitions_def=DAILY, run_config_for_partition_key_fn=lambda _: {}, tags_for_partition_key_fn=partition_tags
    ),
    op_retry_policy=RETRY,
    description="Build the as_of partition into a candidate, run the gates, publish the candidate if they pass.",
)

observe_raw_job = define_asset_job(
    "observe_raw_sources", selection=AssetSelection.assets(raw_sources), description="Record the raw files' state."
)

daily_refresh_schedule = build_schedule_from_partitioned_job(
    refresh_job, hour_of_day=6, minute_of_hour=0, default_status=DefaultScheduleStatus.STOPPED
)

observe_raw_schedule = ScheduleDefinition(
    job=observe_raw_job, cron_schedule="45 5 * * *", execution_timezone="UTC", default_status=DefaultScheduleStatus.STOPPED
)
