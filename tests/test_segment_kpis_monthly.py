"""fct_segment_kpis_monthly: the company KPIs per segment and month, recomputed here in
Python from the intermediate tables and the MRR movements of the demo warehouse.

A copy of the demo warehouse (as of 2026-06-30, a month without MRR movements) gets
three earlier as_of dates in the membership history, with the current members: one in
January 2026 (logo churn, trials, onboarding) with the members whose id ends in 3 left
out, a mid-January one that the month's later as_of must win over, and one in May
(new paying accounts, contraction). June, the warehouse's month, has NPS responses.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from saas_segments.project import PROJECT_DIR

from conftest import query

JANUARY, MID_JANUARY, MAY = dt.date(2026, 1, 31), dt.date(2026, 1, 15), dt.date(2026, 5, 31)
VARS = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
RATES = {
    "trial_conversion_rate": ("trials_converted", "trials_ended"),
    "activation_rate": ("activated_signups", "signups"),
    "onboarding_completion_rate": ("onboarded_accounts", "new_paying_accounts"),
    "logo_churn_rate": ("churned_customers", "starting_customers"),
}
ACCOUNT_COUNTS = ("new_paying_accounts", "onboarded_accounts", "starting_customers", "churned_customers")
MONEY = ("starting_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr")


def record_as_of(connection: duckdb.DuckDBPyConnection, as_of: dt.date, condition: str = "true") -> None:
    connection.execute(
        f"""
        insert into marts.fct_segment_membership_history
            (as_of_date, segment_key, entity_type, entity_id, reason, model_name)
        select date '{as_of}', segment_key, entity_type, entity_id, reason, model_name
        from marts.fct_segment_membership_history
        where as_of_date = (select as_of_date from intermediate.int_as_of_date) and {condition}
        """
    )


@pytest.fixture(scope="module")
def warehouse(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse copied (same file name, so its views resolve) with three earlier as_of dates."""
    copy = tmp_path_factory.mktemp("segment_kpis") / demo_warehouse.name
    shutil.copyfile(demo_warehouse, copy)
    with duckdb.connect(str(copy)) as connection:
        record_as_of(connection, JANUARY, "right(entity_id, 1) != '3'")
        record_as_of(connection, MID_JANUARY, "right(entity_id, 1) = '1'")
        record_as_of(connection, MAY)
    return copy


@pytest.fixture(scope="module")
def table(warehouse: Path) -> dict[tuple[dt.date, str, str], dict[str, object]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        relation = connection.sql("select * from marts.fct_segment_kpis_monthly")
        columns = relation.columns
        rows = relation.fetchall()
    return {(row[0], row[2], row[3]): dict(zip(columns, row)) for row in rows}


def month_of(day: dt.date | dt.datetime) -> dt.date:
    return dt.date(day.year, day.month, 1)


def expected_kpis(warehouse: Path) -> dict[tuple[dt.date, str, str], dict[str, object]]:
    """Every KPI of every segment and month, from the membership history and the inputs of the KPIs."""
    ((as_of,),) = query(warehouse, "select as_of_date from intermediate.int_as_of_date")
    history = query(
        warehouse, "select as_of_date, segment_key, entity_type, entity_id from marts.fct_segment_membership_history"
    )
    cohort_as_of: dict[dt.date, dt.date] = {}
    for day, *_ in history:
        cohort_as_of[month_of(day)] = max(day, cohort_as_of.get(month_of(day), day))
    cohorts: dict[tuple[dt.date, str, str], set[str]] = defaultdict(set)
    for day, key, entity, member in history:
        if cohort_as_of[month_of(day)] == day:
            cohorts[(month_of(day), key, entity)].add(member)
    users = query(
        warehouse, "select user_id, account_id, signup_date, activation_date from intermediate.int_user_engagement"
    )
    trials = query(warehouse, "select user_id, account_id, trial_end_date, converted_at from intermediate.int_trials")
    first_paid = dict(
        query(warehouse, "select account_id, first_paid_date from intermediate.int_account_revenue "
              "where first_paid_date is not null")
    )
    milestones: dict[str, set[str]] = defaultdict(set)
    for account, milestone, completed_at in query(
        warehouse, "select account_id, milestone_key, completed_at from staging.stg_cs__onboarding_milestones"
    ):
        if completed_at.date() <= as_of:
            milestones[account].add(milestone)
    movements: dict[tuple[str, dt.date], tuple] = {
        (account, month): rest
        for account, month, *rest in query(
            warehouse,
            "select account_id, mrr_month, movement, previous_mrr, expansion_mrr, contraction_mrr, churned_mrr "
            "from marts.fct_mrr_movements",
        )
    }
    latest_response: dict[tuple[str, dt.date], tuple] = {}
    for user, responded_at, response_id, category in query(
        warehouse,
        "select user_id, responded_at, response_id, nps_category from intermediate.int_nps_responses_enriched",
    ):
        key = (user, month_of(responded_at))
        if key not in latest_response or (responded_at, response_id) > latest_response[key][:2]:
            latest_response[key] = (responded_at, response_id, category)

    expected = {}
    window = dt.timedelta(days=VARS["activation_window_days"])
    for (month, key, entity), members in cohorts.items():
        by_user = entity == "user"
        cohort_users = [u for u in users if (u[0] if by_user else u[1]) in members]
        cohort_trials = [t for t in trials if (t[0] if by_user else t[1]) in members]
        ended = [t for t in cohort_trials if month_of(t[2]) == month and t[2] <= as_of]
        signed_up = [u for u in cohort_users if month_of(u[2]) == month]
        answers = [latest_response[(u[0], month)][2] for u in cohort_users if (u[0], month) in latest_response]
        row: dict[str, object] = {
            "as_of_date": cohort_as_of[month],
            "members": len(members),
            "trials_ended": len(ended),
            "trials_converted": sum(t[3] is not None for t in ended),
            "signups": len(signed_up),
            "activated_signups": sum(u[3] is not None and u[3] <= u[2] + window for u in signed_up),
            "nps_responses": len(answers),
            "nps_promoters": answers.count("promoter"),
            "nps_detractors": answers.count("detractor"),
        }
        row |= dict.fromkeys(ACCOUNT_COUNTS + MONEY)
        if not by_user:
            new_paying = [a for a in members if a in first_paid and month_of(first_paid[a]) == month]
            moved = [movements[(a, month)] for a in members if (a, month) in movements]
            row |= {
                "new_paying_accounts": len(new_paying),
                "onboarded_accounts": sum(len(milestones[a]) >= len(VARS["onboarding_milestones"]) for a in new_paying),
                "starting_customers": sum(m[1] > 0 for m in moved),
                "churned_customers": sum(m[0] == "churn" for m in moved),
            }
            row |= {name: sum((m[i + 1] for m in moved), Decimal(0)) for i, name in enumerate(MONEY)}
        for rate, (numerator, denominator) in RATES.items():
            row[rate] = row[numerator] / row[denominator] if row[denominator] else None
        starting = row["starting_mrr"]
        row["gross_mrr_churn_rate"] = (
            float((row["contraction_mrr"] + row["churned_mrr"]) / starting) if starting else None
        )
        row["nrr"] = (
            float((starting + row["expansion_mrr"] - row["contraction_mrr"] - row["churned_mrr"]) / starting)
            if starting else None
        )
        row["nps"] = 100 * (row["nps_promoters"] - row["nps_detractors"]) / len(answers) if answers else None
        expected[(month, key, entity)] = row
    return expected


def same(actual: object, expected: object) -> bool:
    if isinstance(expected, float) and actual is not None:
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)
    return actual == expected


