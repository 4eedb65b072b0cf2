"""The segment registry: membership and catalogue come from the dbt graph, and the
membership history keeps one copy of each as_of."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CONTRACT_FIXTURE, copy_project, query
from saas_segments.project import dbt

THROWAWAY_SQL = """
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

users as (
    select
        user_id,
        account_id,
        role
    from {{ ref('int_users_as_of') }}
    where role = 'admin'
)

select
    users.user_id,
    users.account_id,
    as_of.as_of_date,
    'an admin' as reason
from users
cross join as_of
"""

THROWAWAY_YML = """
version: 2
models:
  - name: seg_throwaway_admins
    description: Admins, to show a new segment needs nothing but its own two files.
    config:
      meta:
        segment:
          key: throwaway_admins
          grain: user
          family: engagement
          owner: product
          action: none
          channel: email
          criteria: role = admin
          thresholds: []
"""


def test_a_new_segment_flows_into_membership_and_catalogue(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    segments = project / "models" / "marts" / "segments"
    (segments / "seg_throwaway_admins.sql").write_text(THROWAWAY_SQL)
    (segments / "seg_throwaway_admins.yml").write_text(THROWAWAY_YML)
    warehouse = tmp_path / "w.duckdb"
    dbt(
        ["build", "--select", "+seg_throwaway_admins", "+seg_power_users", "+fct_segment_membership", "+dim_segments"],
        raw_dir=CONTRACT_FIXTURE,
        warehouse=warehouse,
        project_dir=project,
    )
    members = query(
        warehouse,
        "select entity_type, entity_id, reason from marts.fct_segment_membership "
        "where segment_key = 'throwaway_admins' order by entity_id",
    )
    # the fixture's admins: U1 is staged; U6, U7 and U8 are quarantined, so not members
    assert members == [("user", "U1", "an admin")]
    catalogue = query(
        warehouse,
        "select segment_key, model_name, grain, owner_team, criteria from marts.dim_segments order by segment_key",
    )
    assert ("throwaway_admins", "seg_throwaway_admins", "user", "product", "role = admin") in catalogue
    assert ("power_users", "seg_power_users", "user", "customer-success") == catalogue[
        [row[0] for row in catalogue].index("power_users")
    ][:4]


def test_changing_a_called_macro_changes_the_definition_hash(tmp_path: Path) -> None:
    """The hash covers the project macros a segment calls, so a macro edit is a definition change."""
    project = copy_project(tmp_path)
    warehouse = tmp_path / "w.duckdb"
    sql = "select segment_key, definition_hash from marts.dim_segments order by segment_key"

    def hashes() -> dict[str, str]:
        dbt(["build", "--select", "dim_segments"], raw_dir=CONTRACT_FIXTURE, warehouse=warehouse, project_dir=project)
        return dict(query(warehouse, sql))

    before = hashes()
    macro = project / "macros" / "segments" / "nps_category_segment.sql"
    macro.write_text(macro.read_text().replace("{%- endmacro %}", "    -- reviewed\n{%- endmacro %}", 1))
    after = hashes()
    assert before.keys() == after.keys()
    assert {key for key in before if before[key] != after[key]} == {"nps_detractors", "nps_passives", "nps_promoters"}


@pytest.fixture(scope="module")
def two_dates_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture built for 2025-05-02, then 2025-05-03 twice."""
    workdir = tmp_path_factory.mktemp("history")
    warehouse = workdir / "w.duckdb"
    for as_of in ["2025-05-02", "2025-05-03", "2025-05-03"]:
        dbt(
            ["build", "--exclude-resource-type", "test", "unit_test"],
            raw_dir=CONTRACT_FIXTURE,
            warehouse=warehouse,
            dbt_vars={"as_of": as_of},
            target_path=workdir / "t",
        )
    return warehouse


def test_rebuilding_a_date_replaces_its_history(two_dates_warehouse: Path) -> None:
    history = query(
        two_dates_warehouse,
        "select cast(as_of_date as varchar), segment_key, count(*), count(distinct entity_id) "
        "from marts.fct_segment_membership_history group by 1, 2 order by 1, 2",
    )
    assert all(rows == distinct for (_, _, rows, distinct) in history)
    assert {date for (date, *_rest) in history} == {"2025-05-02", "2025-05-03"}
    current = query(two_dates_warehouse, "select count(*), min(as_of_date) = max(as_of_date) from marts.fct_segment_membership")
    latest = query(
        two_dates_warehouse,
        "select count(*) from marts.fct_segment_membership_history where as_of_date = date '2025-05-03'",
    )
    assert current[0] == (latest[0][0], True)


def test_transitions_count_moves_between_dates(two_dates_warehouse: Path) -> None:
    moves = query(
        two_dates_warehouse,
        "select entity_type, from_segment, to_segment, members from marts.fct_segment_transitions "
        "where as_of_date = date '2025-05-02' order by 1, 2, 3",
    )
    history = {
        (segment, entity)
        for segment, entity in query(
            two_dates_warehouse,
            "select segment_key, entity_id from marts.fct_segment_membership_history "
            "where as_of_date = date '2025-05-02' and segment_key not like '%:%'",
        )
    }
    stayed = sum(members for (_, before, after, members) in moves if before == after)
    later = {
        (segment, entity)
        for segment, entity in query(
            two_dates_warehouse,
            "select segment_key, entity_id from marts.fct_segment_membership_history "
            "where as_of_date = date '2025-05-03' and segment_key not like '%:%'",
        )
    }
    assert stayed == len(history & later)
    assert stayed > 0
