"""Arrow tables of the raw source contract (every table except ``events``).

Column names, order and enum values follow docs/source-contract.md.  ``accounts``
carries two extra CRM columns (``crm_owner``, ``crm_tier``) that the project must
ignore.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrow import MONEY, RATE, dates, decimals, fixed_ids, ints, pick, timestamps
from .billing import INVOICE_STATUSES, SUB_STATUSES, fx_table
from .config import (
    CHANNELS, CURRENCIES, FEATURES, INDUSTRIES, LOCATION_TYPES, MILESTONES, NEEDS, PLANS,
    PRIORITIES, REGIONS, ROLES, TOUCH_TYPES, stream,
)
from .customer import COMMENTS
from .web import anonymous_numbers
from .world import World

NAME_HEAD = ("North", "Blue", "Bright", "Silver", "Green", "Swift", "Iron", "Clear", "Red", "Summit",
             "Atlas", "Nova", "Pine", "Harbor", "Golden", "Vertex")
NAME_TAIL = ("Analytics", "Logistics", "Labs", "Systems", "Foods", "Health", "Media", "Works",
             "Partners", "Capital", "Retail", "Energy", "Studio", "Dynamics")
URL_PATHS = ("/blog/post-", "/resources/ebook-", "/webinars/session-", "/pricing?v=", "/features/item-",
             "/faq/q-", "/go/")


def _concat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise string concatenation of arrays and literals."""
    return pc.binary_join_element_wise(*parts, "")