def test_every_kpi_of_every_segment_and_month_is_recomputed(table: dict, warehouse: Path) -> None:
    expected = expected_kpis(warehouse)
    assert table.keys() == expected.keys()
    mismatches = [
        f"{key} {name}: table {table[key][name]!r}, recomputed {value!r}"
        for key, values in expected.items()
        for name, value in values.items()
        if not same(table[key][name], value)
    ]
    assert not mismatches, "\n".join(mismatches[:30])


def test_the_months_have_the_figures_the_demo_data_plants(table: dict) -> None:
    """Three months (January, May, June); January's cohort is its last as_of and has churn and trials."""
    assert {month for month, _, _ in table} == {dt.date(2026, 1, 1), dt.date(2026, 5, 1), dt.date(2026, 6, 1)}
    january = {key: row for (month, key, _), row in table.items() if month == dt.date(2026, 1, 1)}
    june = {key: row for (month, key, _), row in table.items() if month == dt.date(2026, 6, 1)}
    assert {row["as_of_date"] for row in january.values()} == {JANUARY}
    assert all(january[key]["members"] <= june[key]["members"] for key in january)
    assert any(january[key]["members"] < june[key]["members"] for key in january)
    assert sum(row["churned_customers"] or 0 for row in january.values()) > 0
    assert any(row["nrr"] is not None and row["nrr"] < 1 for row in january.values())
    assert any(row["trial_conversion_rate"] is not None for row in january.values())
    may = [row for (month, _, _), row in table.items() if month == dt.date(2026, 5, 1)]
    assert any(row["onboarding_completion_rate"] is not None for row in may)
    assert any(row["gross_mrr_churn_rate"] is not None and row["gross_mrr_churn_rate"] > 0 for row in may)
    assert sum(row["nps_responses"] for row in june.values()) > 0


def test_account_measures_are_null_for_user_segments(table: dict) -> None:
    users = [row for (_, _, entity), row in table.items() if entity == "user"]
    accounts = [row for (_, _, entity), row in table.items() if entity == "account"]
    assert users and accounts
    account_columns = ACCOUNT_COUNTS + MONEY + ("onboarding_completion_rate", "logo_churn_rate", "nrr")
    assert all(row[name] is None for row in users for name in account_columns)
    assert all(row[name] is not None for row in accounts for name in ACCOUNT_COUNTS + MONEY)
    assert any(row["activation_rate"] is not None for row in users)
