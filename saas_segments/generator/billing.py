"""Billing: price list, fx rates, trials, subscription history and invoices.

Money is held in integer minor units (cents) and written as ``decimal128(18, 2)``;
fx rates are integer millionths written as ``decimal128(18, 6)``.  Every non-USD
series drifts slowly up and swings up and down around that drift (a sine of its own
amplitude, period and phase), so rates fall as well as rise.  An annual contract
keeps its local price at every renewal, so its USD MRR moves with the rate at the
renewal: a falling currency shows an fx-driven contraction, a rising one an
expansion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import (
    ANNUAL_DISCOUNT, CURRENCIES, FREE, FX_BASE, PLANS, SECONDS_PER_DAY, TRIAL_DAYS, Calendar, stream,
)
from .entities import Accounts
from .personas import A
from .users import Users

FX_LEAD_DAYS = 30
FX_DRIFT = 3e-5
#: per currency (as CURRENCIES): relative amplitude, period in days and phase of the swing
FX_SWING: tuple[tuple[float, float, float], ...] = (
    (0.0, 1.0, 0.0), (0.07, 420.0, 0.5), (0.06, 510.0, 2.0), (0.05, 365.0, 3.5),
    (0.08, 450.0, 1.0), (0.12, 300.0, 4.5),
)
SUB_STATUSES = ("active", "past_due", "canceled", "ended")
INVOICE_STATUSES = ("paid", "open", "void", "refunded")


def fx_micro(currency: np.ndarray, day: np.ndarray) -> np.ndarray:
    """USD per unit in millionths for a currency code and day index."""
    base = np.asarray(FX_BASE)[currency]
    amplitude, period, phase = (np.asarray(FX_SWING)[currency, k] for k in range(3))
    t = np.asarray(day, dtype=np.float64) + FX_LEAD_DAYS
    drift = np.where(np.asarray(currency) == 0, 0.0, FX_DRIFT * t)
    swing = amplitude * np.sin(2 * np.pi * t / period + phase)
    return np.round(base * 1e6 * (1.0 + drift + swing)).astype(np.int64)


def fx_table(cal: Calendar) -> dict[str, np.ndarray]:
    """Daily rate of every currency from before the first subscription through as_of."""
    days = np.arange(-FX_LEAD_DAYS, cal.n_days)
    cur = np.repeat(np.arange(len(CURRENCIES)), len(days))
    day = np.tile(days, len(CURRENCIES))
    return {"currency": cur, "day": day, "micro": fx_micro(cur, day)}


@dataclass
class Subscriptions:
    """Subscription rows (one per plan period; annual terms split per year)."""

    account: np.ndarray
    plan: np.ndarray
    start: np.ndarray
    end: np.ndarray
    annual: np.ndarray
    cents: np.ndarray
    currency: np.ndarray
    seats: np.ndarray
    status: np.ndarray

    @property
    def n(self) -> int:
        """Number of rows."""
        return len(self.account)


def _segments(acc: Accounts, i: int) -> list[tuple[int, int, int, int]]:
    """Paid streak pieces ``(start, end, plan, seats)`` of account ``i`` (end -1 = open)."""
    if acc.persona[i] == A.SPIKE:
        return [(int(acc.created_day[i]), -1, FREE, 1)]
    p0 = int(acc.p0[i])
    if p0 < 0:
        return []
    churn, react, change = int(acc.churn_day[i]), int(acc.react_day[i]), int(acc.change_day[i])
    plan0, seats0 = int(acc.plan0[i]), int(acc.seats0[i])
    if react >= 0:
        return [(p0, churn, plan0, seats0), (react, -1, plan0, seats0)]
    end = churn if churn >= 0 else -1
    if change >= 0:
        return [(p0, change, plan0, seats0), (change, end, int(acc.plan1[i]), int(acc.seats1[i]))]
    return [(p0, end, plan0, seats0)]


def build_subscriptions(acc: Accounts, cal: Calendar, seed: int) -> Subscriptions:
    """Subscription history of every account."""
    rng = stream(seed, "subscriptions")
    last = cal.last
    cols: dict[str, list[int]] = {
        k: [] for k in ("account", "plan", "start", "end", "annual", "seats", "status", "priced")
    }
    for i in range(acc.n):
        pieces = _segments(acc, i)
        annual = bool(acc.annual[i])
        rows: list[tuple[int, int, int, int, int]] = []
        for start, end, plan, seats in pieces:
            if not annual:
                rows.append((start, end, plan, seats, start))
                continue
            term = start
            while term <= last and (end < 0 or term < end):
                rows.append((term, term + 365, plan, seats, start))
                term += 365
        for j, (start, end, plan, seats, priced) in enumerate(rows):
            nxt = rows[j + 1][0] if j + 1 < len(rows) else None
            if end < 0 or end > last:
                status = 0
            elif nxt == end:
                status = 3
            else:
                status = 2
            cols["account"].append(i)
            cols["plan"].append(plan)
            cols["start"].append(start)
            cols["end"].append(end)
            cols["annual"].append(int(annual))
            cols["seats"].append(seats)
            cols["status"].append(status)
            cols["priced"].append(priced)
    arr = {k: np.array(v, np.int64) for k, v in cols.items()}
    account = arr["account"]
    past_due = (arr["status"] == 0) & (arr["annual"] == 0) & (acc.persona[account] == A.REGULAR) & (rng.random(len(account)) < 0.03)
    arr["status"][past_due] = 1
    price = np.array([p.seat_price_cents for p in PLANS])[arr["plan"]]
    usd = arr["seats"] * price * (1.0 - acc.discount[account])
    usd = np.where(arr["annual"] == 1, usd * 12 * ANNUAL_DISCOUNT, usd)
    currency = acc.currency[account].astype(np.int64)
    cents = np.round(usd * 1e6 / fx_micro(currency, arr["priced"])).astype(np.int64)
    return Subscriptions(account=account, plan=arr["plan"], start=arr["start"], end=arr["end"],
                         annual=arr["annual"] == 1, cents=cents, currency=currency, seats=arr["seats"],
                         status=arr["status"])


def running_row(subs: Subscriptions, day: int, n_accounts: int) -> np.ndarray:
    """Index of each account's subscription row covering ``day`` (-1 if none)."""
    covering = (subs.start <= day) & ((subs.end < 0) | (subs.end > day))
    out = np.full(n_accounts, -1, np.int64)
    idx = np.flatnonzero(covering)
    out[subs.account[idx]] = idx
    return out


