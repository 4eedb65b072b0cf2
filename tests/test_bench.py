"""The benchmark's targets table judges the recorded figures against their bounds."""

from __future__ import annotations

from saas_segments.bench import target_lines


def record(full: float, rss: int, incremental: float, scan: float) -> dict[str, object]:
    """A results.json record with the three DuckDB steps and their ratios."""
    return {
        "steps": [
            {"name": "scan", "seconds": scan, "peak_rss_mb": None},
            {"name": "full build", "seconds": full, "peak_rss_mb": rss},
            {"name": "incremental", "seconds": incremental, "peak_rss_mb": rss // 2},
        ],
        "ratios": {"full / scan": full / scan, "incremental / full": incremental / full},
    }


def test_targets_are_judged_per_scale_and_only_for_measured_scales() -> None:
    lines = target_lines({"l": record(full=130.0, rss=7000, incremental=12.0, scan=20.0), "m": record(50.0, 900, 9.0, 5.0)})

    rows = [line for line in lines if line.startswith("| l |") or line.startswith("| m |") or line.startswith("| s |")]
    assert rows == [
        "| l | full build <= 120 s | 130.000 | no |",
        "| l | full build peak RSS <= 8 GB | 7,000.000 | yes |",
        "| m | incremental <= 10 % of full | 0.180 | no |",
        "| l | incremental <= 10 % of full | 0.092 | yes |",
        "| m | full build <= 5x scan | 10.000 | no |",
    ]
