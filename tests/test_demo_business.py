"""The demo data looks like a real subscription business, and its boundary personas make thresholds bite."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import query
from saas_segments.accuracy import score
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


# segment, its threshold var moved one unit up from the default, the mart's column the var applies to
OFF_BY_ONE = [
    ("power_users", "power_min_active_days", 16, "active_days_recent"),
    ("trial_engaged", "trial_engaged_min_days", 5, "trial_active_days"),
    ("inactive_users", "inactive_min_baseline_days", 5, "active_days_baseline"),
]


@pytest.mark.parametrize(("segment", "var", "value", "column"), OFF_BY_ONE)
def test_a_threshold_off_by_one_drops_accuracy_below_its_bound(
    demo_raw_dir: Path, demo_warehouse: Path, tmp_path: Path, segment: str, var: str, value: int, column: str
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    dbt(
        ["build", "--select", f"seg_{segment}", "fct_segment_membership", "--exclude-resource-type", "unit_test"],
        raw_dir=demo_raw_dir, warehouse=warehouse, dbt_vars={var: value}, target_path=tmp_path / "target",
    )
    before = {s.segment_key: s for s in score(demo_raw_dir, demo_warehouse)}
    after = {s.segment_key: s for s in score(demo_raw_dir, warehouse)}
    assert min(before[segment].precision, before[segment].recall) >= 0.95
    assert after[segment].precision == 1.0
    assert after[segment].recall < 0.95
    # exactly the planted members sitting on the default threshold fell out
    with duckdb.connect(str(demo_warehouse), read_only=True) as connection:
        ((on_threshold,),) = connection.sql(
            f"select count(*) from marts.seg_{segment} where {column} = {value - 1}"
        ).fetchall()
    assert before[segment].true_positives - after[segment].true_positives == on_threshold >= 5
    assert {k for k in before if k != segment and after[k] != before[k]} == set()
