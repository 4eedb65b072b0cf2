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


@pytest.fixture(scope="module")
def mutated_threshold(demo_raw_dir: Path, demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo warehouse with seg_power_users rebuilt at power_min_active_days 16 instead of 15."""
    workdir = tmp_path_factory.mktemp("off_by_one")
    warehouse = workdir / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    dbt(
        ["build", "--select", "seg_power_users", "fct_segment_membership", "--exclude-resource-type", "unit_test"],
        raw_dir=demo_raw_dir, warehouse=warehouse, dbt_vars={"power_min_active_days": 16},
        target_path=workdir / "target",
    )
    return warehouse


def test_a_threshold_off_by_one_drops_accuracy_below_its_bound(
    demo_raw_dir: Path, demo_warehouse: Path, mutated_threshold: Path
) -> None:
    before = {s.segment_key: s for s in score(demo_raw_dir, demo_warehouse)}
    after = {s.segment_key: s for s in score(demo_raw_dir, mutated_threshold)}
    assert min(before["power_users"].precision, before["power_users"].recall) >= 0.95
    assert after["power_users"].precision == 1.0
    assert after["power_users"].recall < 0.95
    # exactly the planted members active on 15 of the last 30 days fell out
    with duckdb.connect(str(demo_warehouse), read_only=True) as connection:
        on_threshold = {
            row[0] for row in connection.sql(
                "select entity_id from marts.fct_segment_membership m join marts.seg_power_users p "
                "on m.entity_id = p.user_id where m.segment_key = 'power_users' and p.active_days_recent = 15"
            ).fetchall()
        }
    lost = before["power_users"].true_positives - after["power_users"].true_positives
    assert lost == len(on_threshold) >= 5
    unchanged = {k for k in before if k != "power_users" and after[k] != before[k]}
    assert not unchanged
