"""The demo data looks like a real subscription business, and its boundary personas make thresholds bite."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from conftest import query
from saas_segments.accuracy import score, truth_members
from saas_segments.project import dbt

LAST_YEAR = "mrr_month > date '2026-06-30' - interval 12 month"


def test_every_month_of_the_last_year_churns_1_to_4_percent_of_customers(demo_warehouse: Path) -> None:
    rows = query(
        demo_warehouse,
        f"select mrr_month, starting_customers, churned_customers, logo_churn_rate from marts.fct_mrr_monthly "
        f"where {LAST_YEAR} order by mrr_month",
    )
    assert len(rows) == 12
    outside = [(str(month), churned, start) for month, start, churned, rate in rows if not 0.01 <= rate <= 0.04]
    assert not outside
    assert all(churned >= 1 for _, _, churned, _ in rows)


def test_every_month_of_the_last_year_has_new_expansion_contraction_and_churn(demo_warehouse: Path) -> None:
    rows = query(
        demo_warehouse,
        f"select mrr_month, movement, count(*) from marts.fct_mrr_movements where {LAST_YEAR} "
        f"and movement in ('new', 'expansion', 'contraction', 'churn') group by all",
    )
    months = {month for month, _, _ in rows}
    assert len(months) == 12
    present = {(month, movement) for month, movement, _ in rows}
    missing = [(str(m), k) for m in sorted(months) for k in ("new", "expansion", "contraction", "churn") if (m, k) not in present]
    assert not missing


def test_fx_rates_fall_and_drive_contraction_at_annual_renewals(demo_warehouse: Path) -> None:
    moves = dict(
        query(
            demo_warehouse,
            "select currency, sum(case when usd_per_unit < previous then 1 else 0 end) from ("
            "select currency, usd_per_unit, lag(usd_per_unit) over (partition by currency order by rate_date) as previous "
            "from staging.stg_billing__fx_rates where currency <> 'USD') group by currency",
        )
    )
    assert set(moves) == {"EUR", "GBP", "CAD", "AUD", "BRL"}
    assert all(falling > 200 for falling in moves.values()), moves
    # contraction at a renewal with the same plan, seats and local amount: only the rate moved
    (fx_contractions,) = query(
        demo_warehouse,
        "with periods as (select account_id, period_start, plan_id, seats, amount, currency, mrr_usd, "
        "lag(plan_id) over w as previous_plan, lag(seats) over w as previous_seats, "
        "lag(amount) over w as previous_amount, lag(mrr_usd) over w as previous_mrr, lag(period_end) over w as previous_end "
        "from staging.stg_billing__subscriptions window w as (partition by account_id order by period_start)) "
        "select count(*) from periods where previous_end = period_start and plan_id = previous_plan "
        "and seats = previous_seats and amount = previous_amount and currency <> 'USD' and mrr_usd < previous_mrr",
    )[0]
    assert fx_contractions >= 3


def test_nps_of_every_quarter_of_the_last_year_is_between_20_and_50(demo_warehouse: Path) -> None:
    rows = query(
        demo_warehouse,
        "select quarter, nps from marts.fct_nps_quarterly where dimension = 'overall' "
        "and quarter > date '2026-06-30' - interval 12 month order by quarter",
    )
    assert len(rows) == 4
    assert all(20 <= nps <= 50 for _, nps in rows), rows


@dataclass(frozen=True)
class Threshold:
    """A segment threshold var and the mart column it bounds.

    ``at`` is the column's value on the threshold (a member), ``outside`` the value one
    unit past it (not a member); ``tighter`` / ``looser`` are the var moved one unit so
    that ``at`` falls out / ``outside`` comes in.
    """

    segment: str
    var: str
    column: str
    at: int
    outside: int
    tighter: int
    looser: int


def at_least(segment: str, var: str, column: str, default: int) -> Threshold:
    """``column >= var``."""
    return Threshold(segment, var, column, default, default - 1, default + 1, default - 1)


def at_most(segment: str, var: str, column: str, default: int, at: int | None = None) -> Threshold:
    """``column <= var`` (``at`` when the column is the var minus one, as for day windows counted from 1)."""
    on = default if at is None else at
    return Threshold(segment, var, column, on, on + 1, default - 1, default + 1)


# every integer threshold var a segment rule applies to a column of its mart (defaults of dbt_project.yml)
THRESHOLDS = [
    at_least("power_users", "power_min_active_days", "active_days_recent", 15),
    at_least("trial_engaged", "trial_engaged_min_days", "trial_active_days", 4),
    at_least("trial_engaged", "trial_engaged_min_core_features", "trial_core_features", 2),
    at_least("trial_low_engagement", "trial_low_min_age_days", "trial_age_days", 3),
    at_least("shallow_actives", "shallow_min_login_days", "login_days_recent", 15),
    at_most("shallow_actives", "shallow_max_features", "features_used_recent", 1),
    at_least("inactive_users", "inactive_min_baseline_days", "active_days_baseline", 4),
    at_least("never_used_core", "never_used_core_min_signup_days", "days_since_signup", 14),
    # account_age_days > var
    Threshold("missing_most_valuable", "missing_most_valuable_min_account_days", "account_age_days", 31, 30, 31, 29),
    at_least("at_risk_of_churn", "at_risk_min_score", "risk_score", 2),
    at_most("onboarding_strategic", "onboarding_window_days", "days_since_paid_start", 90, at=89),
    at_most("fast_converter", "fast_converter_max_days", "days_to_convert", 7),
    at_most("late_converter", "late_converter_last_trial_days", "days_converted_before_trial_end", 3),
    at_least("late_converter", "late_converter_min_upgrade_days", "days_to_upgrade", 60),
    at_least("content_heavy_researcher", "content_heavy_min_touches", "content_touches_to_trial_end", 8),
    at_most("content_heavy_researcher", "content_heavy_max_trial_active_days", "trial_active_days", 2),
    at_least("slow_low_engagement_payer", "slow_payer_min_lead_days", "touch_lead_days", 21),
    at_most("slow_low_engagement_payer", "slow_payer_max_active_days", "paid_window_active_days", 4),
]
SHIFTED = sorted({t.segment for t in THRESHOLDS})
ACCOUNT_SEGMENTS = {
    "missing_most_valuable", "at_risk_of_churn", "onboarding_strategic", "fast_converter", "late_converter",
    "content_heavy_researcher", "slow_low_engagement_payer",
}


def entity_column(segment: str) -> str:
    """The key column of a segment's mart."""
    return "account_id" if segment in ACCOUNT_SEGMENTS else "user_id"


