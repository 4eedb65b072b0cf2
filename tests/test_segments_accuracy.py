"""Every segment in the spec exists, and finds the members the generator planted."""

from __future__ import annotations

from pathlib import Path

from conftest import query
from saas_segments.accuracy import score

SPEC_SEGMENTS = {
    "trial_engaged", "trial_low_engagement", "power_users", "shallow_actives", "inactive_users",
    "never_used_core", "early_adopters", "nps_promoters", "nps_passives", "nps_detractors",
    "inactive_accounts", "missing_most_valuable", "onboarding_strategic", "at_risk_of_churn",
    "low_value_high_maintenance", "value_tier_high", "value_tier_medium", "value_tier_low",
    "highest_value", "highest_potential", "trial_non_converter", "fast_converter", "late_converter",
    "content_heavy_researcher", "slow_low_engagement_payer",
}


def test_every_spec_segment_has_a_mart_and_a_catalogue_row(demo_warehouse: Path) -> None:
    catalogue = dict(query(demo_warehouse, "select segment_key, model_name from marts.dim_segments"))
    assert SPEC_SEGMENTS <= set(catalogue)
    assert {catalogue[key] for key in SPEC_SEGMENTS} == {f"seg_{key}" for key in SPEC_SEGMENTS}
    assert {"trait:*", "trait:role=*", "need:*"} <= set(catalogue)


def test_precision_and_recall_against_planted_members(demo_raw_dir: Path, demo_warehouse: Path) -> None:
    scores = {s.segment_key: s for s in score(demo_raw_dir, demo_warehouse)}
    assert set(scores) == SPEC_SEGMENTS
    below = {k: (round(s.precision, 3), round(s.recall, 3)) for k, s in scores.items() if min(s.precision, s.recall) < 0.95}
    assert not below
    assert all(s.truth >= 5 for s in scores.values())


def test_trait_and_need_memberships(demo_warehouse: Path) -> None:
    rows = dict(
        query(
            demo_warehouse,
            "select case when segment_key like 'trait:%' then split_part(segment_key, '=', 1) else segment_key end, "
            "count(*) from marts.fct_segment_membership "
            "where segment_key like 'trait:%' or segment_key like 'need:%' group by 1",
        )
    )
    accounts = query(demo_warehouse, "select count(*) from marts.dim_accounts")[0][0]
    for trait in ["industry", "size_band", "region", "location_type", "revenue_band"]:
        assert rows[f"trait:{trait}"] == accounts, trait  # every account has one value of each account trait
    with_need = query(demo_warehouse, "select count(*) from marts.dim_accounts where primary_need is not null")[0][0]
    assert sum(count for key, count in rows.items() if key.startswith("need:")) == with_need
