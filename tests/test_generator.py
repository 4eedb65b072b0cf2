"""Tests of the synthetic-data generator (demo scale, temporary directories)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from saas_segments.generator.badrows import ALL_KINDS
from saas_segments.generator.cli import parse_args, run

DOCS = Path(__file__).resolve().parent.parent / "docs" / "interfaces.md"
AS_OF = "2026-06-30"
TS = pa.timestamp("us", tz="UTC")
STR, INT, BOOL, DATE = pa.string(), pa.int64(), pa.bool_(), pa.date32()
MONEY = "money"
CONTRACT: dict[str, dict[str, object]] = {
    "accounts": {"account_id": STR, "account_name": STR, "industry": STR, "employee_count": INT,
                 "region": STR, "location_type": STR, "created_at": TS, "acquisition_channel": STR,
                 "potential_arr": MONEY, "is_beta_program": BOOL, "primary_need": STR},
    "users": {"user_id": STR, "account_id": STR, "email": STR, "role": STR, "created_at": TS,
              "email_opt_in": BOOL, "in_app_enabled": BOOL, "is_beta_user": BOOL, "deleted_at": TS},
    "features": {"feature_key": STR, "feature_name": STR, "category": STR, "is_most_valuable": BOOL,
                 "is_activation": BOOL, "released_at": DATE},
    "events": {"event_id": STR, "user_id": STR, "account_id": STR, "occurred_at": TS, "event_type": STR,
               "feature_key": STR, "session_id": STR},
    "plans": {"plan_id": STR, "plan_name": STR, "plan_rank": INT, "list_price_monthly": MONEY, "is_paid": BOOL},
    "trials": {"trial_id": STR, "account_id": STR, "user_id": STR, "plan_id": STR, "started_at": TS,
               "ends_at": TS, "converted_at": TS, "cancelled_at": TS},
    "subscriptions": {"subscription_id": STR, "account_id": STR, "plan_id": STR, "status": STR,
                      "period_start": DATE, "period_end": DATE, "billing_interval": STR, "amount": MONEY,
                      "currency": STR, "seats": INT},
    "invoices": {"invoice_id": STR, "account_id": STR, "subscription_id": STR, "issued_at": TS,
                 "amount": MONEY, "currency": STR, "status": STR},
    "fx_rates": {"currency": STR, "rate_date": DATE, "usd_per_unit": "decimal"},
    "nps_responses": {"response_id": STR, "user_id": STR, "account_id": STR, "responded_at": TS,
                      "score": INT, "comment": STR, "survey_id": STR},
    "web_touches": {"touch_id": STR, "anonymous_id": STR, "user_id": STR, "occurred_at": TS,
                    "touch_type": STR, "url": STR},
    "support_tickets": {"ticket_id": STR, "account_id": STR, "user_id": STR, "created_at": TS,
                        "resolved_at": TS, "priority": STR, "handle_minutes": INT},
    "onboarding_milestones": {"account_id": STR, "milestone_key": STR, "completed_at": TS},
}
ENUMS = {
    ("accounts", "region"): {"NA", "EMEA", "APAC", "LATAM"},
    ("accounts", "location_type"): {"urban", "suburban", "rural"},
    ("users", "role"): {"admin", "manager", "analyst", "engineer", "executive", "other"},
    ("features", "category"): {"core", "secondary"},
    ("events", "event_type"): {"login", "feature_used", "page_view"},
    ("plans", "plan_name"): {"Free", "Starter", "Pro", "Business", "Enterprise"},
    ("subscriptions", "status"): {"active", "past_due", "canceled", "ended"},
    ("subscriptions", "billing_interval"): {"month", "year"},
    ("invoices", "status"): {"paid", "open", "void", "refunded"},
    ("web_touches", "touch_type"): {"blog_view", "ebook_download", "webinar_attended", "pricing_page",
                                    "features_page", "faq_page", "other"},
    ("support_tickets", "priority"): {"low", "normal", "high", "urgent"},
    ("onboarding_milestones", "milestone_key"): {"kickoff_call", "admin_setup", "integration_connected",
                                                 "team_invited", "training_completed"},
}


def generate(out: Path, *extra: str, seed: int = 1) -> dict[str, object]:
    """Run the generator at demo scale into ``out``."""
    return run(parse_args(["--scale", "demo", "--seed", str(seed), "--out", str(out), *extra]))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate(out)
    return out


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bad")
    generate(out, "--bad-rate", "0.01", "--spike-start", "2026-03-02", "--spike-days", "7",
             "--spike-factor", "5")
    return out


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def table(root: Path, name: str) -> pa.Table:
    path = root / name if name == "events" else root / f"{name}.parquet"
    return pq.read_table(path)


def segment_keys() -> tuple[set[str], set[str]]:
    text = DOCS.read_text()
    user = re.search(r"User grain \(entity_type = `user`\): (.*?)\.\n\n", text, re.S)
    account = re.search(r"Account grain \(entity_type = `account`\): (.*?)\.\n\n", text, re.S)
    assert user and account
    split = lambda s: {k.strip() for k in s.replace("\n", " ").split(",")}  # noqa: E731
    return split(user.group(1)), split(account.group(1))


def truth(root: Path) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    with open(root / "_truth" / "segment_members.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["segment_key"], set()).add((row["entity_type"], row["entity_id"]))
    return out


def test_same_seed_gives_identical_bytes(demo: Path, tmp_path: Path) -> None:
    generate(tmp_path)
    first, second = digests(demo), digests(tmp_path)
    assert len(first) == 16
    assert first == second


def test_other_seed_gives_other_data(demo: Path, tmp_path: Path) -> None:
    generate(tmp_path, seed=2)
    first, second = digests(demo), digests(tmp_path)
    assert first.keys() == second.keys()
    assert first["events/part-00000.parquet"] != second["events/part-00000.parquet"]
    assert first["users.parquet"] != second["users.parquet"]


def test_contract_tables_columns_and_types(demo: Path) -> None:
    assert (demo / "events" / "part-00000.parquet").exists()
    for name, columns in CONTRACT.items():
        t = table(demo, name)
        assert t.num_rows > 0, name
        for column, expected in columns.items():
            assert column in t.column_names, (name, column)
            kind = t.schema.field(column).type
            if expected == MONEY:
                assert kind == pa.decimal128(18, 2), (name, column, kind)
            elif expected == "decimal":
                assert pa.types.is_decimal(kind), (name, column, kind)
            else:
                assert kind == expected, (name, column, kind)
        assert t.column_names[:len(columns)] == list(columns), name
    assert {"crm_owner", "crm_tier"} <= set(table(demo, "accounts").column_names)
    for (name, column), allowed in ENUMS.items():
        values = set(table(demo, name).column(column).drop_null().to_pylist())
        assert values <= allowed, (name, column, values - allowed)
    plans = table(demo, "plans").to_pylist()
    assert [(p["plan_name"], p["plan_rank"]) for p in plans] == [
        ("Free", 1), ("Starter", 2), ("Pro", 3), ("Business", 4), ("Enterprise", 5)]
    features = table(demo, "features").to_pylist()
    assert len(features) == 12
    assert sum(f["category"] == "core" for f in features) == 6
    assert 2 <= sum(f["is_most_valuable"] for f in features) <= 3
    assert 1 <= sum(f["is_activation"] for f in features) <= 2


def test_referential_integrity(demo: Path) -> None:
    con = duckdb.connect()
    for name in CONTRACT:
        con.register(name, table(demo, name))
    checks = {
        "event without user": "select count(*) from events e anti join users u using (user_id)",
        "event account mismatch": "select count(*) from events e join users u using (user_id) where e.account_id <> u.account_id",
        "nps account mismatch": "select count(*) from nps_responses r join users u using (user_id) where r.account_id <> u.account_id",
        "ticket account mismatch": "select count(*) from support_tickets t join users u using (user_id) where t.account_id <> u.account_id",
        "trial account mismatch": "select count(*) from trials t join users u using (user_id) where t.account_id <> u.account_id",
        "ended without end": "select count(*) from subscriptions where status in ('canceled', 'ended') and period_end is null",
        "future deletion": f"select count(*) from users where deleted_at >= timestamp '{AS_OF}' + interval 1 day",
        "user without account": "select count(*) from users u anti join accounts a using (account_id)",
        "unknown feature": "select count(*) from events e where feature_key is not null and feature_key not in (select feature_key from features)",
        "feature_used without key": "select count(*) from events where event_type = 'feature_used' and feature_key is null",
        "duplicate event id": "select count(*) - count(distinct event_id) from events",
        "unknown plan": "select count(*) from (select plan_id from trials union all select plan_id from subscriptions) anti join plans using (plan_id)",
        "overlap": """select count(*) from subscriptions a join subscriptions b
                      on a.account_id = b.account_id and a.subscription_id < b.subscription_id
                      and a.period_start < coalesce(b.period_end, date '9999-12-31')
                      and b.period_start < coalesce(a.period_end, date '9999-12-31')""",
        "empty period": "select count(*) from subscriptions where period_end <= period_start",
        "trial window": "select count(*) from trials where ends_at < started_at",
        "fx gap": """select count(*) from (select distinct currency from subscriptions) c
                     where (select min(rate_date) from fx_rates f where f.currency = c.currency)
                           > (select min(period_start) from subscriptions)
                        or (select max(rate_date) from fx_rates f where f.currency = c.currency) <> date '2026-06-30'""",
        "invoice orphan": "select count(*) from invoices anti join subscriptions using (subscription_id)",
        "nps score": "select count(*) from nps_responses where score not between 0 and 10",
        "late event": f"select count(*) from events where occurred_at >= timestamp '{AS_OF}' + interval 1 day",
        "touch orphan": "select count(*) from web_touches w where user_id is not null and user_id not in (select user_id from users)",
    }
    for label, sql in checks.items():
        assert con.sql(sql).fetchall()[0][0] == 0, label
    assert con.sql("select count(distinct currency) from subscriptions").fetchall()[0][0] >= 3
    assert con.sql("select count(*) from fx_rates where currency = 'USD'").fetchall()[0][0] > 1000
    intervals = {r[0] for r in con.sql("select distinct billing_interval from subscriptions").fetchall()}
    assert intervals == {"month", "year"}
    cats = con.sql("""select sum((score >= 9)::int), sum((score between 7 and 8)::int), sum((score <= 6)::int)
                      from nps_responses""").fetchall()[0]
    assert min(cats) > 20
    stitched = con.sql("""select count(*) from web_touches w where user_id is null and anonymous_id in
                          (select anonymous_id from web_touches where user_id is not null)""").fetchall()[0][0]
    assert stitched > 50


def test_demo_row_counts(demo: Path) -> None:
    manifest = json.loads((demo / "_truth" / "manifest.json").read_text())
    rows = manifest["rows"]
    assert 250 <= rows["accounts"] <= 320
    assert 800 <= rows["users"] <= 1_300
    assert 60_000 <= rows["events"] <= 200_000
    assert rows["events"] == table(demo, "events").num_rows
    assert manifest["as_of"] == AS_OF and manifest["spike"] is None and manifest["bad_rows"] == {}
    text = (demo / "_truth" / "manifest.json").read_text()
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2) + "\n"


def test_every_segment_has_members(demo: Path) -> None:
    user_keys, account_keys = segment_keys()
    members = truth(demo)
    assert set(members) <= user_keys | account_keys
    for key in sorted(user_keys | account_keys):
        kind = "user" if key in user_keys else "account"
        rows = members.get(key, set())
        assert len(rows) >= 5, key
        assert {k for k, _ in rows} == {kind}, key
    tiers = [members[f"value_tier_{t}"] for t in ("high", "medium", "low")]
    assert not (tiers[0] & tiers[1]) and not (tiers[1] & tiers[2])
    assert members["highest_value"] == tiers[0]
    nps = [members[f"nps_{c}"] for c in ("promoters", "passives", "detractors")]
    assert not (nps[0] & nps[1]) and not (nps[1] & nps[2]) and not (nps[0] & nps[2])


def test_truth_matches_sql_on_written_data(demo: Path) -> None:
    con = duckdb.connect()
    for name in ("events", "features", "users"):
        con.register(name, table(demo, name))
    con.sql(f"""create view days as select user_id, occurred_at::date d, event_type, e.feature_key, f.category
               from events e left join features f using (feature_key)
               where event_type in ('login', 'feature_used')""")
    power = con.sql(f"""select user_id from days where d > date '{AS_OF}' - 30
                        group by user_id having count(distinct d) >= 15
                        and count(distinct case when category = 'core' then feature_key end) >= 4""").fetchall()
    inactive = con.sql(f"""select user_id from days where user_id not in (select user_id from users where deleted_at is not null)
                           group by user_id
                           having count(distinct case when d between date '{AS_OF}' - 89 and date '{AS_OF}' - 30 then d end) >= 4
                           and count(distinct case when d > date '{AS_OF}' - 30 then d end) / 30.0
                               <= 0.25 * count(distinct case when d between date '{AS_OF}' - 89 and date '{AS_OF}' - 30 then d end) / 60.0
                        """).fetchall()
    never = con.sql(f"""select user_id from users where deleted_at is null
                        and created_at::date <= date '{AS_OF}' - 14
                        and user_id not in (select user_id from days where category = 'core')""").fetchall()
    members = truth(demo)
    assert {("user", r[0]) for r in power} == members["power_users"]
    assert {("user", r[0]) for r in inactive} == members["inactive_users"]
    assert {("user", r[0]) for r in never} == members["never_used_core"]


def test_bad_rows_cover_every_kind_and_csvs_parse(bad: Path) -> None:
    with open(bad / "_truth" / "bad_rows.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    kinds = Counter(r["kind"] for r in rows)
    assert set(kinds) == set(ALL_KINDS)
    cells = [line.split("|")[1] for line in DOCS.read_text().splitlines() if line.startswith("| ")]
    rules = {r.strip() for cell in cells for r in cell.split("/")} - {"rule"}
    assert {r["expected_rule"] for r in rows} <= rules | {"collapsed", "mapped_to_other"}
    per_table = Counter(r["table"] for r in rows)
    manifest = json.loads((bad / "_truth" / "manifest.json").read_text())
    assert manifest["format"] == "csv"
    assert sum(manifest["bad_rows"].values()) == len(rows)
    con = duckdb.connect()
    for name in CONTRACT:
        path = bad / name / "*.csv" if name == "events" else bad / f"{name}.csv"
        n = con.sql(f"select count(*) from read_csv('{path}', header=true, all_varchar=true)").fetchall()[0][0]
        assert n == manifest["rows"][name], name
        assert per_table[name] >= 3, name
    assert per_table["events"] >= 0.005 * manifest["rows"]["events"]
    null_keys = [r for r in rows if r["kind"] == "null_key"]
    assert null_keys and all(r["record_key"] == "" for r in null_keys)
    users = con.sql(f"select * from read_csv('{bad / 'users.csv'}', header=true, all_varchar=true)").fetchall()
    assert any(r[5] == "maybe" for r in users)
    scores = {r[0] for r in con.sql(f"select score from read_csv('{bad / 'nps_responses.csv'}', all_varchar=true)").fetchall()}
    assert {"7.5", "11"} <= scores
    dup = con.sql(f"""select event_id, count(*) from read_csv('{bad / 'events' / '*.csv'}', all_varchar=true)
                      group by all having count(*) > 1""").fetchall()
    assert len(dup) >= kinds["exact_duplicate"]


def test_duplicate_key_originals_sort_first(bad: Path) -> None:
    with open(bad / "_truth" / "bad_rows.csv", newline="") as fh:
        dups = [r for r in csv.DictReader(fh) if r["kind"] == "duplicate_key" and r["table"] != "events"]
    assert dups
    for name in {r["table"] for r in dups}:
        with open(bad / f"{name}.csv", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            data = list(reader)
        keys = ("currency", "rate_date") if name == "fx_rates" else (
            ("account_id", "milestone_key") if name == "onboarding_milestones" else (header[0],))
        idx = [header.index(k) for k in keys]
        clean_rows = data[:len(data) - sum(1 for r in dups if r["table"] == name)]
        for r in (r for r in dups if r["table"] == name):
            copies = [row for row in data if "|".join(row[i] for i in idx) == r["record_key"]]
            assert len(copies) >= 2
            original = [row for row in clean_rows if "|".join(row[i] for i in idx) == r["record_key"]]
            assert min(copies) == original[0]


def test_spike_window_signups(bad: Path) -> None:
    con = duckdb.connect()
    signups = con.sql(f"""select try_cast(created_at as timestamptz)::date d, count(*) n
                          from read_csv('{bad / 'users.csv'}', all_varchar=true)
                          where try_cast(created_at as timestamptz) is not null group by 1""").fetchall()
    daily = dict(signups)
    start = dt.date(2026, 3, 2)
    spike = sum(daily.get(start + dt.timedelta(days=i), 0) for i in range(7)) / 7
    before = sum(daily.get(start - dt.timedelta(days=i), 0) for i in range(1, 61)) / 60
    assert spike > 3 * before > 0
    manifest = json.loads((bad / "_truth" / "manifest.json").read_text())
    assert manifest["spike"] == {"days": 7, "end": "2026-03-08", "factor": 5.0, "start": "2026-03-02"}


def test_last_twelve_months_churn_1_to_4_percent_and_have_every_movement(demo: Path) -> None:
    con = duckdb.connect()
    for name in ("subscriptions", "fx_rates"):
        con.register(name, table(demo, name))
    rows = con.sql(f"""
        with periods as (
            select s.account_id, s.period_start, s.period_end,
                   s.amount * f.usd_per_unit / case when s.billing_interval = 'year' then 12 else 1 end as mrr
            from subscriptions s join fx_rates f on f.currency = s.currency and f.rate_date = s.period_start
            where s.plan_id <> 'plan_free'),
        months as (
            select m::date as m, (m - interval 1 day)::date as before,
                   least((m + interval 1 month - interval 1 day)::date, date '{AS_OF}') as after
            from generate_series(date '2025-07-01', date '2026-06-01', interval 1 month) as t(m)),
        mrr as (
            select m, account_id,
                   sum(case when period_start <= before and (period_end is null or period_end > before) then mrr else 0 end) as a,
                   sum(case when period_start <= after and (period_end is null or period_end > after) then mrr else 0 end) as b
            from months cross join periods group by all)
        select m, count_if(a > 0), count_if(a > 0 and b = 0), count_if(a = 0 and b > 0),
               count_if(a > 0 and b > a), count_if(b > 0 and b < a)
        from mrr group by m order by m""").fetchall()
    assert len(rows) == 12
    for month, customers, churned, new, expanded, contracted in rows:
        assert 0.01 <= churned / customers <= 0.04, (month, churned, customers)
        assert min(new, expanded, contracted) >= 1, (month, new, expanded, contracted)


def test_fx_rates_fall_as_well_as_rise(demo: Path) -> None:
    con = duckdb.connect()
    con.register("fx_rates", table(demo, "fx_rates"))
    rows = con.sql("""select currency, count_if(usd_per_unit < previous), count_if(usd_per_unit > previous)
                      from (select currency, usd_per_unit,
                                   lag(usd_per_unit) over (partition by currency order by rate_date) as previous
                            from fx_rates where currency <> 'USD')
                      group by currency order by currency""").fetchall()
    assert [r[0] for r in rows] == ["AUD", "BRL", "CAD", "EUR", "GBP"]
    assert all(falling > 200 and rising > 200 for _, falling, rising in rows), rows
