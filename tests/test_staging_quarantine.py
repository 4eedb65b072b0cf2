"""Staging on a hand-written raw dir: every raw row lands exactly where it should."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import CONTRACT_FIXTURE, FIXTURES, copy_project, hash_key, query
from saas_segments.project import PROJECT_DIR, dbt

BASE_MODELS = {
    "accounts": "base_crm__accounts",
    "users": "base_app__users",
    "features": "base_app__features",
    "events": "base_app__events",
    "plans": "base_billing__plans",
    "trials": "base_billing__trials",
    "subscriptions": "base_billing__subscriptions",
    "invoices": "base_billing__invoices",
    "fx_rates": "base_billing__fx_rates",
    "nps_responses": "base_survey__nps_responses",
    "web_touches": "base_web__touches",
    "support_tickets": "base_helpdesk__tickets",
    "onboarding_milestones": "base_cs__onboarding_milestones",
}


# Staged events keep their key once, as event_key (hash_key of the id), not in _record_key.
STAGED_KEY = {"events": "event_key"}


def expected_outcomes() -> Counter[tuple[str, str, str, str]]:
    """(table, record key, status, rule) of every fixture row; a staged row of a STAGED_KEY
    table by that key."""
    with open(FIXTURES / "raw_contract_expected.csv", newline="") as handle, duckdb.connect() as connection:
        return Counter(
            (
                r["source_table"],
                str(connection.execute(f"select {hash_key('$1')}", [r["record_key"]]).fetchone()[0])
                if r["source_table"] in STAGED_KEY and r["status"] == "staged" else r["record_key"],
                r["status"],
                r["rule"],
            )
            for r in csv.DictReader(handle)
        )


def actual_outcomes(warehouse: Path) -> Counter[tuple[str, str, str, str]]:
    selects = " union all ".join(
        f"select '{table}', "
        + (f"case when _row_status = 'staged' then cast({STAGED_KEY[table]} as varchar) else _record_key end"
           if table in STAGED_KEY else "_record_key")
        + ", _row_status, "
        f"coalesce(_quarantine_rule, case when _enum_mapped then 'mapped_to_other' else '' end) "
        f"from staging.{model}"
        for table, model in BASE_MODELS.items()
    )
    return Counter(query(warehouse, selects))


def test_every_raw_row_lands_where_expected(contract_warehouse: Path) -> None:
    expected, actual = expected_outcomes(), actual_outcomes(contract_warehouse)
    assert actual == expected, {
        "missing": expected - actual,
        "unexpected": actual - expected,
    }


def test_fixture_covers_every_bad_input_kind() -> None:
    rules = {rule for (_, _, status, rule) in expected_outcomes() if status == "quarantined"}
    assert rules >= {
        "null_key", "duplicate_key", "missing_required", "orphan_account", "orphan_user", "orphan_feature",
        "orphan_plan", "orphan_subscription", "unparseable_timestamp", "unparseable_date",
        "unparseable_boolean", "unparseable_number", "timestamp_out_of_range", "invalid_score",
        "invalid_amount", "unknown_currency", "missing_fx_rate", "invalid_period", "overlapping_period",
        "invalid_trial_window", "unknown_enum", "account_mismatch", "ended_without_period_end",
    }


def test_load_audit_reconciles_every_table(contract_warehouse: Path) -> None:
    rows = query(
        contract_warehouse,
        "select source_table, raw_rows, staged_rows, quarantined_rows, collapsed_rows, is_reconciled "
        "from staging.stg_load_audit order by source_table",
    )
    assert len(rows) == len(BASE_MODELS)
    assert all(row[-1] for row in rows)
    audit = {row[0]: row[1:5] for row in rows}
    assert audit["events"] == (24, 12, 11, 1)
    assert audit["accounts"] == (13, 4, 9, 0)
    assert audit["subscriptions"] == (15, 5, 10, 0)
    for table, (raw, staged, quarantined, collapsed) in audit.items():
        assert raw == raw_csv_rows(table) == staged + quarantined + collapsed, table


def test_cross_entity_rules_quarantine_exactly_the_planted_rows(contract_warehouse: Path) -> None:
    rows = query(
        contract_warehouse,
        "select rule, source_table, record_key from staging.stg_quarantine "
        "where rule in ('account_mismatch', 'ended_without_period_end') order by 1, 2, 3",
    )
    assert rows == [
        ("account_mismatch", "events", "E21"),
        ("account_mismatch", "nps_responses", "R8"),
        ("account_mismatch", "support_tickets", "K6"),
        ("account_mismatch", "trials", "T5"),
        ("ended_without_period_end", "subscriptions", "S14"),
        ("ended_without_period_end", "subscriptions", "S15"),
    ]
    # the open canceled period of A4 does not make it a paying customer after S4 ended
    periods = query(contract_warehouse, "select subscription_id from staging.stg_billing__subscriptions where account_id = 'A4'")
    assert periods == [("S4",)]


def test_a_lookup_reading_a_join_no_earlier_lookup_makes_stops_the_model(tmp_path: Path) -> None:
    """account_match_lookup reads the users join of the orphan_user lookup: listed before
    it, the model does not compile and the error names the rule and the join."""
    project = copy_project(tmp_path)
    model = project / "models" / "staging" / "base" / "base_billing__trials.sql"
    users = "        orphan_lookup(ref('stg_app__users'), 'user_id', 'orphan_user', carry=['account_id']),\n"
    source = model.read_text()
    assert users in source
    model.write_text(source.replace(users, "").replace("        account_match_lookup(),\n", "        account_match_lookup(),\n" + users))
    process = dbt(
        ["run", "--select", "base_billing__trials"], raw_dir=CONTRACT_FIXTURE, warehouse=tmp_path / "w.duckdb",
        target_path=tmp_path / "target", project_dir=project, check=False,
    )
    assert process.returncode != 0
    assert (
        "lookup 'account_mismatch' reads the join 'known_user_id', which no earlier lookup makes"
        " (joined: known_account_id, known_plan_id)" in process.stdout
    )


def fixture_csv_rows(table: str) -> Iterator[dict[str, str]]:
    """Data rows of a fixture table, read with Python's csv module (file or folder)."""
    path = CONTRACT_FIXTURE / table
    for file in sorted(path.glob("*.csv")) if path.is_dir() else [CONTRACT_FIXTURE / f"{table}.csv"]:
        with open(file, newline="") as handle:
            yield from csv.DictReader(handle)


