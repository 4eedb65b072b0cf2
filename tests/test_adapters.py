"""Vendor adapters: the same business from raw contract files and from vendor tables
(tests/adapter_business.py) gives the same marts, and what an adapter cannot map is
quarantined with a reason and counted in the load audit."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from adapter_business import AMPLITUDE_SESSION, NEEDS, PARTLY_REFUNDED_INVOICES, REFUNDED_INVOICES, UNMAPPABLE, write_contract, write_vendors
from conftest import differing_rows, query
from saas_segments.project import dbt

ADAPTED = {
    "billing.plans": "stripe",
    "billing.subscriptions": "stripe",
    "billing.invoices": "stripe",
    "billing.trials": "stripe",
    "crm.accounts": "hubspot+delighted",
    "survey.nps_responses": "delighted",
    "helpdesk.support_tickets": "zendesk",
    "app.users": "segment+hubspot",
    "app.events": "segment",
    "web.web_touches": "segment",
}
# what the comparison needs: the segments and marts compared, the load audit and quarantine
SELECT = "+tag:segment +fct_segment_membership +fct_mrr_movements +fct_mrr_monthly +fct_nps_monthly +stg_load_audit +stg_quarantine"
COMPARED_MARTS = ["fct_segment_membership", "fct_mrr_movements", "fct_mrr_monthly", "fct_nps_monthly"]
# staged rows of every adapted table, compared as well (the marts above read them)
COMPARED_STAGING = ["stg_billing__plans", "stg_billing__subscriptions", "stg_billing__invoices", "stg_billing__trials", "stg_crm__accounts",
                    "stg_survey__nps_responses", "stg_helpdesk__tickets", "stg_app__users", "stg_app__events", "stg_web__touches"]


@pytest.fixture(scope="module")
def business(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The raw dir of the business and its vendor tables (with the unmappable rows)."""
    root = tmp_path_factory.mktemp("adapter_business")
    return write_contract(root / "raw"), write_vendors(root / "vendors", unmappable=True)


@pytest.fixture(scope="module")
def from_files(build_warehouse: Callable[..., Path], business: tuple[Path, Path]) -> Path:
    return build_warehouse(business[0], "adapters_files", select=SELECT)


@pytest.fixture(scope="module")
def from_vendors(build_warehouse: Callable[..., Path], business: tuple[Path, Path]) -> Path:
    raw_dir, vendor_dir = business
    dbt_vars = {"raw_table_sources": ADAPTED, "vendor_dir": str(vendor_dir)}
    return build_warehouse(raw_dir, "adapters_vendors", dbt_vars=dbt_vars, select=SELECT)


@pytest.fixture(scope="module")
def from_amplitude(build_warehouse: Callable[..., Path], business: tuple[Path, Path]) -> Path:
    """app.events from Amplitude, every other table from the raw dir: its staging, load audit and quarantine."""
    raw_dir, vendor_dir = business
    dbt_vars = {"raw_table_sources": {"app.events": "amplitude"}, "vendor_dir": str(vendor_dir)}
    return build_warehouse(raw_dir, "adapters_amplitude", dbt_vars=dbt_vars, select="+stg_app__events +stg_load_audit +stg_quarantine")


