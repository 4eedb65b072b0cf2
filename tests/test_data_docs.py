"""GX Data Docs, as the checkpoint of an audit writes them, in headless Chromium (offline):
the index lists every suite and the audit's validation of each with its status, and the
validation page shows the result the checkpoint stored."""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path

import pytest
import yaml

from conftest import ARTIFACTS, render, text_of
from saas_segments.audit import DATA_DOCS, DATA_DOCS_INDEX, audit_frames, read_relation
from saas_segments.gx_gates import EXPECTATIONS_DIR, GATE_TABLES
from saas_segments.project import file_lock

SUITES = {"measurable", "accessible", "stable", "consistent", "load"}
# the segment whose measurable check the audited rows fail
SHORT_SEGMENT = "power_users"
VALIDATIONS = EXPECTATIONS_DIR / "uncommitted" / "validations"
INDEX_HEADER = "Status Run Time Run Name Asset Name Batch ID Expectation Suite"
# held by each checkpoint run while it rewrites the Data Docs (saas_segments.audit)
CHECKPOINT_LOCK = EXPECTATIONS_DIR / "uncommitted" / "checkpoint.lock"


def render_docs(chromium: str, page: Path, profile: Path, screenshot: Path | None = None) -> str:
    """A Data Docs page rendered while no other audit rewrites the site."""
    with file_lock(CHECKPOINT_LOCK):
        return render(chromium, page.as_uri(), profile, screenshot)


@pytest.fixture(scope="module")
def short_members(demo_warehouse: Path) -> int:
    """Members of SHORT_SEGMENT in the demo warehouse."""
    frame = read_relation(demo_warehouse, GATE_TABLES[0].relation)
    return int(frame.loc[frame["segment_key"] == SHORT_SEGMENT, "member_count"].iloc[0])


@pytest.fixture(scope="module")
def run_name(demo_warehouse: Path, short_members: int) -> str:
    """The run name of an audit of the demo warehouse's gate rows (unique: other audits may
    write the same Data Docs), with SHORT_SEGMENT's minimum size raised one above its
    members so the measurable validation has a failure to show."""
    frames = {table.relation: read_relation(demo_warehouse, table.relation) for table in GATE_TABLES}
    quality = frames[GATE_TABLES[0].relation]
    short = quality["segment_key"] == SHORT_SEGMENT
    quality.loc[short, "min_segment_size"] = short_members + 1
    quality.loc[short, "measurable_verdict"] = "fail"
    quality.loc[short, "measurable_reason"] = f"{short_members} members < min_segment_size {short_members + 1}"
    name = f"data-docs-{uuid.uuid4().hex[:12]}"
    audit_frames(frames, name)
    return name


@pytest.fixture(scope="module")
def stored(run_name: str) -> dict[str, dict]:
    """The validation results the checkpoint stored for the run, by suite."""
    results = [json.loads(path.read_text()) for path in VALIDATIONS.glob(f"*/{run_name}/*/*.json")]
    return {result["suite_name"]: result for result in results}


def index_rows(dom: str, run_name: str) -> dict[str, tuple[str, str]]:
    """The index's validation rows of ``run_name``: suite → (status shown by the icon, the row's link)."""
    rows = {}
    for attributes, row in re.findall(r"<tr([^>]*)>(.*?)</tr>", dom, re.S):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        if len(cells) == 6 and text_of(cells[2]) == run_name:
            status = re.search(r"ge-(success|failed)-icon", cells[0])
            link = re.search(r'data-href="([^"]+)"', attributes)
            rows[text_of(cells[5])] = (status.group(1) if status else "none", link.group(1) if link else "")
    return rows


def test_index_lists_every_suite_and_the_runs_validations(
    run_name: str, stored: dict[str, dict], chromium: str, tmp_path: Path
) -> None:
    assert stored.keys() == SUITES
    ARTIFACTS.mkdir(exist_ok=True)
    dom = render_docs(chromium, DATA_DOCS, tmp_path / "chromium", ARTIFACTS / "gx-data-docs-index.png")
    page = text_of(dom)
    assert page.startswith("Data Docs created by Great Expectations"), page[:300]
    assert INDEX_HEADER in page, page[:1500]
    suites_listed = page[page.rindex("Expectation Suites") :]
    assert all(f" {suite} " in suites_listed for suite in SUITES), suites_listed[:500]
    assert set(re.findall(r'href="expectations/(\w+)\.html"', dom)) == SUITES

    rows = index_rows(dom, run_name)
    expected = {suite: "success" if result["success"] else "failed" for suite, result in stored.items()}
    assert {suite: status for suite, (status, _) in rows.items()} == expected
    # the audited rows have one segment below min_segment_size: measurable fails, the others pass
    assert expected == {suite: "failed" if suite == "measurable" else "success" for suite in SUITES}
    assert all(link.startswith(f"validations/{suite}/{run_name}/") for suite, (_, link) in rows.items())


def test_validation_page_shows_the_stored_result(
    run_name: str, stored: dict[str, dict], short_members: int, chromium: str, tmp_path: Path
) -> None:
    """The measurable validation of the run, reached from the index's link: status and statistics as stored."""
    dom = render_docs(chromium, DATA_DOCS, tmp_path / "index")
    link = index_rows(dom, run_name)["measurable"][1]
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "gx-data-docs-validation.png"
    page = text_of(render_docs(chromium, DATA_DOCS.parent / link, tmp_path / "validation", screenshot))
    statistics = stored["measurable"]["statistics"]
    assert f"Validations / measurable / {run_name} /" in page, page[:500]
    assert "Expectation Suite: measurable" in page and "Status: Failed" in page
    assert (
        f"Evaluated Expectations {statistics['evaluated_expectations']} "
        f"Successful Expectations {statistics['successful_expectations']} "
        f"Unsuccessful Expectations {statistics['unsuccessful_expectations']}"
    ) in page
    assert statistics["unsuccessful_expectations"] > 0
    assert "Every segment (trait and need keys excepted) has at least min_segment_size members." in page
    assert SHORT_SEGMENT in page and f"{short_members} members < min_segment_size {short_members + 1}" in page


def test_index_lists_the_newest_results_up_to_its_limit(demo_warehouse: Path, tmp_path: Path) -> None:
    """The committed site's index lists the newest `validation_results_limit` results. In a
    copy of the context whose limit is one audit's results, a second audit's rows replace
    the first's in the index, and both audits' results stay stored."""
    config = (EXPECTATIONS_DIR / "great_expectations.yml").read_text()
    site = yaml.safe_load(config)["data_docs_sites"]["local_site"]
    assert site["site_index_builder"]["validation_results_limit"] == 200
    context = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, context, ignore=shutil.ignore_patterns("uncommitted"))
    (context / "great_expectations.yml").write_text(
        config.replace("validation_results_limit: 200", f"validation_results_limit: {len(SUITES)}")
    )
    frames = {table.relation: read_relation(demo_warehouse, table.relation) for table in GATE_TABLES}
    runs = [f"limit-{number}-{uuid.uuid4().hex[:8]}" for number in (1, 2)]
    for run in runs:
        audit_frames(frames, run, context)
    index = (context / DATA_DOCS_INDEX).read_text()
    assert [len(index_rows(index, run)) for run in runs] == [0, len(SUITES)]
    stored_runs = {path.parent.parent.name for path in (context / "uncommitted" / "validations").glob("*/*/*/*.json")}
    assert stored_runs == set(runs)
