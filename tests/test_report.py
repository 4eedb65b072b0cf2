"""The segment report (``make report``): its figures against the marts, on DuckDB and on
PostgreSQL with the same figures, and the page in headless Chromium.

A copy of the demo warehouse gets a second as_of (a week earlier, about a tenth of the
members left out) in the membership history, so trends and previous sizes have data.
The PostgreSQL warehouse (database `report_test`) is built from the same demo raw dir
(a copy of the demo published once per test run, conftest's `pg_demo_copy`) and gets
the same second as_of.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import shutil
import struct
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg2
import pytest
import yaml

from saas_segments import pg_load
from saas_segments.project import PROJECT_DIR, dbt
from saas_segments.report import CHART_FILES, Postgres, Report, build_report, queries
from saas_segments.report.__main__ import main

from conftest import ARTIFACTS, query, render, text_of

EARLIER = dt.timedelta(days=7)
PG_DATABASE = "report_test"
#: the earlier as_of: the warehouse's members a week before, those whose id ends in 7 left out
RECORD_EARLIER_AS_OF = """
insert into marts.fct_segment_membership_history
    (as_of_date, segment_key, entity_type, entity_id, reason, model_name)
select as_of_date - 7, segment_key, entity_type, entity_id, reason, model_name
from marts.fct_segment_membership_history
where as_of_date = (select as_of_date from intermediate.int_as_of_date) and right(entity_id, 1) != '7'
"""


def rebuild_segment_quality(raw_dir: Path, target_path: Path, **where: object) -> None:
    """``segment_quality`` rebuilt once every segment table exists, as ``make build`` does (within one
    ``dbt build`` it may run before some segment and judge it as not built), with the report's views
    on it, which PostgreSQL drops with the replaced table."""
    dbt(["run", "--select", "segment_quality+"], raw_dir=raw_dir, target_path=target_path, **where)


@pytest.fixture(scope="module")
def warehouse(demo_warehouse: Path, demo_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse copied (same file name, so its views resolve), segment_quality rebuilt, a second as_of."""
    workdir = tmp_path_factory.mktemp("report_warehouse")
    copy = workdir / demo_warehouse.name
    shutil.copyfile(demo_warehouse, copy)
    rebuild_segment_quality(demo_raw_dir, workdir / "target", warehouse=copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute(RECORD_EARLIER_AS_OF)
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


def test_report_reads_only_what_its_exposure_declares() -> None:
    """Every relation the report's SELECTs name is a model the `segment_report` exposure depends on."""
    exposures = yaml.safe_load((PROJECT_DIR / "models" / "marts" / "_exposures.yml").read_text())["exposures"]
    (report,) = [exposure for exposure in exposures if exposure["name"] == "segment_report"]
    declared = {re.fullmatch(r"ref\('(\w+)'\)", ref).group(1) for ref in report["depends_on"]}
    statements = [value for name, value in vars(queries).items() if name.isupper() and isinstance(value, str)]
    read = {name for statement in statements for name in re.findall(r"\bfrom\s+marts\.(\w+)", statement)}
    assert len(statements) == 9 and not re.search(r"\bjoin\b", " ".join(statements))
    assert read == declared


def test_unknown_as_of_fails_listing_the_recorded_dates(
    warehouse: Path, as_of: dt.date, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--warehouse", str(warehouse), "--as-of", "2001-01-01", "--out", str(tmp_path)])
    error = capsys.readouterr().err
    assert code == 2
    assert "as_of 2001-01-01 is not in marts.fct_segment_membership_history" in error
    assert f"available as_of dates: {as_of - EARLIER}, {as_of}" in error
    assert not any(tmp_path.iterdir())



# ---- the same report on PostgreSQL --------------------------------------------------


def pg_rows(statement: str) -> list[tuple]:
    connection = pg_load.connect(PG_DATABASE)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


@pytest.fixture(scope="module")
def pg_database(
    pg_demo_copy: Callable[[str], str], demo_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The project built on PostgreSQL from the demo raw dir in `report_test` (a copy of the
    published demo), as the DuckDB warehouse is: no quality run recorded, segment_quality
    rebuilt; then the earlier as_of."""
    pg_demo_copy(PG_DATABASE)
    pg_rows("truncate marts.segment_quality_history")
    env = {"SAAS_TARGET": "postgres", "SAAS_PG_DATABASE": PG_DATABASE}
    rebuild_segment_quality(demo_raw_dir, tmp_path_factory.mktemp("pg_build") / "target", env=env)
    pg_rows(RECORD_EARLIER_AS_OF)
    return PG_DATABASE


@pytest.fixture(scope="module")
def pg_reports(pg_database: str, as_of: dt.date, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    """The report read from PostgreSQL, on the warehouse's as_of and a week earlier."""
    out = tmp_path_factory.mktemp("pg_reports")
    return {
        "report": build_report(Postgres(pg_database), out),
        "earlier_report": build_report(Postgres(pg_database), out, as_of - EARLIER),
    }


FIGURES = ("as_of", "warehouse_as_of", "sizes", "trends", "pareto", "mrr", "nps", "quality", "quality_counts")


def rounded(value: object) -> object:
    """Figures comparable across engines: floats to 9 places, dataclasses field by field."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, list):
        return [rounded(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return tuple(rounded(getattr(value, name)) for name in value.__dataclass_fields__)
    return value


def comparable(rows: list[tuple]) -> list[object]:
    """Rows of either engine, sorted, with decimals and floats rounded alike."""
    return sorted((rounded([float(v) if isinstance(v, Decimal) else v for v in row]) for row in rows), key=repr)


@pytest.mark.parametrize("which", ["report", "earlier_report"])
def test_postgres_report_has_the_duckdb_figures(
    which: str, request: pytest.FixtureRequest, pg_reports: dict[str, Report]
) -> None:
    """Every figure and its order on the page, read from PostgreSQL, equals the DuckDB report's."""
    duck: Report = request.getfixturevalue(which)
    pg = pg_reports[which]
    differing = [name for name in FIGURES if rounded(getattr(pg, name)) != rounded(getattr(duck, name))]
    assert not differing, {name: (getattr(pg, name), getattr(duck, name)) for name in differing}
    assert len(pg.sizes) >= 30 and pg.mrr is not None and pg.nps and pg.trends
    assert pg.html_path.read_text().count("<img ") == len(pg.chart_paths) >= 4


def test_postgres_report_equals_the_postgres_marts(pg_reports: dict[str, Report], as_of: dt.date) -> None:
    report = pg_reports["report"]
    counted = pg_rows(
        "select as_of_date, segment_key, entity_type, count(*) from marts.fct_segment_membership_history "
        "group by as_of_date, segment_key, entity_type"
    )
    now = {(key, entity): members for day, key, entity, members in counted if day == as_of}
    before = {(key, entity): members for day, key, entity, members in counted if day == as_of - EARLIER}
    assert {(s.segment_key, s.entity_type): s.members for s in report.sizes} == now
    assert {(s.segment_key, s.entity_type): s.previous_members for s in report.sizes} == before
    ((paying, arr),) = pg_rows("select count(*), sum(arr_usd) from marts.dim_accounts where is_paying")
    assert len(report.pareto) == paying and sum(p.arr_usd for p in report.pareto) == arr
    assert report.mrr is not None
    ((start, end),) = pg_rows(
        f"select starting_mrr, ending_mrr from marts.fct_mrr_monthly where mrr_month = '{report.mrr.mrr_month}'"
    )
    assert (report.mrr.starting_mrr, report.mrr.ending_mrr) == (start, end)
    verdicts = dict(pg_rows("select segment_key, verdict from marts.segment_quality"))
    assert {q.segment_key: q.verdict for q in report.quality} == verdicts


def test_segment_kpis_monthly_is_the_same_on_postgres(pg_database: str, warehouse: Path) -> None:
    """The per-segment monthly KPIs (a view over the same membership history) agree row for row across engines."""
    columns = (
        "kpi_month, as_of_date, segment_key, entity_type, members, trials_ended, trials_converted, signups, "
        "activated_signups, new_paying_accounts, onboarded_accounts, starting_customers, churned_customers, "
        "starting_mrr, expansion_mrr, contraction_mrr, churned_mrr, nps_responses, nps_promoters, nps_detractors, "
        "trial_conversion_rate, activation_rate, onboarding_completion_rate, logo_churn_rate, gross_mrr_churn_rate, "
        "nrr, nps"
    )
    statement = f"select {columns} from marts.fct_segment_kpis_monthly"
    duck, pg = comparable(query(warehouse, statement)), comparable(pg_rows(statement))
    assert len(duck) >= 60 and duck == pg
    ((members,),) = pg_rows(
        "select count(*) from marts.fct_segment_membership_history "
        "where as_of_date = (select max(as_of_date) from marts.fct_segment_membership_history)"
    )
    assert sum(row[4] for row in pg) == members


def test_report_command_reads_postgres(
    pg_database: str, as_of: dt.date, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``make report TARGET=postgres``: the command writes the page from PostgreSQL, and names its as_of dates."""
    assert main(["--target", "postgres", "--database", pg_database, "--out", str(tmp_path)]) == 0
    page = (tmp_path / str(as_of) / "segment_report.html").read_text()
    assert f"PostgreSQL database {pg_database} (built as of {as_of})" in page
    code = main(["--target", "postgres", "--database", pg_database, "--as-of", "2001-01-01", "--out", str(tmp_path)])
    assert code == 2
    assert f"available as_of dates: {as_of - EARLIER}, {as_of}" in capsys.readouterr().err


def test_unreachable_postgres_database_is_a_clear_error(pg_server: None, tmp_path: Path) -> None:
    with pytest.raises(psycopg2.OperationalError):
        pg_load.connect("report_missing_database").close()
    code = main(["--target", "postgres", "--database", "report_missing_database", "--out", str(tmp_path)])
    assert code == 2 and not any(tmp_path.iterdir())


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