def vendor_rows(vendor_dir: Path, table: str) -> list[dict[str, str]]:
    with (vendor_dir / table).open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_vendor_business_gives_the_same_staging_and_marts(from_files: Path, from_vendors: Path) -> None:
    for mart in COMPARED_MARTS:
        assert differing_rows(from_files, from_vendors, "marts", mart) == (0, 0), mart
    for model in COMPARED_STAGING:
        assert differing_rows(from_files, from_vendors, "staging", model) == (0, 0), model
    counts = {mart: query(from_vendors, f"select count(*) from marts.{mart}")[0][0] for mart in COMPARED_MARTS}
    assert counts == {"fct_segment_membership": 46, "fct_mrr_movements": 14, "fct_mrr_monthly": 6, "fct_nps_monthly": 14}
    # A4's need is stated in Delighted only; A1's stated need loses to its HubSpot value
    needs = query(from_vendors, "select account_id, primary_need from staging.stg_crm__accounts order by 1")
    assert dict(needs) == NEEDS
    assert query(from_vendors, "select entity_id from marts.fct_segment_membership where segment_key = 'need:compliance'") == [("A4",)]
    # the upgrade of A1 (two Stripe subscriptions) is an expansion, A4's cancellation a churn
    movements = query(
        from_vendors,
        "select account_id, cast(mrr_month as varchar), movement, mrr_change from marts.fct_mrr_movements"
        " where movement <> 'retained' order by 2, 1",
    )
    assert movements == [
        ("A1", "2025-01-01", "new", Decimal("198")),
        ("A2", "2025-02-01", "new", Decimal("89.1")),
        ("A1", "2025-04-01", "expansion", Decimal("699")),
        ("A4", "2025-04-01", "new", Decimal("29")),
        ("A4", "2025-06-01", "churn", Decimal("-29")),
    ]
    assert query(from_vendors, "select entity_id from marts.fct_segment_membership where segment_key = 'trial_non_converter'") == [("A3",)]
    # a charge refunded in full makes its paid invoice refunded; a partial refund leaves it paid
    statuses = query(from_vendors, "select invoice_id, status from staging.stg_billing__invoices where invoice_id like 'in_sub_a%' order by 1")
    assert [row for row in statuses if row[1] != "paid"] == [(invoice, "refunded") for invoice in REFUNDED_INVOICES]
    assert (PARTLY_REFUNDED_INVOICES[0], "paid") in statuses and len(statuses) == 9


def test_unmappable_vendor_rows_are_quarantined_and_counted(from_files: Path, from_vendors: Path, business: tuple[Path, Path]) -> None:
    adapted = "('plans', 'subscriptions', 'invoices', 'trials', 'accounts', 'nps_responses', 'support_tickets', 'users', 'events', 'web_touches')"
    quarantined = query(from_vendors, f"select source_table, record_key, rule from staging.stg_quarantine where source_table in {adapted}")
    assert sorted(quarantined) == sorted(UNMAPPABLE)
    assert query(from_files, f"select count(*) from staging.stg_quarantine where source_table in {adapted}") == [(0,)]
    audit = dict(
        (row[0], row[1:])
        for row in query(
            from_vendors,
            f"select source_table, raw_rows, staged_rows, quarantined_rows, is_reconciled from staging.stg_load_audit where source_table in {adapted}",
        )
    )
    vendors = business[1]
    active = [row for row in vendor_rows(vendors / "stripe", "subscription_history.csv") if row["_fivetran_active"] == "true"]
    trial_only = query(from_vendors, "select count(*) from staging.stg_billing__trials where converted_at is null")[0][0]
    # every vendor row is read: one plan per product, one invoice, account or NPS response
    # per vendor row, and each Stripe subscription in force is a paid period or a trial only
    assert audit["plans"] == (len(vendor_rows(vendors / "stripe", "product.csv")), 4, 1, True)
    assert audit["invoices"] == (len(vendor_rows(vendors / "stripe", "invoice.csv")), 9, 1, True)
    assert audit["subscriptions"][0] + trial_only == len(active) == 9
    assert audit["subscriptions"] == (8, 4, 4, True)
    assert audit["trials"] == (3, 3, 0, True)
    assert audit["accounts"] == (len(vendor_rows(vendors / "hubspot", "company.csv")), 4, 1, True)
    assert audit["nps_responses"] == (len(vendor_rows(vendors / "delighted", "survey_responses.csv")), 4, 2, True)
    assert audit["support_tickets"] == (len(vendor_rows(vendors / "zendesk", "tickets.csv")), 3, 1, True)
    # one row per Segment user, anonymous identify call and HubSpot contact without email; a contact whose email
    # is no user's (a lead) is not a user
    identifies = vendor_rows(vendors / "segment", "identifies.csv")
    no_email = [row for row in vendor_rows(vendors / "hubspot", "contact.csv") if not row["property_email"]]
    assert audit["users"] == (len({row["user_id"] for row in identifies if row["user_id"]}) + 1 + len(no_email), 6, 3, True) == (9, 6, 3, True)
    tracks = len(vendor_rows(vendors / "segment", "tracks.csv"))
    assert audit["events"] == (tracks, tracks - 2, 2, True)
    assert audit["web_touches"] == (3, 3, 0, True)
    # the page of an unknown path is a touch of type other, counted as mapped
    assert query(from_vendors, "select mapped_to_other_rows from staging.stg_load_audit where source_table = 'web_touches'") == [(1,)]


