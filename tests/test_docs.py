"""dbt docs: every mart and column is described, the BI exposures are declared, and the
static site (``dbt docs generate --static``) shows a segment's lineage in a browser."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import ARTIFACTS, render, text_of
from saas_segments.project import dbt

SEGMENT = "model.saas_segments.seg_power_users"
EXPOSURES = {
    "customer_success_dashboard": "dashboard",
    "revenue_dashboard": "dashboard",
    "product_adoption_dashboard": "dashboard",
    "nps_dashboard": "dashboard",
    "segment_report": "application",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, demo_warehouse: Path) -> Path:
    """The static docs site as ``make docs`` builds it, on a copy of the demo warehouse
    (for its catalog); the target dir."""
    workdir = tmp_path_factory.mktemp("docs")
    warehouse = workdir / demo_warehouse.name
    shutil.copyfile(demo_warehouse, warehouse)
    target = workdir / "target"
    dbt(["parse"], warehouse=warehouse, target_path=target)
    dbt(["docs", "generate", "--static", "--no-compile"], warehouse=warehouse, target_path=target)
    return target


@pytest.fixture(scope="module")
def manifest(site: Path) -> dict:
    return json.loads((site / "manifest.json").read_text())


def marts(manifest: dict) -> list[dict]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and Path(node["original_file_path"]).parts[:2] == ("models", "marts")
    ]


def test_every_mart_and_column_is_described(manifest: dict) -> None:
    models = marts(manifest)
    assert len(models) >= 40
    missing = [node["name"] for node in models if not node["description"].strip()]
    missing += [
        f"{node['name']}.{column['name']}"
        for node in models
        for column in node["columns"].values()
        if not (column.get("description") or "").strip()
    ]
    assert not missing, "marts or columns without a description:\n" + "\n".join(missing)


def test_exposures_name_owner_url_maturity_and_marts(manifest: dict) -> None:
    exposures = {node["name"]: node for node in manifest["exposures"].values()}
    assert {name: node["type"] for name, node in exposures.items()} == EXPOSURES
    mart_ids = {node["unique_id"] for node in marts(manifest)}
    for name, node in exposures.items():
        assert node["owner"]["name"] and node["owner"]["email"], name
        assert node["url"] and node["maturity"] in ("low", "medium", "high") and node["description"].strip(), name
        assert node["depends_on"]["nodes"] and set(node["depends_on"]["nodes"]) <= mart_ids, name
    report = exposures["segment_report"]["depends_on"]["nodes"]
    assert sorted(unique_id.split(".")[-1] for unique_id in report) == [
        "dim_accounts",
        "rpt_mrr_waterfall",
        "rpt_nps_by_tier_and_plan",
        "rpt_segment_quality",
        "rpt_segment_quality_counts",
        "rpt_segment_sizes",
        "rpt_segment_trends",
        "rpt_value_tier_pareto",
    ]


def test_static_docs_show_the_lineage_of_a_segment(
    site: Path, manifest: dict, chromium: str, tmp_path: Path
) -> None:
    """The power users page with its lineage graph open: the description, the columns'
    descriptions, the upstream models and downstream exposures; a screenshot of the graph
    goes to test-artifacts/."""
    index = site / "static_index.html"
    node = manifest["nodes"][SEGMENT]
    upstream = sorted(name.split(".")[-1] for name in node["depends_on"]["nodes"])
    assert upstream == ["fct_segment_membership_history", "int_as_of_date", "int_nps_latest", "int_user_engagement"]
    downstream = sorted(
        exposure["name"] for exposure in manifest["exposures"].values() if SEGMENT in exposure["depends_on"]["nodes"]
    )
    assert downstream == ["product_adoption_dashboard"]

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "dbt-docs-lineage-seg_power_users.png"
    screenshot.unlink(missing_ok=True)
    graph = f"{index.as_uri()}#!/model/{SEGMENT}?g_v=1&g_i=1%2Bseg_power_users%2B"
    dom = render(chromium, graph, tmp_path / "chromium", screenshot)
    page = text_of(dom)
    assert "seg_power_users table" in page
    description = " ".join(node["description"].split())
    assert description.split(". ")[0] in page
    for column in node["columns"].values():
        assert f"{column['name']} " in page and column["description"] in page, column["name"]
    # catalog types from the warehouse
    assert "active_days_recent BIGINT" in page and "core_share_recent DOUBLE" in page
    # the sections after the columns table: Referenced By (tabs per resource type), Depends On
    referenced_at = page.index("Referenced By", page.index("Columns Column Type"))
    depends_at = page.index("Depends On Models", referenced_at)
    assert "Exposures" in page[referenced_at:depends_at], page[referenced_at:depends_at]
    depends_on = page[depends_at : page.index("Code Source", depends_at)]
    assert all(name in depends_on for name in upstream), depends_on
    # the lineage graph panel is open (its launcher gets the class `on`)
    assert 'class="launcher ng-isolate-scope on"' in dom
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 30_000

    # the downstream exposure's page lists the segment among what it depends on
    exposure_url = f"{index.as_uri()}#!/exposure/exposure.saas_segments.{downstream[0]}"
    exposure = render(chromium, exposure_url, tmp_path / "chromium")
    exposure_page = text_of(exposure)
    assert "Product adoption exposure" in exposure_page
    assert "Owner Product Analytics <product-analytics@example.com>" in exposure_page
    exposure_depends_on = exposure_page[exposure_page.rindex("Depends On") :]
    assert "seg_power_users" in exposure_depends_on and "fct_kpis_monthly" in exposure_depends_on
