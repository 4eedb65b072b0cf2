"""The per-user and per-account activity figures behind the engagement segments equal
counts taken straight from the staged events (not from the daily stores, the kept
per-user totals or their windows)."""

from __future__ import annotations

from pathlib import Path

from conftest import EVENTS_WITH_IDS, query

#: A day with a login or a feature use is active; page views alone are not.
ACTIVE = "event_type in ('login', 'feature_used')"
WINDOWS = f"""
as_of as (select as_of_date, recent_start_date, baseline_start_date, baseline_end_date from intermediate.int_as_of_date),
events as (
    select user_id, account_id, event_date, event_type,
        event_date >= as_of.recent_start_date as in_recent,
        event_date between as_of.baseline_start_date and as_of.baseline_end_date as in_baseline,
        event_date > as_of.as_of_date - 7 as in_last_7
    from {EVENTS_WITH_IDS} as events cross join as_of where event_date <= as_of.as_of_date
)
"""

USER_FIGURES = f"""
with {WINDOWS},
counted as (
    select user_id,
        count(distinct event_date) filter (where {ACTIVE}) as active_days_total,
        min(event_date) filter (where {ACTIVE}) as first_active_date,
        max(event_date) filter (where {ACTIVE}) as last_active_date,
        count(distinct event_date) filter (where {ACTIVE} and in_recent) as active_days_recent,
        count(distinct event_date) filter (where {ACTIVE} and in_baseline) as active_days_baseline,
        count(distinct event_date) filter (where {ACTIVE} and in_last_7) as active_days_last_7,
        count(distinct event_date) filter (where event_type = 'login' and in_recent) as login_days_recent,
        count(distinct event_date) filter (where in_recent) as event_days_recent
    from events group by user_id
)
select users.user_id,
    coalesce(active_days_total, 0), first_active_date, last_active_date, coalesce(active_days_recent, 0),
    coalesce(active_days_baseline, 0), coalesce(active_days_last_7, 0), coalesce(login_days_recent, 0),
    coalesce(event_days_recent, 0)
from intermediate.int_users_as_of as users left join counted on users.user_id = counted.user_id
"""

USER_MODEL = """
select user_id, active_days_total, first_active_date, last_active_date, active_days_recent, active_days_baseline,
    active_days_last_7, login_days_recent, event_days_recent
from intermediate.int_user_engagement
"""

ACCOUNT_FIGURES = f"""
with {WINDOWS},
counted as (
    select account_id,
        count(distinct user_id) filter (where {ACTIVE} and in_recent) as active_users_recent,
        count(distinct user_id) filter (where {ACTIVE} and in_baseline) as active_users_baseline,
        count(distinct event_date) filter (where {ACTIVE} and in_recent) as active_days_recent,
        count(distinct event_date) filter (where {ACTIVE} and in_baseline) as active_days_baseline
    from events group by account_id
)
select accounts.account_id, coalesce(active_users_recent, 0), coalesce(active_users_baseline, 0),
    coalesce(active_days_recent, 0), coalesce(active_days_baseline, 0)
from intermediate.int_accounts_as_of as accounts left join counted on accounts.account_id = counted.account_id
"""

ACCOUNT_MODEL = """
select account_id, active_users_recent, active_users_baseline, active_days_recent, active_days_baseline
from intermediate.int_account_engagement
"""


def test_user_activity_figures_equal_counts_of_the_staged_events(demo_warehouse: Path) -> None:
    expected = sorted(query(demo_warehouse, USER_FIGURES))
    assert sorted(query(demo_warehouse, USER_MODEL)) == expected
    # every figure is exercised: users active in each window, and users never active
    assert min(sum(1 for row in expected if row[column] > 0) for column in (1, 4, 5, 6, 7, 8)) > 50
    assert any(row[1] == 0 for row in expected)


def test_account_activity_figures_equal_counts_of_the_staged_events(demo_warehouse: Path) -> None:
    expected = sorted(query(demo_warehouse, ACCOUNT_FIGURES))
    assert sorted(query(demo_warehouse, ACCOUNT_MODEL)) == expected
    # accounts with several active users in a window, and accounts whose usage dropped
    assert sum(1 for row in expected if row[1] > 1) > 10 and sum(1 for row in expected if row[2] > row[1]) > 5
