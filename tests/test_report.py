"""The segment report (``make report``): its figures against the marts, and the page in headless Chromium.

A copy of the demo warehouse gets a second as_of (a week earlier, about a tenth of the
members left out) in the membership history, so trends and previous sizes have data.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import shutil
import struct
from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from saas_segments.report import CHART_FILES, Report, build_report
from saas_segments.report.__main__ import main

from conftest import ARTIFACTS, query, render, text_of

EARLIER = dt.timedelta(days=7)


@pytest.fixture(scope="module")
def warehouse(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse copied (same file name, so its views resolve) with a second as_of recorded."""
    copy = tmp_path_factory.mktemp("report_warehouse") / demo_warehouse.name
    shutil.copyfile(demo_warehouse, copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute(
            """
            insert into marts.fct_segment_membership_history
                (as_of_date, segment_key, entity_type, entity_id, reason, model_name)
            select as_of_date - 7, segment_key, entity_type, entity_id, reason, model_name
            from marts.fct_segment_membership_history
            where as_of_date = (select as_of_date from intermediate.int_as_of_date) and right(entity_id, 1) != '7'
            """
        )
    return copy


@pytest.fixture(scope="module")
def as_of(warehouse: Path) -> dt.date:
    return query(warehouse, "select as_of_date from intermediate.int_as_of_date")[0][0]


@pytest.fixture(scope="module")
def report(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The report on the warehouse's own as_of (no --as-of)."""
    return build_report(warehouse, tmp_path_factory.mktemp("reports"))


@pytest.fixture(scope="module")
def earlier_report(warehouse: Path, as_of: dt.date, tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The report on the as_of a week before the warehouse's (``--as-of``)."""
    return build_report(warehouse, tmp_path_factory.mktemp("earlier_reports"), as_of - EARLIER)


def members(warehouse: Path, as_of: dt.date) -> dict[tuple[str, str], int]:
    rows = query(
        warehouse,
        f"select segment_key, entity_type, count(*) from marts.fct_segment_membership_history "
        f"where as_of_date = '{as_of}' group by all",
    )
    return {(key, entity): count for key, entity, count in rows}


def test_sizes_and_trends_are_the_membership_counts(report: Report, warehouse: Path, as_of: dt.date) -> None:
    now, before = members(warehouse, as_of), members(warehouse, as_of - EARLIER)
    assert report.as_of == report.warehouse_as_of == as_of
    assert {(s.segment_key, s.entity_type): s.members for s in report.sizes} == now
    assert {(s.segment_key, s.entity_type): s.previous_members for s in report.sizes} == before
    assert any(before[key] < now[key] for key in now), "the earlier as_of should have fewer members somewhere"
    assert {(p.as_of_date, p.segment_key): p.members for p in report.trends} == {
        (day, key): count
        for day, counts in ((as_of, now), (as_of - EARLIER, before))
        for (key, _), count in counts.items()
        if ":" not in key
    }
    families = {s.segment_key: s.family for s in report.sizes}
    assert families["power_users"] == "engagement" and families["value_tier_high"] == "value"


def test_pareto_covers_every_paying_account_and_its_arr(report: Report, warehouse: Path) -> None:
    ((paying, arr),) = query(warehouse, "select count(*), sum(arr_usd) from marts.dim_accounts where is_paying")
    tiers = dict(query(warehouse, "select value_tier, count(*) from marts.dim_accounts where is_paying group by 1"))
    assert len(report.pareto) == paying
    assert sum(p.arr_usd for p in report.pareto) == arr
    assert [p.arr_rank for p in report.pareto] == list(range(1, paying + 1))
    assert {tier: sum(p.value_tier == tier for p in report.pareto) for tier in tiers} == tiers
    assert report.pareto[-1].account_share == pytest.approx(1.0)
    assert report.pareto[-1].cumulative_arr_share == pytest.approx(1.0)
    last_high = [p for p in report.pareto if p.value_tier == "high"][-1]
    assert last_high.cumulative_arr_share - float(last_high.arr_usd / arr) < 0.8 <= last_high.cumulative_arr_share


@pytest.mark.parametrize("which", ["report", "earlier_report"])
def test_mrr_waterfall_reconciles_to_fct_mrr_monthly(
    which: str, request: pytest.FixtureRequest, warehouse: Path
) -> None:
    """The as_of month (no movements in the demo data's June) and, a week earlier, the last month ended by then."""
    report: Report = request.getfixturevalue(which)
    month = report.mrr
    assert month is not None
    # the warehouse's as_of month is measured on as_of; for an earlier day, the last month that ended by then
    month_ended = (report.as_of + dt.timedelta(days=1)).replace(day=1) - dt.timedelta(days=1)
    expected_month = (report.as_of if which == "report" else month_ended).replace(day=1)
    assert month.mrr_month == expected_month and month.measured_on_date <= report.as_of
    ((start, new, expansion, contraction, churn, reactivation, end),) = query(
        warehouse,
        "select starting_mrr, new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr, ending_mrr "
        f"from marts.fct_mrr_monthly where mrr_month = '{expected_month}'",
    )
    steps = [value for _, value in month.steps()]
    assert steps == [start, new, expansion, -contraction, -churn, reactivation, end]
    assert sum(steps[:-1], Decimal(0)) == steps[-1] == end
    assert start > 0
    table = re.search(r"<table><thead><tr><th>step</th>.*?</table>", report.html_path.read_text())
    assert table and re.findall(r'<td class="num">([^<]+)</td>', table.group(0)) == [f"{value:,.2f}" for value in steps]


def last_complete_quarter(day: dt.date) -> dt.date:
    """The first day of the last calendar quarter that ended on or before ``day``."""
    day_after = day + dt.timedelta(days=1)
    before = dt.date(day_after.year, (day_after.month - 1) // 3 * 3 + 1, 1) - dt.timedelta(days=1)
    return dt.date(before.year, (before.month - 1) // 3 * 3 + 1, 1)


def test_nps_is_the_last_complete_quarter_by_tier_and_plan(report: Report, warehouse: Path, as_of: dt.date) -> None:
    rows = query(
        warehouse,
        "select quarter, dimension, dimension_value, responses, nps from marts.fct_nps_quarterly "
        f"where dimension in ('value_tier', 'plan') and quarter = '{last_complete_quarter(as_of)}'",
    )
    assert rows
    assert {(n.quarter, n.dimension, n.dimension_value, n.responses, n.nps) for n in report.nps} == set(rows)
    assert [n.dimension_value for n in report.nps if n.dimension == "value_tier"][:3] == ["high", "medium", "low"]


def test_quality_table_has_every_segment_quality_row(report: Report, warehouse: Path) -> None:
    expected = dict(query(warehouse, "select segment_key, verdict from marts.segment_quality"))
    assert {q.segment_key: q.verdict for q in report.quality} == expected
    blocked = {key for key, verdict in expected.items() if verdict == "fail"}
    assert {q.segment_key for q in report.quality if q.status == "blocked"} == blocked
    criteria = ("measurable", "accessible", "stable", "consistent", "overall")
    verdicts = query(
        warehouse,
        "select measurable_verdict, accessible_verdict, stable_verdict, consistent_verdict, verdict "
        "from marts.segment_quality",
    )
    charted = {(count.criterion, count.outcome): count.segment_keys for count in report.quality_counts}
    assert charted == Counter(pair for row in verdicts for pair in zip(criteria, row))
    html = report.html_path.read_text()
    statuses = re.findall(r'<td class="(published|blocked)">', html)
    assert len(statuses) == len(expected)
    assert statuses.count("blocked") == list(expected.values()).count("fail")


def test_html_embeds_every_chart_and_needs_nothing_else(report: Report) -> None:
    html = report.html_path.read_text()
    embedded = re.findall(r'<img src="data:image/png;base64,([^"]+)"[^>]*data-file="([^"]+)"', html)
    assert [name for _, name in embedded] == list(CHART_FILES)
    for data, name in embedded:
        png = (report.html_path.parent / name).read_bytes()
        assert base64.b64decode(data) == png and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert [path.name for path in report.chart_paths] == list(CHART_FILES)
    assert not re.search(r'(?:src|href)="(?!data:)', html), "the page must not load anything"


def test_earlier_as_of_reads_nothing_recorded_after_it(earlier_report: Report, warehouse: Path, as_of: dt.date) -> None:
    report, earlier = earlier_report, as_of - EARLIER
    assert report.as_of == earlier and report.html_path.name == "segment_report.html"
    assert report.html_path.parent.name == str(earlier)
    assert {(s.segment_key, s.entity_type): s.members for s in report.sizes} == members(warehouse, earlier)
    assert all(s.previous_members is None for s in report.sizes)
    assert {p.as_of_date for p in report.trends} == {earlier}
    assert report.nps and {n.quarter for n in report.nps} == {last_complete_quarter(earlier)}
    assert report.pareto == [] and report.quality == [] and report.quality_counts == []
    html = report.html_path.read_text()
    assert "Value tiers are kept for the warehouse&#x27;s as_of only" in html
    assert f"No quality run recorded for {earlier}" in html
    written = {path.name for path in report.html_path.parent.iterdir()}
    assert written == {"segment_report.html", *CHART_FILES} - {"value_tier_pareto.png", "segment_quality.png"}


def test_unknown_as_of_fails_listing_the_recorded_dates(
    warehouse: Path, as_of: dt.date, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--warehouse", str(warehouse), "--as-of", "2001-01-01", "--out", str(tmp_path)])
    error = capsys.readouterr().err
    assert code == 2
    assert "as_of 2001-01-01 is not in marts.fct_segment_membership_history" in error
    assert f"available as_of dates: {as_of - EARLIER}, {as_of}" in error
    assert not any(tmp_path.iterdir())


CHECK_IMAGES = """<script>
addEventListener("load", () => {
  const widths = [...document.images].map((image) => (image.complete ? image.naturalWidth : 0));
  document.body.setAttribute("data-image-widths", widths.join(","));
  document.body.setAttribute("data-page-height", String(document.documentElement.scrollHeight));
});
</script></body>"""


CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)


def tables_of(dom: str) -> dict[str, list[list[str]]]:
    """Every table of a rendered DOM by its header row (cells joined by "|"): its body rows' cell texts."""
    tables = {}
    for table in re.findall(r"<table[^>]*>(.*?)</table>", dom, re.S):
        rows = [
            [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(CELL, row)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
        ]
        tables["|".join(rows[0])] = rows[1:]
    return tables


def test_rendered_page_shows_the_marts_figures(
    report: Report, warehouse: Path, as_of: dt.date, chromium: str, tmp_path: Path
) -> None:
    """Chromium renders the page: every chart decoded at its PNG width, the sizes table's member
    counts and the MRR table's figures those of the marts; the full page is kept as a screenshot."""
    probe = tmp_path / "probe.html"
    probe.write_text(report.html_path.read_text().replace("</body>", CHECK_IMAGES))
    dom = render(chromium, probe.as_uri(), tmp_path / "chromium", window="1200,900", budget_ms=5000)
    widths = re.search(r'data-image-widths="([^"]*)"', dom)
    height = re.search(r'data-page-height="(\d+)"', dom)
    assert widths and height, dom[-2000:]
    png_widths = [struct.unpack(">I", path.read_bytes()[16:20])[0] for path in report.chart_paths]
    assert [int(width) for width in widths.group(1).split(",")] == png_widths
    assert all(width > 300 for width in png_widths)

    tables = tables_of(dom)
    sizes = tables["segment|family|entity|members|previous as_of|change"]
    assert {(row[0], row[2]): int(row[3]) for row in sizes} == members(warehouse, as_of)
    assert len(sizes) == len(members(warehouse, as_of)) > 20
    ((start, new, expansion, contraction, churn, reactivation, end),) = query(
        warehouse,
        "select starting_mrr, new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr, ending_mrr "
        f"from marts.fct_mrr_monthly where mrr_month = '{as_of.replace(day=1)}'",
    )
    steps = [start, new, expansion, -contraction, -churn, reactivation, end]
    assert [row[1] for row in tables["step|MRR (USD)"]] == [f"{value:,.2f}" for value in steps] and end > 0
    assert text_of(dom).startswith(f"Customer segments on {as_of}")

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "segment-report.png"
    screenshot.unlink(missing_ok=True)
    render(chromium, report.html_path.as_uri(), tmp_path / "chromium", screenshot, f"1200,{height.group(1)}", 5000)
    assert screenshot.stat().st_size > 100_000
    assert struct.unpack(">II", screenshot.read_bytes()[16:24]) == (1200, int(height.group(1)))