def accounts_table(w: World) -> pa.Table:
    """accounts (plus the extra CRM columns)."""
    acc = w.acc
    rng = stream(w.seed, "account_names")
    head = pick(NAME_HEAD, rng.integers(0, len(NAME_HEAD), acc.n))
    tail = pick(NAME_TAIL, rng.integers(0, len(NAME_TAIL), acc.n))
    return pa.table({
        "account_id": w.account_ids,
        "account_name": _concat(head, " ", tail),
        "industry": pick(INDUSTRIES, acc.industry),
        "employee_count": ints(acc.employees, acc.employees >= 0),
        "region": pick(REGIONS, acc.region),
        "location_type": pick(LOCATION_TYPES, acc.location),
        "created_at": timestamps(w.cal.seconds(acc.created_day, acc.created_sec)),
        "acquisition_channel": pick(CHANNELS, acc.channel),
        "potential_arr": decimals(w.potential_cents, MONEY, w.potential_cents >= 0),
        "is_beta_program": pa.array(acc.is_beta_program, pa.bool_()),
        "primary_need": pick(NEEDS, acc.need),
        "crm_owner": fixed_ids("owner_", rng.integers(1, 40, acc.n), 2),
        "crm_tier": pick(("smb", "mid_market", "enterprise"), np.minimum(acc.plan0 // 2, 2)),
    })


def users_table(w: World) -> pa.Table:
    """users."""
    u = w.users
    email = _concat(pc.utf8_lower(w.user_ids), "@", pc.utf8_lower(w.account_ids.take(pa.array(u.account))), ".example.com")
    email = pc.if_else(pa.array(u.has_email), email, pa.scalar(None, pa.string()))
    deleted = u.deleted_day >= 0
    return pa.table({
        "user_id": w.user_ids,
        "account_id": w.account_ids.take(pa.array(u.account)),
        "email": email,
        "role": pick(ROLES, u.role),
        "created_at": timestamps(w.cal.seconds(u.u0, u.u0_sec)),
        "email_opt_in": pa.array(u.opt_in, pa.bool_()),
        "in_app_enabled": pa.array(u.in_app, pa.bool_()),
        "is_beta_user": pa.array(u.is_beta, pa.bool_()),
        "deleted_at": timestamps(w.cal.seconds(np.maximum(u.deleted_day, 0), 12 * 3600), deleted),
    })


def features_table(w: World) -> pa.Table:
    """features (the catalog)."""
    return pa.table({
        "feature_key": pa.array([f.key for f in FEATURES], pa.string()),
        "feature_name": pa.array([f.name for f in FEATURES], pa.string()),
        "category": pa.array([f.category for f in FEATURES], pa.string()),
        "is_most_valuable": pa.array([f.most_valuable for f in FEATURES], pa.bool_()),
        "is_activation": pa.array([f.activation for f in FEATURES], pa.bool_()),
        "released_at": dates(np.array([w.cal.epoch_day(w.cal.last - f.release_offset) for f in FEATURES])),
    })


def plans_table() -> pa.Table:
    """plans (price per seat per month, USD)."""
    return pa.table({
        "plan_id": pa.array([p.plan_id for p in PLANS], pa.string()),
        "plan_name": pa.array([p.name for p in PLANS], pa.string()),
        "plan_rank": pa.array([p.rank for p in PLANS], pa.int64()),
        "list_price_monthly": decimals(np.array([p.seat_price_cents for p in PLANS]), MONEY),
        "is_paid": pa.array([p.seat_price_cents > 0 for p in PLANS], pa.bool_()),
    })


def trials_table(w: World) -> pa.Table:
    """trials (one per trial started)."""
    acc, t = w.acc, w.trials
    idx = np.flatnonzero(acc.has_trial)
    plan_ids = [p.plan_id for p in PLANS]
    conv, canc = t["converted"][idx], t["cancelled"][idx]
    return pa.table({
        "trial_id": fixed_ids("T", np.arange(1, len(idx) + 1), 7),
        "account_id": w.account_ids.take(pa.array(idx)),
        "user_id": w.user_ids.take(pa.array(acc.user_start[idx])),
        "plan_id": pick(plan_ids, acc.trial_plan[idx]),
        "started_at": timestamps(t["started"][idx]),
        "ends_at": timestamps(t["ends"][idx]),
        "converted_at": timestamps(np.maximum(conv, 0), conv >= 0),
        "cancelled_at": timestamps(np.maximum(canc, 0), canc >= 0),
    })


def subscriptions_table(w: World) -> pa.Table:
    """subscriptions (billing history)."""
    s = w.subs
    open_end = s.end < 0
    return pa.table({
        "subscription_id": w.subscription_ids,
        "account_id": w.account_ids.take(pa.array(s.account)),
        "plan_id": pick([p.plan_id for p in PLANS], s.plan),
        "status": pick(SUB_STATUSES, s.status),
        "period_start": dates(w.cal.epoch_day(s.start)),
        "period_end": dates(w.cal.epoch_day(np.where(open_end, 0, s.end)), ~open_end),
        "billing_interval": pick(("month", "year"), s.annual.astype(np.int64)),
        "amount": decimals(s.cents, MONEY),
        "currency": pick(CURRENCIES, s.currency),
        "seats": ints(s.seats),
    })


def invoices_table(w: World) -> pa.Table:
    """invoices (one per billing period)."""
    inv = w.invoices
    return pa.table({
        "invoice_id": fixed_ids("I", np.arange(1, len(inv.sub) + 1), 9),
        "account_id": w.account_ids.take(pa.array(inv.account)),
        "subscription_id": w.subscription_ids.take(pa.array(inv.sub)),
        "issued_at": timestamps(w.cal.seconds(inv.day, inv.sec)),
        "amount": decimals(inv.cents, MONEY),
        "currency": pick(CURRENCIES, inv.currency),
        "status": pick(INVOICE_STATUSES, inv.status),
    })


def fx_rates_table(w: World) -> pa.Table:
    """fx_rates (daily, every currency including USD)."""
    fx = fx_table(w.cal)
    return pa.table({
        "currency": pick(CURRENCIES, fx["currency"]),
        "rate_date": dates(w.cal.epoch_day(fx["day"])),
        "usd_per_unit": decimals(fx["micro"], RATE),
    })


def nps_table(w: World) -> pa.Table:
    """nps_responses."""
    nps = w.nps
    comments = [c for group in COMMENTS for c in group]
    labels = pick([f"nps-q{i:02d}" for i in range(int(nps.wave.max(initial=0)) + 1)], nps.wave)
    return pa.table({
        "response_id": fixed_ids("N", np.arange(1, len(nps.user) + 1), 8),
        "user_id": w.user_ids.take(pa.array(nps.user)),
        "account_id": w.account_ids.take(pa.array(w.users.account[nps.user])),
        "responded_at": timestamps(w.cal.seconds(nps.day, nps.sec)),
        "score": ints(nps.score),
        "comment": pick(comments, nps.comment),
        "survey_id": labels,
    })


def web_touches_table(w: World) -> pa.Table:
    """web_touches."""
    t = w.touches
    n = len(t.visitor)
    rng = stream(w.seed, "urls")
    url = _concat(pick(URL_PATHS, t.kind), pc.cast(pa.array(rng.integers(1, 500, n)), pa.string()))
    user = pa.array(np.maximum(t.user, 0), mask=t.user < 0)
    return pa.table({
        "touch_id": fixed_ids("W", np.arange(1, n + 1), 9),
        "anonymous_id": fixed_ids("anon-", anonymous_numbers(t.visitor), 10),
        "user_id": w.user_ids.take(user),
        "occurred_at": timestamps(w.cal.seconds(t.day, t.sec)),
        "touch_type": pick(TOUCH_TYPES, t.kind),
        "url": url,
    })


def support_tickets_table(w: World) -> pa.Table:
    """support_tickets."""
    t = w.tickets
    n = len(t.account)
    created = w.cal.seconds(t.day, t.sec)
    resolved = created + np.maximum(t.resolve_hours, 0) * 3600
    return pa.table({
        "ticket_id": fixed_ids("K", np.arange(1, n + 1), 8),
        "account_id": w.account_ids.take(pa.array(t.account)),
        "user_id": w.user_ids.take(pa.array(np.maximum(t.user, 0), mask=t.user < 0)),
        "created_at": timestamps(created),
        "resolved_at": timestamps(resolved, t.resolve_hours >= 0),
        "priority": pick(PRIORITIES, t.priority),
        "handle_minutes": ints(np.maximum(t.minutes, 0), t.minutes >= 0),
    })


def milestones_table(w: World) -> pa.Table:
    """onboarding_milestones."""
    ms = w.milestones
    order = np.lexsort((ms.milestone, ms.account))
    return pa.table({
        "account_id": w.account_ids.take(pa.array(ms.account[order])),
        "milestone_key": pick(MILESTONES, ms.milestone[order]),
        "completed_at": timestamps(w.cal.seconds(ms.day[order], ms.sec[order])),
    })


def static_tables(w: World) -> dict[str, pa.Table]:
    """Every contract table except events, in a fixed order."""
    return {
        "accounts": accounts_table(w),
        "users": users_table(w),
        "features": features_table(w),
        "plans": plans_table(),
        "trials": trials_table(w),
        "subscriptions": subscriptions_table(w),
        "invoices": invoices_table(w),
        "fx_rates": fx_rates_table(w),
        "nps_responses": nps_table(w),
        "web_touches": web_touches_table(w),
        "support_tickets": support_tickets_table(w),
        "onboarding_milestones": milestones_table(w),
    }