def raw_csv_rows(table: str) -> int:
    """How many data rows a fixture table has."""
    return sum(1 for _ in fixture_csv_rows(table))


def raw_csv_keys(table: str) -> list[tuple[str | None, ...]]:
    """The typed key (trimmed, empty as null) of every data row of a fixture table."""
    sources = yaml.safe_load((PROJECT_DIR / "models" / "staging" / "_sources.yml").read_text())["sources"]
    (columns,) = [t["columns"] for s in sources for t in s["tables"] if t["name"] == table]
    keys = [c["name"] for c in columns if c.get("config", {}).get("meta", {}).get("key")]
    return [tuple((row[k] or "").strip() or None for k in keys) for row in fixture_csv_rows(table)]


def test_rows_are_ranked_only_in_tables_whose_keys_repeat(contract_warehouse: Path) -> None:
    """A full build ranks a table's rows by key only when a typed key repeats or is null
    among its raw rows; otherwise its compiled SQL has no ranking branch (no second read
    of the raw rows). The quarantine tests above show the ranked tables still quarantine
    every duplicate."""
    compiled = contract_warehouse.parent / "target" / "compiled" / "saas_segments" / "models" / "staging" / "base"
    ranked = {table for table, model in BASE_MODELS.items() if "ranked as (" in (compiled / f"{model}.sql").read_text()}
    repeating = set()
    for table in BASE_MODELS:
        keys = raw_csv_keys(table)
        if len(set(keys)) < len(keys) or any(None in key for key in keys):
            repeating.add(table)
    assert ranked == repeating
    assert {"events", "accounts", "fx_rates"} <= ranked  # the fixture plants repeated keys there
    assert {"users", "plans", "invoices"}.isdisjoint(ranked)


def test_quarantine_keeps_raw_values(contract_warehouse: Path) -> None:
    (raw_record,) = query(
        contract_warehouse,
        "select raw_record from staging.stg_quarantine where source_table = 'nps_responses' and record_key = 'R5'",
    )[0]
    assert raw_record == "response_id=R5; user_id=U2; account_id=A1; responded_at=2025-06-04T00:00:00Z; score=7.5; comment=; survey_id=Q2"


def test_money_converted_to_usd_at_the_rate_on_or_before_the_period(contract_warehouse: Path) -> None:
    rows = dict(
        (sid, (float(amount_usd), float(mrr)))
        for sid, amount_usd, mrr in query(
            contract_warehouse, "select subscription_id, amount_usd, mrr_usd from staging.stg_billing__subscriptions"
        )
    )
    assert rows == {
        "S1": (99.0, 99.0),
        "S2": (299.0, 299.0),
        "S3": (1080.0, 90.0),  # 1000 EUR a year at 1.08 (rate of 2025-01-01; 2025-03-01 is later)
        "S4": (31.75, 31.75),  # 25 GBP at 1.27
        "S12": (99.0, 99.0),  # 90 EUR at 1.10 (rate of 2025-03-01)
    }


def test_values_are_typed_and_normalised(contract_warehouse: Path) -> None:
    accounts = {
        row[0]: row[1:]
        for row in query(
            contract_warehouse,
            "select account_id, region, location_type, cast(created_at as varchar), is_beta_program "
            "from staging.stg_crm__accounts",
        )
    }
    assert accounts == {
        "A1": ("NA", "urban", "2025-01-10 09:00:00", False),
        "A2": ("EMEA", "suburban", "2025-02-01 11:00:00", True),  # +01:00 offset converted to UTC
        "A3": ("APAC", None, "2025-03-05 08:00:00", False),
        "A4": ("other", "other", "2025-04-01 00:00:00", False),
    }
    users = dict(query(contract_warehouse, "select user_id, email from staging.stg_app__users where user_id = 'U1'"))
    assert users == {"U1": "u1@acme.io"}


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        ("drop_column", "raw table 'events' is missing required column 'occurred_at'"),
        ("drop_table", "raw table 'plans' not found"),
        ("empty_required", "raw table 'accounts' is empty; it must have rows"),
    ],
)
def test_contract_breaks_stop_the_build_before_models(
    tmp_path: Path, mutation: str, message: str
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(CONTRACT_FIXTURE, raw)
    if mutation == "drop_column":
        for path in (raw / "events").glob("*.csv"):
            lines = path.read_text().splitlines()
            path.write_text("\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != 3) for line in lines) + "\n")
    elif mutation == "drop_table":
        (raw / "plans.csv").unlink()
    else:
        (raw / "accounts.csv").write_text((raw / "accounts.csv").read_text().splitlines()[0] + "\n")
    process = dbt(["build"], raw_dir=raw, warehouse=tmp_path / "w.duckdb", target_path=tmp_path / "target", check=False)
    assert process.returncode != 0
    assert message in process.stdout
    assert "START sql" not in process.stdout  # no model ran
