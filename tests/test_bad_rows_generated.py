"""Generated data with every kind of bad row: each one ends where the generator says."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import generate, query
from test_staging_quarantine import BASE_MODELS


@pytest.fixture(scope="module")
def bad_raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("bad") / "raw", "demo", 5, "--bad-rate", "0.01")


def test_every_injected_bad_row_is_quarantined_collapsed_or_mapped(
    build_warehouse: Callable[..., Path], bad_raw_dir: Path
) -> None:
    warehouse = build_warehouse(bad_raw_dir, "bad_rows", select="+staging")
    with open(bad_raw_dir / "_truth" / "bad_rows.csv", newline="") as handle:
        expected = Counter((r["table"], r["record_key"], r["expected_rule"]) for r in csv.DictReader(handle))
    outcomes = " union all ".join(
        f"select '{table}', case when _quarantine_rule = 'null_key' then '' else _record_key end, "
        f"case when _row_status = 'collapsed' then 'collapsed' "
        f"when _row_status = 'quarantined' then _quarantine_rule else 'mapped_to_other' end "
        f"from staging.{model} where _row_status <> 'staged' or _enum_mapped"
        for table, model in BASE_MODELS.items()
    )
    actual = Counter(query(warehouse, outcomes))
    assert actual == expected, {"missing": expected - actual, "unexpected": actual - expected}
    assert len({rule for (_, _, rule) in expected}) >= 20

    cross_entity = ("account_mismatch", "ended_without_period_end")
    quarantined = Counter(query(
        warehouse,
        f"select source_table, record_key, rule from staging.stg_quarantine where rule in {cross_entity}",
    ))
    planted = Counter({key: n for key, n in expected.items() if key[2] in cross_entity})
    assert quarantined == planted
    assert {(table, rule) for table, _, rule in planted} == {
        ("events", "account_mismatch"), ("nps_responses", "account_mismatch"),
        ("support_tickets", "account_mismatch"), ("trials", "account_mismatch"),
        ("subscriptions", "ended_without_period_end"),
    }

    audit = query(warehouse, "select source_table, raw_rows, staged_rows + quarantined_rows + collapsed_rows from staging.stg_load_audit")
    assert all(raw == accounted for (_, raw, accounted) in audit)
    assert sum(raw for (_, raw, _) in audit) > sum(expected.values())
