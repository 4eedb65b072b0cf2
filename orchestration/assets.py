"""Assets: raw sources, the demo generator, the dbt models (into the run's candidate) and the publish step."""


import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    ObserveResult,
    asset,
    multi_observable_source_asset,
)
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_project import DAILY, DBT_PROJECT, QUALITY_MODEL, SegmentsTranslator, model_key, prepare_manifest, source_tables
from orchestration.resources import RUN_LEASE_GRACE_SECONDS, WarehouseResource
from saas_segments.publish import QUALITY_SELECTION, REFRESH_BUILD, lease, publish_audited, refresh_lock
from saas_segments.raw_files import RawLayoutError, find_table_files

MANIFEST = prepare_manifest()
TRANSLATOR = SegmentsTranslator()
MANIFEST_DATA = json.loads(MANIFEST.read_text())
SOURCES = source_tables(MANIFEST_DATA)
RAW_KEYS = [AssetKey([source["source_name"], source["name"]]) for source in SOURCES]
SEGMENT_QUALITY = model_key(MANIFEST_DATA, TRANSLATOR, QUALITY_MODEL)
PUBLISHED = AssetKey("published_warehouse")


@multi_observable_source_asset(
    specs=[
        AssetSpec(key, group_name="raw", description=source.get("description") or None, kinds={"file"})
        for key, source in zip(RAW_KEYS, SOURCES)
    ],
    name="raw_sources",
)
def raw_sources(warehouse: WarehouseResource) -> Iterator[ObserveResult]:
    """Observe each raw table's files (the ones the build reads, :mod:`saas_segments.raw_files`):
    newest modification time (drives freshness) and size; a layout error is recorded as such."""
    for key, source in zip(RAW_KEYS, SOURCES):
        try:
            files = find_table_files(warehouse.raw_path, source["name"]).all
            metadata: dict[str, Any] = {"files": len(files), "bytes": sum(path.stat().st_size for path in files)}
        except RawLayoutError as error:
            files, metadata = [], {"layout_error": MetadataValue.text(str(error))}
        if files:
            metadata["dagster/last_updated_timestamp"] = MetadataValue.timestamp(max(p.stat().st_mtime for p in files))
        yield ObserveResult(asset_key=key, metadata=metadata, data_version=None)


DEMO = {"scale": "demo", "seed": 42}


def _holds_other_data(raw_dir: Path) -> bool:
    """Whether ``raw_dir`` has files that are not the generator's demo data (:data:`DEMO`)."""
    if not raw_dir.exists() or not any(raw_dir.iterdir()):
        return False
    manifest = raw_dir / "_truth" / "manifest.json"
    return not manifest.is_file() or {key: json.loads(manifest.read_text()).get(key) for key in DEMO} != DEMO


@asset(group_name="demo", kinds={"python"})
def demo_raw_data(warehouse: WarehouseResource) -> MaterializeResult:
    """Generate demo-scale raw data (seed 42) into the raw dir; optional, for trying the pipeline.

    Refuses a raw dir that holds anything else than that demo data (it would be overwritten).
    """
    if _holds_other_data(warehouse.raw_path):
        raise Failure(
            f"raw dir {warehouse.raw_path} holds other data than the demo's: not writing demo data into it"
            " (point the warehouse resource's raw_dir at an empty or demo dir)",
            allow_retries=False,
        )
    command = [sys.executable, "-m", "saas_segments.generator", "--scale", DEMO["scale"], "--seed", str(DEMO["seed"])]
    subprocess.run([*command, "--out", str(warehouse.raw_path)], check=True, capture_output=True, text=True)
    return MaterializeResult(metadata={"raw_dir": MetadataValue.path(str(warehouse.raw_path))})


def _build(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource) -> Iterator[Any]:
    """``dbt build`` of the selected models into the run's candidate for the partition's as_of,
    with the same arguments as the CLI refresh (:data:`saas_segments.publish.REFRESH_BUILD`),
    its artifacts in the candidate's folder (``target/``, removed with it). dbt dies with
    the step's process (the ``saas-segments-dbt`` launcher, :mod:`orchestration.resources`).

    A failed model or dbt test fails the step without retries (it is not transient).
    """
    candidate, build = warehouse.stage(context.run.run_id)
    context.log.info(build.reason)
    variables = warehouse.vars(context.run.run_id, context.partition_key if context.has_partition_key else None)
    full = ["--full-refresh"] if build.full_refresh else []
    with lease(candidate.parent, RUN_LEASE_GRACE_SECONDS):
        with mock.patch.dict(os.environ, warehouse.dbt_env(candidate)):
            invocation = dbt.cli(
                [*REFRESH_BUILD, *full, "--vars", json.dumps(variables)],
                context=context,
                raise_on_error=False,
                target_path=candidate.parent / "target",
            )
        yield from invocation.stream()
    if not invocation.is_successful():
        raise Failure(f"dbt build failed on {candidate}: {invocation.get_error()}", allow_retries=False)


@dbt_assets(
    manifest=MANIFEST,
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    partitions_def=DAILY,
    exclude=QUALITY_SELECTION,
    name="dbt_models",
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource) -> Iterator[Any]:
    """Every dbt model but ``segment_quality`` and what reads it, with its dbt tests as asset checks."""
    yield from _build(context, dbt, warehouse)


@dbt_assets(
    manifest=MANIFEST,
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    partitions_def=DAILY,
    select=QUALITY_SELECTION,
    name="dbt_segment_quality",
)
def dbt_segment_quality(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource) -> Iterator[Any]:
    """``segment_quality`` and what reads it, built once every segment table exists (as the CLI refresh does)."""
    yield from _build(context, dbt, warehouse)


@asset(key=PUBLISHED, deps=[SEGMENT_QUALITY], partitions_def=DAILY, group_name="publish", kinds={"duckdb"})
def published_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """Publish the audited candidate: record its quality rows and rename it onto the warehouse.

    Runs only when the blocking GX checks on ``segment_quality`` and the dbt tests passed;
    the step is :func:`saas_segments.publish.publish_audited`, the one the CLI refresh ends with.
    """
    options = warehouse.dbt_options(context.run.run_id, context.partition_key)
    candidate = warehouse.candidate(context.run.run_id)
    with refresh_lock(warehouse.workdir), lease(candidate.parent, RUN_LEASE_GRACE_SECONDS):
        publish_audited(candidate, warehouse.warehouse_path, options)
    return MaterializeResult(
        metadata={"warehouse": MetadataValue.path(str(warehouse.warehouse_path)), "as_of": context.partition_key}
    )