def test_missing_vendor_table_or_column_stops_the_build(business: tuple[Path, Path], tmp_path: Path) -> None:
    vendors = tmp_path / "vendors"
    write_vendors(vendors)
    (vendors / "delighted" / "people.csv").unlink()
    # app.users from Segment alone reads identifies but not HubSpot's contacts
    (vendors / "segment" / "identifies.csv").unlink()
    (vendors / "hubspot" / "contact.csv").unlink()
    responses = vendors / "delighted" / "survey_responses.csv"
    rows = [row[:-1] for row in csv.reader(responses.open(newline=""))]  # without person_properties
    with responses.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    process = dbt(
        ["run", "--select", "adp_delighted__nps_responses"],
        raw_dir=business[0],
        warehouse=tmp_path / "warehouse.duckdb",
        dbt_vars={
            "raw_table_sources": {"survey.nps_responses": "delighted", "app.users": "segment", "crm.accounts": "hubspot"},
            "vendor_dir": str(vendors),
        },
        target_path=tmp_path / "target",
        check=False,
    )
    assert process.returncode != 0
    assert "vendor data cannot feed its adapter" in process.stdout
    assert "delighted table 'people' not found in schema 'delighted'" in process.stdout
    assert "raw table 'survey_responses' is missing required column 'person_properties'" in process.stdout
    assert "segment table 'identifies' not found in schema 'segment'" in process.stdout
    assert "'contact'" not in process.stdout


def test_identity_seed_wins_over_vendor_ids(from_vendors: Path, tmp_path: Path) -> None:
    """A row of seeds/vendor_identity_map overrides the rule (the adapters are views: they read it at query time)."""
    warehouse = tmp_path / from_vendors.name  # the same file name: dbt qualifies views with the database name
    shutil.copy(from_vendors, warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "insert into reference.vendor_identity_map values"
            " ('stripe', 'customer', 'cus_anonymous', 'A3', null), ('stripe', 'customer', 'cus_a1', 'A2', null),"
            " ('hubspot', 'company', '1009', 'A3', null), ('delighted', 'person', 'p_unknown', 'A4', 'U6'),"
            " ('segment', 'user', 'U7', 'A3', null)"
        )
        assert connection.sql(
            "select customer_id, account_id from adapters.adp_stripe__customer_accounts"
            " where customer_id in ('cus_anonymous', 'cus_a1', 'cus_a2') order by 1"
        ).fetchall() == [("cus_a1", "A2"), ("cus_a2", "A2"), ("cus_anonymous", "A3")]
        assert connection.sql("select account_id from adapters.adp_hubspot__accounts where account_name is null").fetchall() == [("A3",)]
        assert connection.sql(
            "select user_id, account_id from adapters.adp_delighted__nps_responses where response_id = 'R_unknown_person'"
        ).fetchall() == [("U6", "A4")]
        assert connection.sql("select user_id, account_id from adapters.adp_segment_hubspot__users where email = 'u7@nowhere.example'").fetchall() == [
            ("U7", "A3")
        ]


def test_amplitude_events_stage_as_the_contract_files(from_files: Path, from_amplitude: Path, business: tuple[Path, Path]) -> None:
    """The same events from Amplitude's event table are the same staged events; what Amplitude cannot map (an unknown
    event type, a device-only event) is quarantined as Segment's calls of the same ids are, and counted."""
    assert differing_rows(from_files, from_amplitude, "staging", "stg_app__events") == (0, 0)
    events = vendor_rows(business[1] / "amplitude", "event.csv")
    staged = query(from_amplitude, "select count(*), count(session_key) from staging.stg_app__events")[0]
    assert staged == (len(events) - 2, 0) == (len(vendor_rows(business[0], "events.csv")), 0)
    quarantined = query(from_amplitude, "select source_table, record_key, rule from staging.stg_quarantine where source_table = 'events'")
    assert sorted(quarantined) == sorted(row for row in UNMAPPABLE if row[0] == "events")
    audit = query(from_amplitude, "select raw_rows, staged_rows, quarantined_rows, is_reconciled from staging.stg_load_audit where source_table = 'events'")
    assert audit == [(len(events), len(events) - 2, 2, True)]
    # Amplitude's session_id (epoch milliseconds) is the session; -1 (outside any session) is none
    sessions = query(from_amplitude, "select event_id, session_id from adapters.adp_amplitude__events where event_id in ('E1', 'E_unmapped') order by 1")
    assert sessions == [("E1", None), ("E_unmapped", str(AMPLITUDE_SESSION))]
