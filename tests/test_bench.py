"""The benchmark's targets table judges the recorded figures against their bounds; the
check build's comparison finds a mart relation that differs."""

from __future__ import annotations

from pathlib import Path

import duckdb

from saas_segments.bench import differing_marts, target_lines


def record(
    full: float, rss: int, incremental: float, scan: float, differing: list[str] | None = None, rebuild: float | None = None
) -> dict[str, object]:
    """A results.json record with the DuckDB steps (the full rebuild when given), their ratios
    and (optionally) the checks' outcome."""
    steps = [
        {"name": "scan", "seconds": scan, "peak_rss_mb": None},
        {"name": "full build", "seconds": full, "peak_rss_mb": rss},
        {"name": "incremental", "seconds": incremental, "peak_rss_mb": rss // 2},
    ]
    ratios = {"full / scan": full / scan, "incremental / full": incremental / full}
    if rebuild is not None:
        steps.append({"name": "full rebuild", "seconds": rebuild, "peak_rss_mb": rss})
        ratios["full rebuild / scan"] = rebuild / scan
    found: dict[str, object] = {"steps": steps, "ratios": ratios}
    if differing is not None:
        found["differing"] = differing
    return found


def test_targets_are_judged_per_scale_and_only_for_measured_scales() -> None:
    l_record = record(full=130.0, rss=7000, incremental=12.0, scan=20.0, differing=["dim_users"], rebuild=90.0)
    demo = record(full=19.5, rss=300, incremental=15.0, scan=0.2, differing=[])
    s_record = record(full=50.0, rss=900, incremental=9.0, scan=5.0)
    s_record["steps"].append({"name": "postgres", "seconds": 210.0, "peak_rss_mb": 900})  # type: ignore[attr-defined]
    lines = target_lines({"l": l_record, "m": record(50.0, 900, 9.0, 5.0), "demo": demo, "s": s_record})

    rows = [line for line in lines if line.startswith("| ")][2:]
    assert rows == [
        "| demo | full build <= 20 s | 19.500 | yes |",
        "| l | full build <= 120 s | 130.000 | no |",
        "| l | full rebuild from the staged layer <= 120 s | 90.000 | yes |",
        "| l | full build peak RSS <= 8 GB | 7,000.000 | yes |",
        "| s | incremental <= 10 % of full | 0.180 | no |",
        "| m | incremental <= 10 % of full | 0.180 | no |",
        "| l | incremental <= 10 % of full | 0.092 | yes |",
        "| m | full build <= 5x scan | 10.000 | no |",
        "| l | full build <= 5x scan | 6.500 | no |",
        "| l | full rebuild <= 5x scan | 4.500 | yes |",
        "| s | postgres <= 203.4 s | 210.000 | no |",
        "| demo | refreshed or rebuilt marts differing from a from-scratch build = 0 | 0.000 | yes |",
        "| l | refreshed or rebuilt marts differing from a from-scratch build = 0 | 1.000 | no |",
    ]


def test_check_build_comparison_names_the_differing_mart_on_the_as_of_and_skips_the_run_history(tmp_path: Path) -> None:
    """Two warehouses with the same rows in one mart and a changed row in another (in
    either direction): only the changed one is named; rows of another as_of and a
    relation that compares with the previous as_of are not compared."""
    for name, nps in (("left", 40), ("right", 41)):
        (tmp_path / name).mkdir()
        with duckdb.connect(str(tmp_path / name / "warehouse.duckdb")) as connection:
            connection.execute("create schema marts")
            connection.execute("create schema intermediate")
            connection.execute("create table intermediate.int_as_of_date as select date '2026-06-30' as as_of_date")
            connection.execute("create table marts.dim_accounts as select 'a1' as account_id, 10 as arr union all select 'a1', 10")
            connection.execute(f"create table marts.fct_nps_quarterly as select 'all' as dimension, {nps} as nps")
            connection.execute(f"create table marts.segment_quality as select {nps} as run")
            connection.execute(
                f"create table marts.fct_segment_membership_history as select date '2026-06-30' as as_of_date, 'u1' as id"
                f" union all select date '2026-06-{nps - 12}', 'u2'"
            )
    left, right = tmp_path / "left" / "warehouse.duckdb", tmp_path / "right" / "warehouse.duckdb"

    assert differing_marts(left, right) == (3, ["fct_nps_quarterly"])
    assert differing_marts(left, left, ()) == (4, [])
    assert differing_marts(left, right, ())[1] == ["fct_nps_quarterly", "segment_quality"]
