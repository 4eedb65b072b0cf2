"""The report's charts: matplotlib figures on the Agg canvas, returned as PNG bytes."""

from __future__ import annotations

import datetime as dt
import io
from itertools import groupby

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from saas_segments.report.queries import MrrMonth, NpsScore, ParetoPoint, SegmentSize, TrendPoint, VerdictCount

FAMILY_COLORS = {
    "lifecycle": "#4c72b0",
    "engagement": "#55a868",
    "value": "#dd8452",
    "satisfaction": "#8172b3",
    "journey": "#937860",
    "other": "#8c8c8c",
}
TIER_COLORS = {"high": "#c44e52", "medium": "#dd8452", "low": "#4c72b0"}
VERDICT_COLORS = {"pass": "#55a868", "warn": "#ccb974", "fail": "#c44e52"}
UP, DOWN, TOTAL = "#55a868", "#c44e52", "#4c72b0"


def png(figure: Figure) -> bytes:
    """Render a figure with the Agg backend to PNG bytes."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def usd(value: float, _position: object = None) -> str:
    """USD with a k / M suffix, e.g. $12.3k."""
    for divisor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if abs(value) >= divisor:
            return f"${value / divisor:,.1f}{suffix}"
    return f"${value:,.0f}" if abs(value) >= 10 or value == 0 else f"${value:,.2f}"


def segment_sizes(sizes: list[SegmentSize], as_of: str) -> bytes:
    """Members per segment on as_of (trait and need keys left out), coloured by family, with the previous as_of."""
    shown = [size for size in sizes if ":" not in size.segment_key][::-1]
    figure = Figure(figsize=(9, 0.32 * len(shown) + 1.4))
    axes = figure.subplots()
    positions = range(len(shown))
    bars = axes.barh(
        positions,
        [size.members for size in shown],
        color=[FAMILY_COLORS.get(size.family, FAMILY_COLORS["other"]) for size in shown],
    )
    axes.bar_label(bars, padding=3, fontsize=8)
    previous = [
        (position, size.previous_members)
        for position, size in zip(positions, shown)
        if size.previous_members is not None
    ]
    if previous:
        axes.scatter(
            [members for _, members in previous], [position for position, _ in previous],
            marker="|", s=160, color="black", zorder=3, label="previous as_of",
        )
    axes.set_yticks(list(positions), [f"{size.segment_key} ({size.entity_type}s)" for size in shown], fontsize=8)
    axes.set_xlabel("members")
    axes.set_title(f"Segment sizes on {as_of}")
    families = {size.family for size in shown}
    handles = [Patch(color=color, label=family) for family, color in FAMILY_COLORS.items() if family in families]
    axes.legend(handles=handles + axes.collections[:1], fontsize=8, loc="lower right")
    axes.margins(x=0.12)
    return png(figure)


def segment_trends(points: list[TrendPoint]) -> bytes:
    """Members per segment over every as_of up to the report's, one panel per family."""
    families = [(family, list(group)) for family, group in groupby(points, key=lambda point: point.family)]
    columns = 2
    rows = (len(families) + columns - 1) // columns
    dates = sorted({point.as_of_date for point in points})
    figure = Figure(figsize=(11, 3.2 * rows))
    panels = figure.subplots(rows, columns, squeeze=False, sharex=True).flatten()
    for axes, (family, family_points) in zip(panels, families):
        for segment_key, segment_points in groupby(family_points, key=lambda point: point.segment_key):
            series = list(segment_points)
            axes.plot(
                [point.as_of_date for point in series], [point.members for point in series],
                marker="o", markersize=4, label=segment_key,
            )
        axes.set_title(family)
        axes.set_ylabel("members")
        axes.set_ylim(bottom=0)
        axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        axes.tick_params(axis="x", labelrotation=30, labelsize=8, labelbottom=True)
        axes.grid(alpha=0.3)
    if len(dates) <= 8:
        panels[0].set_xticks(dates, [str(day) for day in dates])
    else:
        panels[0].xaxis.set_major_formatter(ConciseDateFormatter(panels[0].xaxis.get_major_locator()))
    padding = max((dates[-1] - dates[0]) / 20, dt.timedelta(days=3))
    panels[0].set_xlim(dates[0] - padding, dates[-1] + padding)
    for axes in panels[len(families):]:
        axes.set_visible(False)
    figure.suptitle("Segment sizes over time (every recorded as_of)")
    figure.tight_layout()
    return png(figure)


def value_tier_pareto(points: list[ParetoPoint], as_of: str) -> bytes:
    """Cumulative share of ARR against cumulative share of paying accounts, by ARR rank, tier ends marked."""
    figure = Figure(figsize=(8, 5.5))
    axes = figure.subplots()
    axes.plot([0, 1], [0, 1], linestyle=":", color="#8c8c8c", label="equal shares")
    previous = (0.0, 0.0)
    for tier, tier_points in groupby(points, key=lambda point: point.value_tier):
        series = [previous] + [(point.account_share, point.cumulative_arr_share) for point in tier_points]
        axes.plot([x for x, _ in series], [y for _, y in series], color=TIER_COLORS[tier], linewidth=2.5,
                  label=f"{tier} tier ({len(series) - 1} accounts)")
        previous = series[-1]
        if tier != "low":
            axes.axvline(previous[0], color=TIER_COLORS[tier], linestyle="--", linewidth=1)
            axes.annotate(
                f"{tier} ends: {previous[0]:.0%} of accounts\nhold {previous[1]:.1%} of ARR",
                xy=previous, xytext=(previous[0] + 0.04, previous[1] - 0.12), fontsize=9,
                arrowprops={"arrowstyle": "->", "color": TIER_COLORS[tier]},
            )
    axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("paying accounts, largest ARR first (cumulative share)")
    axes.set_ylabel("cumulative share of ARR")
    axes.set_title(f"Value tiers: ARR Pareto curve on {as_of}")
    axes.legend(loc="lower right", fontsize=9)
    axes.grid(alpha=0.3)
    return png(figure)