def members(warehouse: Path, segment: str) -> dict[str, dict[str, object]]:
    """Rows of ``marts.seg_<segment>`` by entity key."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        relation = connection.sql(f"select * from marts.seg_{segment}")
        rows = [dict(zip(relation.columns, row)) for row in relation.fetchall()]
    return {str(row[entity_column(segment)]): row for row in rows}


@pytest.fixture(scope="module")
def shifted(demo_raw_dir: Path, demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo warehouse with the segments rebuilt once with every threshold one unit tighter, once looser."""
    built = {}
    for direction in ("tighter", "looser"):
        workdir = tmp_path_factory.mktemp(direction)
        warehouse = workdir / "warehouse.duckdb"
        shutil.copyfile(demo_warehouse, warehouse)
        dbt(
            ["run", "--select", *(f"seg_{segment}" for segment in SHIFTED), "fct_segment_membership"],
            raw_dir=demo_raw_dir, warehouse=warehouse, target_path=workdir / "target",
            dbt_vars={t.var: getattr(t, direction) for t in THRESHOLDS},
        )
        built[direction] = warehouse
    return built


@pytest.mark.parametrize("segment", SHIFTED)
def test_boundary_personas_sit_on_every_threshold_and_one_unit_past_it(
    demo_raw_dir: Path, demo_warehouse: Path, shifted: dict[str, Path], segment: str
) -> None:
    thresholds = [t for t in THRESHOLDS if t.segment == segment]
    truth = {entity for kind, entity in truth_members(demo_raw_dir)[segment]}
    default = members(demo_warehouse, segment)
    tighter = members(shifted["tighter"], segment)
    looser = members(shifted["looser"], segment)
    assert set(default) == truth
    # one unit tighter: exactly the planted members on a threshold fall out
    on_threshold = {t.var: {e for e, row in default.items() if row[t.column] == t.at} for t in thresholds}
    assert all(len(entities) >= 2 for entities in on_threshold.values()), {k: len(v) for k, v in on_threshold.items()}
    assert set(default) - set(tighter) == set().union(*on_threshold.values())
    assert set(tighter) <= set(default)
    # one unit looser: exactly the planted non-members one unit past a threshold come in
    past = {t.var: {e for e, row in looser.items() if row[t.column] == t.outside} for t in thresholds}
    assert all(len(entities) >= 2 for entities in past.values()), {k: len(v) for k, v in past.items()}
    added = set(looser) - set(default)
    assert added == set().union(*past.values()) and not added & truth
    assert set(default) <= set(looser)
    # and the accuracy report sees both: recall and precision drop below its bound
    before = {s.segment_key: s for s in score(demo_raw_dir, demo_warehouse)}[segment]
    after_tighter = {s.segment_key: s for s in score(demo_raw_dir, shifted["tighter"])}[segment]
    after_looser = {s.segment_key: s for s in score(demo_raw_dir, shifted["looser"])}[segment]
    assert (before.precision, before.recall) == (1.0, 1.0)
    assert after_tighter.true_positives == after_tighter.built and after_tighter.recall < 0.95
    assert after_looser.true_positives == after_looser.truth and after_looser.precision < 0.95


def test_nps_members_sit_on_both_sides_of_every_category_boundary(demo_warehouse: Path) -> None:
    scores = dict(
        query(
            demo_warehouse,
            "select 'promoters', list(distinct score order by score) from marts.seg_nps_promoters union all "
            "select 'passives', list(distinct score order by score) from marts.seg_nps_passives union all "
            "select 'detractors', list(distinct score order by score) from marts.seg_nps_detractors",
        )
    )
    assert scores == {"promoters": [9, 10], "passives": [7, 8], "detractors": list(range(0, 7))}


def test_highest_potential_cuts_between_its_last_member_and_the_next_ranked_account(demo_warehouse: Path) -> None:
    ((members, last_rank, cutoff, ranked),) = query(
        demo_warehouse,
        "select count(*), max(whitespace_rank), any_value(member_cutoff_rank), any_value(ranked_accounts) "
        "from marts.seg_highest_potential",
    )
    # highest_potential_share of the ranked accounts, rounded up: the account ranked on the cutoff is in, the next out
    assert (members, last_rank, cutoff) == (cutoff, cutoff, -(-ranked * 20 // 100)) and ranked > cutoff >= 5
