"""The dbt project as Dagster sees it: its manifest, asset groups and daily partitions."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetKey, AssetSpec, DailyPartitionsDefinition
from dagster_dbt import DagsterDbtTranslator, DbtProject

from saas_segments.project import PROJECT_DIR, dbt, file_lock
from saas_segments.publish import QUALITY_MODEL

PARTITIONS_START = "2026-01-01"

PROJECT_SOURCES = ("dbt_project.yml", "models", "macros", "seeds", "tests/data_tests")

DBT_PROJECT = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR, target_path="target/dagster")
DAILY = DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC")


def _newest_source_mtime(project_dir: Path) -> float:
    """Modification time of the newest file dbt parses."""
    paths = [project_dir / name for name in PROJECT_SOURCES]
    files = [path for root in paths for path in ([root] if root.is_file() else root.rglob("*")) if path.is_file()]
    return max(path.stat().st_mtime for path in files)


def prepare_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """The manifest's path, after ``dbt parse`` if it is missing (a clean clone) or older than the project."""
    manifest = project.manifest_path
    with file_lock(manifest.parent / "parse.lock"):
        if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(project.project_dir):
            dbt(["parse", "--quiet"], target_path=manifest.parent)
    return manifest


def segment_family(props: Mapping[str, Any]) -> str | None:
    """The ``meta.segment.family`` of a segment model, else None."""
    meta = {**props.get("meta", {}), **props.get("config", {}).get("meta", {})}
    return (meta.get("segment") or {}).get("family")


class SegmentsTranslator(DagsterDbtTranslator):
    """Groups models by layer (segments by family) and puts ``segment_quality`` after every segment.

    ``segment_quality`` reads the segment tables through the dbt graph rather than ``ref``,
    so its dependency on them is declared here.
    """

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """``segments_<family>`` for segments, else the model's folder (staging, intermediate, marts)."""
        family = segment_family(dbt_resource_props)
        if family:
            return f"segments_{family}"
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return dbt_resource_props["fqn"][1]

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> AssetSpec:
        """The default spec, with ``segment_quality`` depending on every segment model."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        if manifest["nodes"].get(unique_id, {}).get("name") != QUALITY_MODEL:
            return spec
        return spec.merge_attributes(deps=segment_keys(manifest, self))


def segment_keys(manifest: Mapping[str, Any], translator: DagsterDbtTranslator) -> list[AssetKey]:
    """Asset keys of the segment models (the models carrying ``meta.segment``)."""
    return [
        translator.get_asset_key(node)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and segment_family(node)
    ]


def source_tables(manifest: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The dbt sources (the raw tables), in manifest order."""
    return list(manifest["sources"].values())


def model_key(manifest: Mapping[str, Any], translator: DagsterDbtTranslator, name: str) -> AssetKey:
    """Asset key of the model called ``name``."""
    node = next(node for node in manifest["nodes"].values() if node["resource_type"] == "model" and node["name"] == name)
    return translator.get_asset_key(node)