def mrr_waterfall(month: MrrMonth) -> bytes:
    """Start MRR, each movement as a floating bar, end MRR; the bars add up (checked when the month is read).

    When the movements are small next to MRR the value axis starts above zero, so they stay visible.
    """
    steps = [(label, float(value)) for label, value in month.steps()]
    levels = [steps[0][1]]
    for _, amount in steps[1:-1]:
        levels.append(levels[-1] + amount)
    low, high = min(levels), max(levels)
    floor = max(0.0, low - max(high - low, 0.05 * high)) if 0 < high - low < 0.5 * high else 0.0
    figure = Figure(figsize=(9, 5))
    axes = figure.subplots()
    for position, (label, amount) in enumerate(steps):
        is_total = position in (0, len(steps) - 1)
        bottom = 0.0 if is_total else levels[position - 1]
        color = TOTAL if is_total else (UP if amount >= 0 else DOWN)
        bar = axes.bar(position, amount, bottom=bottom, color=color, width=0.6)
        sign = "" if is_total or amount == 0 else ("+" if amount > 0 else "−")
        axes.bar_label(bar, labels=[f"{sign}{usd(abs(amount))}"], fontsize=9, padding=2)
        if position < len(steps) - 1:
            axes.plot([position + 0.3, position + 0.7], [levels[position]] * 2, color="#8c8c8c", linewidth=0.8)
    axes.set_xticks(range(len(steps)), [label for label, _ in steps])
    axes.yaxis.set_major_formatter(FuncFormatter(usd))
    axes.set_ylim(floor, high + 0.12 * (high - floor))
    axes.set_ylabel("MRR (USD)" + (f", axis from {usd(floor)}" if floor else ""))
    axes.set_title(f"MRR movements, {month.mrr_month:%B %Y} (measured on {month.measured_on_date})")
    axes.grid(axis="y", alpha=0.3)
    return png(figure)


def nps_by_tier_and_plan(scores: list[NpsScore]) -> bytes:
    """NPS of the quarter per value tier and per plan, with the previous quarter's NPS as a marker."""
    figure = Figure(figsize=(10, 4.5))
    panels = figure.subplots(1, 2, sharey=True)
    for axes, dimension, title in zip(panels, ("value_tier", "plan"), ("by value tier", "by plan")):
        rows = [score for score in scores if score.dimension == dimension]
        positions = range(len(rows))
        nps = [row.nps for row in rows]
        bars = axes.bar(positions, nps, color=[UP if value >= 0 else DOWN for value in nps], width=0.6)
        axes.bar_label(bars, labels=[f"{row.nps:+.0f}\n(n={row.responses})" for row in rows], fontsize=8, padding=2)
        earlier = [
            (position, row.previous_quarter_nps)
            for position, row in zip(positions, rows)
            if row.previous_quarter_nps is not None
        ]
        axes.scatter(
            [position for position, _ in earlier], [value for _, value in earlier],
            marker="D", color="black", s=22, zorder=3, label="previous quarter",
        )
        axes.set_xticks(list(positions), [row.dimension_value for row in rows])
        axes.axhline(0, color="black", linewidth=0.8)
        axes.set_title(title)
        axes.grid(axis="y", alpha=0.3)
    panels[0].set_ylabel("NPS (% promoters − % detractors)")
    panels[0].set_ylim(-100, 110)
    panels[1].legend(fontsize=8, loc="lower right")
    quarter = scores[0].quarter
    figure.suptitle(f"NPS, Q{(quarter.month - 1) // 3 + 1} {quarter.year}")
    figure.tight_layout()
    return png(figure)


def quality_verdicts(counts: list[VerdictCount]) -> bytes:
    """Segment keys per outcome (pass / warn / fail) for each criterion and overall."""
    criteria = ["measurable", "accessible", "stable", "consistent", "overall"][::-1]
    keys = {(count.criterion, count.outcome): count.segment_keys for count in counts}
    total = sum(number for (criterion, _), number in keys.items() if criterion == "overall")
    blocked = keys.get(("overall", "fail"), 0)
    figure = Figure(figsize=(9, 3.8))
    axes = figure.subplots()
    left = [0] * len(criteria)
    for outcome, color in VERDICT_COLORS.items():
        widths = [keys.get((criterion, outcome), 0) for criterion in criteria]
        bars = axes.barh(criteria, widths, left=left, color=color, label=outcome)
        axes.bar_label(bars, labels=[str(width) if width else "" for width in widths], label_type="center", fontsize=9)
        left = [start + width for start, width in zip(left, widths)]
    axes.set_xlabel("segment keys")
    axes.set_title(f"Quality verdicts: {total - blocked} published, {blocked} blocked of {total} segment keys")
    axes.legend(ncols=3, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    return png(figure)
