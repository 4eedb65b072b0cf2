"""The summary ``make run`` and ``make build`` print: the warehouse, its as_of and a working query."""

from pathlib import Path

from saas_segments.summary import summarize

from conftest import query


def test_summary_shows_as_of_and_the_example_query_result(demo_warehouse: Path) -> None:
    text = summarize(demo_warehouse)
    (as_of,) = query(demo_warehouse, "select cast(as_of_date as varchar) from intermediate.int_as_of_date")[0]
    assert f"Warehouse: {demo_warehouse}  (as of {as_of})" in text
    members = query(
        demo_warehouse,
        "select count(*) from marts.fct_segment_membership where segment_key = 'power_users'",
    )[0][0]
    assert members > 0
    assert f"power_users | user | {members}" in text.splitlines()
