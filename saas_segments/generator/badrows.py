"""Bad input rows for the staging layer (CSV only), each breaking exactly one rule.

Bad rows are *extra* rows: persona rows are never altered, so the truth labels
stay valid.  Each is built from a valid template row (or a safe host entity:
churned accounts, deleted users, never-paying trial accounts) with a fresh key,
then one value is broken.  Rows that stay staged (``mapped_to_other``) are
placed where they cannot join any segment.  Duplicate-key copies differ from the
original only in a value whose text sorts after the original's, so the
original's raw text sorts first and is the one kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .config import FREE, MILESTONES
from .personas import A
from .world import World

Row = dict[str, str | None]
RULE = {
    "null_key": "null_key", "duplicate_key": "duplicate_key", "exact_duplicate": "collapsed",
    "orphan_account": "orphan_account", "orphan_user": "orphan_user", "orphan_feature": "orphan_feature",
    "orphan_plan": "orphan_plan", "orphan_subscription": "orphan_subscription",
    "missing_required": "missing_required", "score_out_of_range": "invalid_score",
    "score_not_integer": "invalid_score", "negative_amount": "invalid_amount",
    "non_numeric_amount": "unparseable_number", "unknown_currency": "unknown_currency",
    "missing_fx_rate": "missing_fx_rate", "future_timestamp": "timestamp_out_of_range",
    "ancient_timestamp": "timestamp_out_of_range", "invalid_period": "invalid_period",
    "overlapping_period": "overlapping_period", "invalid_trial_window": "invalid_trial_window",
    "unparseable_date": "unparseable_date", "unparseable_timestamp": "unparseable_timestamp",
    "unparseable_boolean": "unparseable_boolean", "unknown_enum": "unknown_enum",
    "unknown_descriptive_enum": "mapped_to_other", "account_mismatch": "account_mismatch",
    "ended_without_period_end": "ended_without_period_end",
}
ALL_KINDS = tuple(RULE)
KEYS = {
    "accounts": ("account_id",), "users": ("user_id",), "features": ("feature_key",),
    "plans": ("plan_id",), "events": ("event_id",), "trials": ("trial_id",),
    "subscriptions": ("subscription_id",), "invoices": ("invoice_id",),
    "fx_rates": ("currency", "rate_date"), "nps_responses": ("response_id",),
    "web_touches": ("touch_id",), "support_tickets": ("ticket_id",),
    "onboarding_milestones": ("account_id", "milestone_key"),
}
FUTURE = "2099-01-01T00:00:00Z"
ANCIENT = "1999-06-01T00:00:00Z"


@dataclass(frozen=True)
class BadRow:
    """One injected row and its expected staging outcome."""

    table: str
    values: Row
    kind: str

    @property
    def record_key(self) -> str:
        """Key columns joined with ``|``; empty when any key part is null."""
        parts = [self.values[k] for k in KEYS[self.table]]
        return "" if any(p is None for p in parts) else "|".join(str(p) for p in parts)

    @property
    def expected_rule(self) -> str:
        """The staging rule this row must trigger."""
        return RULE[self.kind]


def plus_second(text: str) -> str:
    """An ISO UTC timestamp one second later (sorts after the original)."""
    t = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ") + dt.timedelta(seconds=1)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _set(**changes: str | None) -> Callable[[Row], Row]:
    """A mutation that sets columns to fixed values."""
    return lambda row: {**row, **changes}


Mutation = tuple[str, bool, Callable[[Row], Row]]


def _spec(table: str) -> list[Mutation]:
    """``(kind, fresh_key, mutation)`` per bad row kind of a table."""
    dup_col = {
        "accounts": lambda r: {**r, "account_name": r["account_name"] + " Holdings"},
        "users": lambda r: {**r, "email": (r["email"] or "") + "x"},
        "features": lambda r: {**r, "feature_name": r["feature_name"] + " Beta"},
        "plans": lambda r: {**r, "plan_rank": r["plan_rank"] + "0"},
        "events": lambda r: {**r, "occurred_at": plus_second(r["occurred_at"])},
        "trials": lambda r: {**r, "started_at": plus_second(r["started_at"])},
        "subscriptions": lambda r: {**r, "seats": r["seats"] + "0"},
        "invoices": lambda r: {**r, "issued_at": plus_second(r["issued_at"])},
        "fx_rates": lambda r: {**r, "usd_per_unit": f"{float(r['usd_per_unit']) + 1e-6:.6f}"},
        "nps_responses": lambda r: {**r, "responded_at": plus_second(r["responded_at"])},
        "web_touches": lambda r: {**r, "occurred_at": plus_second(r["occurred_at"])},
        "support_tickets": lambda r: {**r, "created_at": plus_second(r["created_at"])},
        "onboarding_milestones": lambda r: {**r, "completed_at": plus_second(r["completed_at"])},
    }[table]
    first_key = KEYS[table][0]
    common: list[Mutation] = [("null_key", True, _set(**{first_key: None})), ("duplicate_key", False, dup_col)]
    ts = {
        "accounts": "created_at", "users": "created_at", "events": "occurred_at", "invoices": "issued_at",
        "nps_responses": "responded_at", "web_touches": "occurred_at", "support_tickets": "created_at",
        "onboarding_milestones": "completed_at",
    }.get(table)
    timing: list[Mutation] = [] if ts is None else [
        ("unparseable_timestamp", True, _set(**{ts: "not-a-date"})),
        ("future_timestamp", True, _set(**{ts: FUTURE})),
    ]
    specific: dict[str, list[Mutation]] = {
        "accounts": [
            ("ancient_timestamp", True, _set(created_at=ANCIENT)),
            ("unknown_descriptive_enum", True, _set(region="Antarctica")),
            ("unknown_descriptive_enum", True, _set(location_type="underwater")),
            ("unparseable_boolean", True, _set(is_beta_program="maybe")),
            ("non_numeric_amount", True, _set(potential_arr="n/a")),
        ],
        "users": [
            ("orphan_account", True, _set(account_id="A-unknown-01")),
            ("unknown_descriptive_enum", True, _set(role="wizard")),
            ("unparseable_boolean", True, _set(email_opt_in="maybe")),
        ],
        "features": [
            ("unknown_enum", True, _set(category="tertiary")),
            ("unparseable_date", True, _set(released_at="not-a-date")),
            ("unparseable_boolean", True, _set(is_activation="maybe")),
        ],
        "plans": [
            ("unknown_enum", True, _set(plan_name="Platinum")),
            ("non_numeric_amount", True, _set(list_price_monthly="free")),
            ("negative_amount", True, _set(list_price_monthly="-15.00")),
            ("unparseable_boolean", True, _set(is_paid="maybe")),
        ],
        "events": [
            ("exact_duplicate", False, lambda r: dict(r)),
            ("ancient_timestamp", True, _set(occurred_at=ANCIENT)),
            ("orphan_user", True, _set(user_id="U-unknown-01")),
            ("orphan_feature", True, _set(event_type="feature_used", feature_key="teleport")),
            ("missing_required", True, _set(event_type="feature_used", feature_key=None)),
            ("unknown_enum", True, _set(event_type="logout", feature_key=None)),
            ("account_mismatch", True, lambda r: r),
        ],
        "trials": [
            ("orphan_plan", True, _set(plan_id="plan_unknown")),
            ("orphan_account", True, _set(account_id="A-unknown-02")),
            ("orphan_user", True, _set(user_id="U-unknown-02")),
            ("invalid_trial_window", True, lambda r: {**r, "ends_at": _shift(r["started_at"], -1)}),
            ("unparseable_timestamp", True, _set(started_at="not-a-date")),
            ("future_timestamp", True, _set(started_at=FUTURE, ends_at="2099-01-22T00:00:00Z",
                                            converted_at=None, cancelled_at=None)),
            ("account_mismatch", True, lambda r: r),
        ],
        "subscriptions": [
            ("orphan_plan", True, _set(plan_id="plan_unknown")),
            ("orphan_account", True, _set(account_id="A-unknown-03")),
            ("invalid_period", True, lambda r: {**r, "period_end": r["period_start"]}),
            ("overlapping_period", True, lambda r: r),
            ("negative_amount", True, lambda r: {**r, "amount": "-" + r["amount"]}),
            ("non_numeric_amount", True, _set(amount="abc")),
            ("unknown_currency", True, _set(currency="XXX")),
            ("missing_fx_rate", True, _set(currency="SEK")),
            ("unknown_enum", True, _set(status="paused")),
            ("unknown_enum", True, _set(billing_interval="week")),
            ("unparseable_date", True, _set(period_start="not-a-date")),
            ("ended_without_period_end", True, _set(period_end=None)),
            ("ended_without_period_end", True, _set(status="canceled", period_end=None)),
        ],
        "invoices": [
            ("orphan_subscription", True, _set(subscription_id="S-unknown-01")),
            ("orphan_account", True, _set(account_id="A-unknown-04")),
            ("negative_amount", True, lambda r: {**r, "amount": "-" + r["amount"]}),
            ("non_numeric_amount", True, _set(amount="abc")),
            ("unknown_currency", True, _set(currency="XXX")),
            ("missing_fx_rate", True, _set(currency="SEK")),
            ("unknown_enum", True, _set(status="disputed")),
        ],
        "fx_rates": [
            ("unparseable_date", True, _set(rate_date="not-a-date")),
            ("non_numeric_amount", True, _set(usd_per_unit="n/a")),
            ("unknown_currency", True, _set(currency="XXX")),
        ],
        "nps_responses": [
            ("score_out_of_range", True, _set(score="11")),
            ("score_not_integer", True, _set(score="7.5")),
            ("orphan_user", True, _set(user_id="U-unknown-03")),
            ("account_mismatch", True, lambda r: r),
        ],
        "web_touches": [
            ("ancient_timestamp", True, _set(occurred_at=ANCIENT)),
            ("unknown_descriptive_enum", True, _set(touch_type="podcast")),
            ("orphan_user", True, _set(user_id="U-unknown-04")),
        ],
        "support_tickets": [
            ("orphan_account", True, _set(account_id="A-unknown-05")),
            ("orphan_user", True, _set(user_id="U-unknown-05")),
            ("unknown_enum", True, _set(priority="critical")),
            ("non_numeric_amount", True, _set(handle_minutes="abc")),
            ("account_mismatch", True, lambda r: r),
        ],
        "onboarding_milestones": [
            ("unknown_enum", True, _set(milestone_key="go_live")),
            ("orphan_account", True, _set(account_id="A-unknown-06")),
        ],
    }
    return common + timing + specific[table]


def _shift(text: str, days: int) -> str:
    """An ISO UTC timestamp moved by whole days."""
    t = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ") + dt.timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Hosts:
    """Row indices of safe templates per table (in the clean text tables)."""

    rows: dict[str, np.ndarray]


def safe_hosts(w: World, events_sample: pa.Table) -> Hosts:
    """Templates that cannot drag a real entity into a segment."""
    acc, users, last = w.acc, w.users, w.cal.last
    churned = np.flatnonzero(acc.persona == A.CHURNED)
    lost = np.flatnonzero((acc.persona == A.TRIAL_LOST) & (acc.created_day <= last - 150))
    deleted = np.flatnonzero((users.deleted_day >= 0) & users.has_email & ~users.is_beta)
    monthly_hist = np.flatnonzero(np.isin(w.subs.account, churned) & ~w.subs.annual
                                  & (w.subs.end - w.subs.start >= 45))
    sub_rows = np.flatnonzero(w.subs.plan != FREE)
    return Hosts(rows={
        "accounts": churned, "users": deleted, "features": np.arange(6, 9), "plans": np.array([1]),
        "events": np.arange(events_sample.num_rows),
        "trials": np.arange(int(acc.has_trial.sum())),
        "subscriptions": sub_rows, "subscriptions_overlap": monthly_hist, "lost_accounts": lost,
        "invoices": np.arange(len(w.invoices.sub)), "fx_rates": np.arange(100),
        "nps_responses": np.arange(len(w.nps.user)), "web_touches": np.flatnonzero(w.touches.user >= 0),
        "support_tickets": np.flatnonzero(w.tickets.day < last - 100),
        "onboarding_milestones": np.arange(len(w.milestones.account)),
    })


def make_bad_rows(table: str, text: pa.Table, hosts: Hosts, w: World, rate: float,
                  rng: np.random.Generator) -> list[BadRow]:
    """Bad rows for one table: every kind at least once, about ``rate * rows`` in all."""
    spec = _spec(table)
    pool = hosts.rows[table]
    total = max(len(spec), min(int(round(rate * text.num_rows)), len(pool)))
    picks = rng.choice(pool, size=total, replace=total > len(pool))
    templates = text.take(pa.array(picks)).to_pylist()
    lost = hosts.rows["lost_accounts"]
    account_ids = w.account_id_list
    out: list[BadRow] = []
    for i in range(total):
        kind, fresh, mutate = spec[i % len(spec)]
        row: Row = dict(templates[i])
        if table == "subscriptions" and kind == "overlapping_period":
            row = _overlap_row(text, hosts, rng, i)
        elif table == "subscriptions" and kind != "duplicate_key":
            host = account_ids[int(lost[i % len(lost)])]
            start = w.cal.start + dt.timedelta(days=int(w.acc.created_day[lost[i % len(lost)]]) + 40 + 60 * (i // len(lost)))
            row.update(account_id=host, status="ended", billing_interval="month", currency="USD",
                       period_start=start.isoformat(), period_end=(start + dt.timedelta(days=30)).isoformat())
        elif kind == "account_mismatch":
            row.update(_mismatched_user(w, lost, i))
        elif table == "onboarding_milestones" and fresh:
            host = lost[(i // len(MILESTONES)) % len(lost)]
            row.update(account_id=account_ids[int(host)], milestone_key=MILESTONES[i % len(MILESTONES)])
        if table == "web_touches" and fresh:
            row.update(anonymous_id=f"anon-bad-{i:06d}", user_id=None)
        if fresh:
            row = _fresh_key(table, row, i)
        out.append(BadRow(table=table, values=_unique_placeholders(mutate(row), i), kind=kind))
    return out


def _mismatched_user(w: World, lost: np.ndarray, i: int) -> Row:
    """The primary user of one lost trial account filed under another lost trial account."""
    user_host, account_host = lost[i % len(lost)], lost[(i + 1) % len(lost)]
    return {"user_id": w.user_ids[int(w.acc.user_start[user_host])].as_py(),
            "account_id": w.account_id_list[int(account_host)]}


def _unique_placeholders(row: Row, i: int) -> Row:
    """Make invented references and unparseable key parts unique per bad row."""
    out: Row = {}
    for column, value in row.items():
        if value is not None and "-unknown-" in value:
            value = f"{value.split('-unknown-')[0]}-unknown-{i:06d}"
        elif value == "not-a-date" and column == "rate_date":
            value = f"not-a-date-{i:06d}"
        out[column] = value
    return out


def _overlap_row(text: pa.Table, hosts: Hosts, rng: np.random.Generator, i: int) -> Row:
    """A copy of a churned account's monthly period shifted 10 days later (overlapping it)."""
    j = int(rng.choice(hosts.rows["subscriptions_overlap"]))
    row = dict(text.slice(j, 1).to_pylist()[0])
    start = dt.date.fromisoformat(str(row["period_start"])) + dt.timedelta(days=10)
    row.update(period_start=start.isoformat(), period_end=(start + dt.timedelta(days=30)).isoformat(),
               status="ended")
    return row


def _fresh_key(table: str, row: Row, i: int) -> Row:
    """Replace the key with one no clean or other bad row uses."""
    if table == "fx_rates":
        return {**row, "rate_date": (dt.date(2010, 1, 1) + dt.timedelta(days=i)).isoformat()}
    if table == "onboarding_milestones":
        return row
    key = KEYS[table][0]
    return {**row, key: f"{table[:3]}-bad-{i:06d}"}
