"""As-of correctness: nothing after as_of influences a result, and a new as_of is not a
parse from scratch."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import EVENTS_WITH_IDS, differing_rows, query
from saas_segments.project import PROJECT_DIR, dbt

#: The nodes the test reads (the segment tables write the membership history) and
#: everything upstream, with their data tests.
MEMBERSHIP = "+tag:segment +fct_segment_membership"

# What was known at the end of the as_of day, table by table: rows whose event time is
# later did not exist yet, and later outcomes (conversion, cancellation, deletion,
# resolution) had not happened. Scheduled dates (trial ends, period ends) were known.
KNOWN_ROWS = {
    "accounts": "created_at < $cut",
    "users": "created_at < $cut",
    "events": "occurred_at < $cut",
    "trials": "started_at < $cut",
    "subscriptions": "period_start < cast($cut as date)",
    "invoices": "issued_at < $cut",
    "fx_rates": "rate_date < cast($cut as date)",
    "nps_responses": "responded_at < $cut",
    "web_touches": "occurred_at < $cut",
    "support_tickets": "created_at < $cut",
    "onboarding_milestones": "completed_at < $cut",
}
LATER_OUTCOMES = {
    "users": ["deleted_at"],
    "trials": ["converted_at", "cancelled_at"],
    "support_tickets": ["resolved_at"],
}


def truncate_raw_dir(source: Path, target: Path, as_of: dt.date) -> None:
    """Copy a Parquet raw dir keeping only what was known by the end of ``as_of``."""
    target.mkdir(parents=True)
    cut = f"timestamptz '{as_of + dt.timedelta(days=1)} 00:00:00+00'"
    with duckdb.connect() as connection:
        connection.execute("set timezone = 'UTC'")
        for path in sorted(source.iterdir()):
            if path.name.startswith("_"):
                continue
            table = path.name.removesuffix(".parquet")
            reader = f"read_parquet('{path}/*.parquet')" if path.is_dir() else f"read_parquet('{path}')"
            columns = [row[0] for row in connection.execute(f"describe select * from {reader}").fetchall()]
            select = ", ".join(
                f"case when {c} >= {cut} then null else {c} end as {c}" if c in LATER_OUTCOMES.get(table, []) else c
                for c in columns
            )
            where = KNOWN_ROWS.get(table, "true").replace("$cut", cut)
            connection.execute(
                f"copy (select {select} from {reader} where {where}) to '{target / (table + '.parquet')}' (format parquet)"
            )


@pytest.fixture(scope="module")
def earlier_as_of(demo_raw_dir: Path) -> dt.date:
    manifest = json.loads((demo_raw_dir / "_truth" / "manifest.json").read_text())
    return dt.date.fromisoformat(manifest["as_of"]) - dt.timedelta(days=45)


def memberships(warehouse: Path) -> set[tuple]:
    return set(
        query(
            warehouse,
            "select cast(as_of_date as varchar), segment_key, entity_type, entity_id, reason "
            "from marts.fct_segment_membership",
        )
    )


def test_later_data_does_not_change_an_earlier_as_of(
    build_warehouse: Callable[..., Path],
    demo_raw_dir: Path,
    demo_warehouse: Path,
    earlier_as_of: dt.date,
    tmp_path: Path,
) -> None:
    truncated = tmp_path / "known_by_then"
    truncate_raw_dir(demo_raw_dir, truncated, earlier_as_of)
    with_future = build_warehouse(demo_raw_dir, "as_of_full", dbt_vars={"as_of": str(earlier_as_of)}, select=MEMBERSHIP)
    without_future = build_warehouse(truncated, "as_of_truncated", dbt_vars={"as_of": str(earlier_as_of)}, select=MEMBERSHIP)

    then = memberships(with_future)
    assert then == memberships(without_future)
    assert {row[0] for row in then} == {str(earlier_as_of)}
    # the per-user figures cut the totals kept over every day loaded at as_of: users
    # active after it are counted from their days before it
    cut = query(
        with_future,
        "select count(*) from intermediate.int_events_aggregated_to_users"
        f" where last_event_date > date '{earlier_as_of}' and first_event_date <= date '{earlier_as_of}'",
    )[0][0]
    assert cut > 0
    for model in ["int_user_engagement", "int_user_feature_usage"]:
        assert differing_rows(with_future, without_future, "intermediate", model) == (0, 0), model

    # users whose behaviour changed after the earlier date are classified as of then:
    # every user inactive now but not then fails the rule on the days known then (still
    # active in the 30 days up to then, or too few active days in the 60 before them),
    # counted here from the staged events, not from the models
    now = memberships(demo_warehouse)
    inactive_then = {row[3] for row in then if row[1] == "inactive_users"}
    inactive_now = {row[3] for row in now if row[1] == "inactive_users"}
    changed = sorted(inactive_now - inactive_then)
    assert changed, "the demo data has users who drop off after the earlier date"
    rule = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    recent_days, baseline_days = rule["recent_window_days"], rule["baseline_window_days"]
    days = {
        user: (recent, baseline)
        for user, recent, baseline in query(
            demo_warehouse,
            "select user_id,"
            f" count(distinct case when event_date > date '{earlier_as_of}' - {recent_days} then event_date end),"
            f" count(distinct case when event_date <= date '{earlier_as_of}' - {recent_days} then event_date end)"
            f" from {EVENTS_WITH_IDS} as events where event_type in ('login', 'feature_used')"
            f" and event_date between date '{earlier_as_of}' - {recent_days + baseline_days - 1} and date '{earlier_as_of}'"
            f" and user_id in ({', '.join(repr(u) for u in changed)}) group by user_id",
        )
    }
    inactive_by_then = [
        user
        for user, (recent, baseline) in days.items()
        if baseline >= rule["inactive_min_baseline_days"]
        and recent * baseline_days <= rule["inactive_max_rate_ratio"] * baseline * recent_days
    ]
    assert inactive_by_then == [], days
    assert sum(1 for recent, _ in days.values() if recent >= 1) >= len(changed) / 2, days


def test_a_new_as_of_keeps_the_parse(demo_raw_dir: Path, tmp_path: Path) -> None:
    """Each day's as_of reaches dbt outside its vars (macros/run_inputs.sql): a run on a new
    day re-parses only what changed, and computes as of the day it was given."""
    warehouse = tmp_path / "warehouse.duckdb"
    for day in ("2026-01-05", "2026-01-06"):
        target = tmp_path / f"target_{day}"
        process = dbt(
            ["compile", "--select", "int_as_of_date"],
            raw_dir=demo_raw_dir, warehouse=warehouse, dbt_vars={"as_of": day}, target_path=target,
        )
        compiled = next(target.rglob("compiled/**/int_as_of_date.sql")).read_text()
        assert f"cast('{day}' as date) as as_of_date" in compiled, compiled
    assert "Unable to do partial parsing" not in process.stdout, process.stdout[-3000:]


def test_a_target_dir_shared_by_runs_with_other_vars_keeps_each_ones_parse(demo_raw_dir: Path, tmp_path: Path) -> None:
    """Runs with two sets of vars take turns in one target dir (as a refresh's steps do):
    each starts from the parse kept for its own vars, not the other's left in the dir."""
    warehouse, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    for dbt_vars in ({"min_segment_size_demo": 7}, {"min_segment_size_demo": 8}, {"min_segment_size_demo": 7}):
        process = dbt(
            ["compile", "--select", "int_as_of_date"],
            raw_dir=demo_raw_dir, warehouse=warehouse, dbt_vars=dbt_vars, target_path=target,
        )
    assert "Unable to do partial parsing" not in process.stdout, process.stdout[-3000:]


def test_the_file_log_keeps_info_events_unless_asked_for_debug(tmp_path: Path) -> None:
    """dbt's file log leaves out the debug events (every SQL statement) by default, and
    DBT_LOG_LEVEL_FILE=debug brings them back."""
    lines = {}
    for level in ("default", "debug"):
        logs = tmp_path / level
        extra = {"DBT_LOG_PATH": str(logs)} | ({"DBT_LOG_LEVEL_FILE": level} if level == "debug" else {})
        dbt(["ls", "--select", "int_as_of_date"], env=extra, target_path=tmp_path / f"target_{level}")
        lines[level] = (logs / "dbt.log").read_text().splitlines()
    assert any("[info ]" in line for line in lines["default"]), lines["default"][:5]
    assert not any("[debug]" in line for line in lines["default"]), lines["default"][:5]
    assert any("[debug]" in line for line in lines["debug"]), lines["debug"][:5]
