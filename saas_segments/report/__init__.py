"""Segment report: one self-contained HTML page plus PNG charts for an as_of.

``python -m saas_segments.report [--target duckdb|postgres] [--as-of DATE] [--out reports]``
writes ``<out>/<as_of>/segment_report.html`` and the charts beside it. The figures come
from SELECTs on the marts' ``rpt_*`` views of a DuckDB file or a PostgreSQL database
(read-only connection, see :mod:`saas_segments.report.queries`); this module only lays
them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from saas_segments.report import charts, queries
from saas_segments.report.page import Section, Table, render
from saas_segments.report.queries import (
    MrrMonth,
    NpsScore,
    ParetoPoint,
    Postgres,
    QualityVerdict,
    ReportError,
    SegmentSize,
    Source,
    TrendPoint,
    VerdictCount,
)

HTML_FILE = "segment_report.html"
CHART_FILES = (
    "segment_sizes.png",
    "segment_trends.png",
    "value_tier_pareto.png",
    "mrr_waterfall.png",
    "nps_by_tier_and_plan.png",
    "segment_quality.png",
)

__all__ = ["Report", "ReportError", "Postgres", "build_report", "HTML_FILE", "CHART_FILES"]


@dataclass(frozen=True)
class Report:
    """What was written and the figures it shows."""

    as_of: dt.date
    warehouse_as_of: dt.date
    html_path: Path
    chart_paths: list[Path]
    sizes: list[SegmentSize]
    trends: list[TrendPoint]
    pareto: list[ParetoPoint]
    mrr: MrrMonth | None
    nps: list[NpsScore]
    quality: list[QualityVerdict]
    quality_counts: list[VerdictCount]


def build_report(source: Source, out_root: Path, as_of: dt.date | None = None) -> Report:
    """Read the marts of ``source`` (a DuckDB file or a PostgreSQL database) for ``as_of``
    (default: the warehouse's); write the page and charts to ``out_root/<as_of>/``."""
    with queries.connect(source) as reader:
        built_for = queries.warehouse_as_of(reader)
        as_of = queries.resolve_as_of(reader, as_of)
        report = Report(
            as_of=as_of,
            warehouse_as_of=built_for,
            html_path=out_root / str(as_of) / HTML_FILE,
            chart_paths=[],
            sizes=queries.fetch(reader, queries.SEGMENT_SIZES, SegmentSize, as_of),
            trends=queries.fetch(reader, queries.SEGMENT_TRENDS, TrendPoint, as_of),
            pareto=queries.fetch(reader, queries.VALUE_TIER_PARETO, ParetoPoint, as_of),
            mrr=queries.mrr_month(reader, as_of),
            nps=queries.fetch(reader, queries.NPS_BY_TIER_AND_PLAN, NpsScore, as_of),
            quality=queries.fetch(reader, queries.QUALITY_VERDICTS, QualityVerdict, as_of),
            quality_counts=queries.fetch(reader, queries.QUALITY_COUNTS, VerdictCount, as_of),
        )
    sections = _sections(report)
    out_dir = report.html_path.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in CHART_FILES:
        (out_dir / name).unlink(missing_ok=True)
    for section in sections:
        if section.chart is not None:
            path = out_dir / section.chart_file
            path.write_bytes(section.chart)
            report.chart_paths.append(path)
    subtitle = f"as of {as_of} · {queries.describe(source)} (built as of {built_for})"
    report.html_path.write_text(render(f"Customer segments on {as_of}", subtitle, sections), encoding="utf-8")
    return report


def _sections(report: Report) -> list[Section]:
    as_of = str(report.as_of)
    return [
        _sizes(report, as_of),
        _trends(report),
        _pareto(report, as_of),
        _mrr(report),
        _nps(report),
        _quality(report),
    ]


def _sizes(report: Report, as_of: str) -> Section:
    has_previous = any(size.previous_members is not None for size in report.sizes)
    return Section(
        title="Segment sizes",
        caption=f"Members of each segment on {as_of}"
        + ("; the black tick is the previous recorded as_of." if has_previous else ".")
        + " Trait and need keys are in the table below.",
        chart=charts.segment_sizes(report.sizes, as_of),
        chart_file="segment_sizes.png",
        tables=[
            Table(
                header=["segment", "family", "entity", "members", "previous as_of", "change"],
                rows=[
                    [
                        size.segment_key,
                        size.family,
                        size.entity_type,
                        size.members,
                        size.previous_members,
                        None if size.previous_members is None else f"{size.members - size.previous_members:+d}",
                    ]
                    for size in report.sizes
                ],
                numeric=frozenset({"members", "previous as_of", "change"}),
            )
        ],
        collapsed_table_title=f"All {len(report.sizes)} segment keys, incl. traits and needs",
    )


def _trends(report: Report) -> Section:
    dates = sorted({point.as_of_date for point in report.trends})
    if not dates:
        return Section(title="Segment sizes over time", note=f"No segment members recorded up to {report.as_of}.")
    return Section(
        title="Segment sizes over time",
        caption=f"Members per segment on each recorded as_of up to {report.as_of} "
        f"({len(dates)} dates, {dates[0]} to {dates[-1]}), one panel per family; trait and need keys left out.",
        chart=charts.segment_trends(report.trends),
        chart_file="segment_trends.png",
    )


def _pareto(report: Report, as_of: str) -> Section:
    if not report.pareto:
        return Section(
            title="Value tiers (Pareto)",
            note=f"Value tiers are kept for the warehouse's as_of only ({report.warehouse_as_of}); "
            f"build the warehouse as of {as_of} to chart them for that date.",
        )
    total_arr = sum(point.arr_usd for point in report.pareto)
    return Section(
        title="Value tiers (Pareto)",
        caption=f"{len(report.pareto)} paying accounts ranked by ARR (total {charts.usd(float(total_arr))} ARR): "
        "high = the top accounts holding value_tier_high_share of ARR, medium the next value_tier_medium_share.",
        chart=charts.value_tier_pareto(report.pareto, as_of),
        chart_file="value_tier_pareto.png",
    )


def _mrr(report: Report) -> Section:
    month = report.mrr
    if month is None:
        return Section(title="MRR movements", note=f"No MRR month measured on or before {report.as_of}.")
    return Section(
        title="MRR movements",
        caption=f"{month.mrr_month:%B %Y}: start + new + expansion − contraction − churn + reactivation = end "
        "(marts.fct_mrr_monthly).",
        chart=charts.mrr_waterfall(month),
        chart_file="mrr_waterfall.png",
        tables=[
            Table(
                header=["step", "MRR (USD)"],
                rows=[[label, f"{value:,.2f}"] for label, value in month.steps()],
                numeric=frozenset({"MRR (USD)"}),
            )
        ],
    )


def _nps(report: Report) -> Section:
    if not report.nps:
        return Section(title="NPS by value tier and plan", note=f"No NPS quarter complete by {report.as_of}.")
    return Section(
        title="NPS by value tier and plan",
        caption=f"The last quarter complete by {report.as_of} (starting {report.nps[0].quarter}), the latest response "
        "per user; plan and value tier are the account's on the warehouse's as_of (marts.fct_nps_quarterly). "
        "Diamonds: the previous quarter.",
        chart=charts.nps_by_tier_and_plan(report.nps),
        chart_file="nps_by_tier_and_plan.png",
    )


def _quality(report: Report) -> Section:
    if not report.quality:
        return Section(
            title="Segment quality",
            note=f"No quality run recorded for {report.as_of} (marts.segment_quality_history keeps published runs).",
        )
    source = (
        "marts.segment_quality"
        if report.as_of == report.warehouse_as_of
        else "the latest published run in marts.segment_quality_history"
    )
    return Section(
        title="Segment quality",
        caption=f"Verdicts per criterion from {source}; a fail blocks publishing.",
        chart=charts.quality_verdicts(report.quality_counts),
        chart_file="segment_quality.png",
        tables=[
            Table(
                header=["segment", "family", "members", "measurable", "accessible", "stable", "consistent",
                        "verdict", "status", "why not pass"],
                rows=[
                    [q.segment_key, q.family, q.member_count, q.measurable, q.accessible, q.stable, q.consistent,
                     q.verdict, q.status, q.reasons]
                    for q in report.quality
                ],
                numeric=frozenset({"members"}),
                classes=frozenset({"measurable", "accessible", "stable", "consistent", "verdict", "status"}),
                css_class="quality",
            )
        ],
    )