def mrr_usd(subs: Subscriptions, rows: np.ndarray) -> np.ndarray:
    """MRR in USD of the given subscription rows (0 for -1), at the rate of each row's start."""
    ok = rows >= 0
    r = np.where(ok, rows, 0)
    local = subs.cents[r] / 100.0 / np.where(subs.annual[r], 12.0, 1.0)
    usd = local * fx_micro(subs.currency[r], subs.start[r]) / 1e6
    return np.where(ok & (subs.plan[r] != FREE), usd, 0.0)


@dataclass
class Invoices:
    """Invoice rows."""

    account: np.ndarray
    sub: np.ndarray
    day: np.ndarray
    sec: np.ndarray
    cents: np.ndarray
    currency: np.ndarray
    status: np.ndarray


def _month_steps(start_epoch: int, stop_epoch: int) -> np.ndarray:
    """Epoch days of monthly billing dates from ``start`` (day-of-month capped at 28)."""
    start = np.datetime64(start_epoch, "D")
    dom = min(int((start - start.astype("datetime64[M]")).astype(int)) + 1, 28)
    count = (stop_epoch - start_epoch) // 28 + 2
    months = start.astype("datetime64[M]") + np.arange(1, count)
    later = (months.astype("datetime64[D]") + (dom - 1)).astype(np.int64)
    steps = np.concatenate([[start_epoch], later])
    return steps[steps < stop_epoch]


def build_invoices(subs: Subscriptions, cal: Calendar, seed: int) -> Invoices:
    """One invoice per billing period of every paid subscription row."""
    rng = stream(seed, "invoices")
    stop_open = int(cal.epoch_day(cal.last)) + 1
    parts: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    for j in range(subs.n):
        if subs.plan[j] == FREE:
            continue
        start = int(cal.epoch_day(int(subs.start[j])))
        end = stop_open if subs.end[j] < 0 else min(int(cal.epoch_day(int(subs.end[j]))), stop_open)
        steps = np.array([start], np.int64) if subs.annual[j] else _month_steps(start, end)
        steps = steps[steps < stop_open]
        parts.append(steps)
        owners.append(np.full(len(steps), j, np.int64))
    day_epoch = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    sub = np.concatenate(owners) if owners else np.zeros(0, np.int64)
    n = len(sub)
    status = np.zeros(n, np.int64)
    latest = np.r_[sub[1:] != sub[:-1], True] if n else np.zeros(0, bool)
    status[latest & (subs.status[sub] == 1)] = 1
    noise = rng.random(n)
    historic = ~latest
    status[historic & (noise < 0.01)] = 2
    status[historic & (noise >= 0.01) & (noise < 0.015)] = 3
    return Invoices(account=subs.account[sub], sub=sub, day=day_epoch - cal.start_epoch_day,
                    sec=rng.integers(3600, 6 * 3600, n), cents=subs.cents[sub],
                    currency=subs.currency[sub], status=status)


def trial_times(acc: Accounts, users: Users, cal: Calendar) -> dict[str, np.ndarray]:
    """Trial timestamps (epoch seconds) per account; -1 where not applicable."""
    primary_sec = users.u0_sec[acc.user_start]
    started = cal.seconds(acc.created_day, primary_sec + 60)
    ends = started + TRIAL_DAYS * SECONDS_PER_DAY
    converted = np.where(acc.conv_day >= 0, cal.seconds(acc.conv_day, acc.conv_sec), -1)
    cancelled = np.where(acc.cancel_day >= 0, cal.seconds(acc.cancel_day, acc.conv_sec), -1)
    return {"started": started, "ends": ends, "converted": converted, "cancelled": cancelled}
