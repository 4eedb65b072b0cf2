"""Truth oracle: segment membership as of the last generated day, per docs/segments.md.

The oracle evaluates the definitions (default thresholds) on the generated plan
and on the usage aggregates of the events actually written, so it is exact for
the data on disk.  Interpretations of the definitions' loose ends:

* active day = a UTC day with a ``login`` or ``feature_used`` event; users deleted
  on or before as_of are in no user segment;
  recent = days ``as_of-29 .. as_of``; baseline = ``as_of-89 .. as_of-30``;
  rates are active days / window length (30 and 60 days).
* paying = a running (``period_start <= as_of < period_end`` or open) subscription
  on a paid plan; MRR converts the amount at the fx rate of the period's start.
* a trial runs on as_of when it started on or before it, ends after it and was
  neither converted nor cancelled; trial windows are ``started .. ends`` inclusive.
* onboarding: the account's first paid subscription started in the last 90 days
  and its plan is Business/Enterprise or its ARR reaches the high tier's minimum.
* highest_potential: the top ``ceil(20 %)`` of paying or trialling accounts by
  ``max(potential_arr - ARR, 0)`` (ties by account id).
* low_value_high_maintenance: minutes per USD of MRR over the last 90 days at or
  above the 75th percentile (linear interpolation) of all paying accounts.
* journeys count UTC dates: days from the trial's start date to the conversion
  date (fast), from the conversion date to the trial's end date (late), from the
  first web touch's date to the account's signup date (slow payer lead).
* at-risk "falling usage" = the account's recent active-day rate below its
  baseline rate; MRR contraction = a plan or seat change in the last 90 days to
  a lower USD MRR; the account's NPS is its users' latest response.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .activity import Aggregates
from .billing import mrr_usd
from .config import (
    BUSINESS, CONTENT_HEAVY_MAX_TRIAL_ACTIVE_DAYS, CONTENT_HEAVY_MIN_TOUCHES, CORE_MASK, FAST_CONVERTER_MAX_DAYS, FREE,
    INACTIVE_MIN_BASELINE_DAYS, LATE_CONVERTER_LAST_TRIAL_DAYS, LATE_CONVERTER_MIN_UPGRADE_DAYS, MISSING_MOST_VALUABLE_MIN_ACCOUNT_DAYS, MV_MASK, N_FEATURES,
    NEVER_USED_CORE_MIN_SIGNUP_DAYS,
    ONBOARDING_WINDOW_DAYS, PLANS, POWER_MIN_ACTIVE_DAYS, SECONDS_PER_DAY, SHALLOW_MAX_FEATURES, SHALLOW_MIN_LOGIN_DAYS,
    SLOW_PAYER_MAX_ACTIVE_DAYS, SLOW_PAYER_MIN_LEAD_DAYS, TRIAL_ENGAGED_MIN_CORE_FEATURES, TRIAL_ENGAGED_MIN_DAYS,
    TRIAL_LOW_MIN_AGE_DAYS,
)
from .world import World

N_CORE = bin(CORE_MASK).count("1")
POP = np.array([bin(i).count("1") for i in range(1 << N_FEATURES)], np.int64)
PLAN_RANK = np.array([p.rank for p in PLANS])


def _running_trial(w: World) -> np.ndarray:
    """Accounts whose trial runs on as_of."""
    acc, t = w.acc, w.trials
    as_of_end = w.cal.seconds(w.cal.last + 1)
    return (acc.has_trial & (t["started"] < as_of_end) & (t["ends"] >= as_of_end)
            & (t["converted"] < 0) & (t["cancelled"] < 0))


def _latest_nps(w: World, by_account: bool, since_day: int) -> np.ndarray:
    """Latest NPS score per user (or account) from ``since_day`` on (-1 = none)."""
    nps = w.nps
    keep = nps.day >= since_day
    owner = w.users.account[nps.user] if by_account else nps.user
    size = w.acc.n if by_account else w.users.n
    owner, score, ts = owner[keep], nps.score[keep], (nps.day * SECONDS_PER_DAY + nps.sec)[keep]
    order = np.lexsort((ts, owner))
    latest = np.full(size, -1, np.int64)
    latest[owner[order]] = score[order]
    return latest


def user_segments(w: World, agg: Aggregates) -> dict[str, np.ndarray]:
    """Boolean membership per user segment."""
    u, cal = w.users, w.cal
    running = _running_trial(w)[u.account]
    trial_age = cal.last - w.acc.created_day[u.account]
    core_trial = POP[agg.feats_trial & CORE_MASK]
    core_recent = POP[agg.feats_recent & CORE_MASK]
    deleted = (u.deleted_day >= 0) & (u.deleted_day <= cal.last)
    power = ~deleted & (agg.act_recent >= POWER_MIN_ACTIVE_DAYS) & (core_recent >= math.ceil(0.6 * N_CORE - 1e-9))
    latest = _latest_nps(w, by_account=False, since_day=cal.last - 179)
    responded = latest >= 0
    return {
        "trial_engaged": running & (agg.act_trial >= TRIAL_ENGAGED_MIN_DAYS) & (core_trial >= TRIAL_ENGAGED_MIN_CORE_FEATURES),
        "trial_low_engagement": running & (trial_age >= TRIAL_LOW_MIN_AGE_DAYS) & ((agg.act_last7 <= 1) | (core_trial == 0)),
        "power_users": power,
        "shallow_actives": ~deleted & (agg.login_recent >= SHALLOW_MIN_LOGIN_DAYS)
        & (POP[agg.feats_recent] <= SHALLOW_MAX_FEATURES) & ~power,
        "inactive_users": ~deleted & (agg.act_base >= INACTIVE_MIN_BASELINE_DAYS)
        & (agg.act_recent * 60 <= 0.25 * agg.act_base * 30),
        "never_used_core": (cal.last - u.u0 >= NEVER_USED_CORE_MIN_SIGNUP_DAYS) & ~deleted & ((agg.feats_ever & CORE_MASK) == 0),
        "early_adopters": ~deleted & (u.is_beta | w.acc.is_beta_program[u.account] | (agg.early != 0)),
        "nps_promoters": responded & (latest >= 9),
        "nps_passives": responded & (latest >= 7) & (latest <= 8),
        "nps_detractors": responded & (latest <= 6),
    }


def _contraction(w: World) -> np.ndarray:
    """Accounts with a plan or seat change to a lower USD MRR in the last 90 days."""
    s, last = w.subs, w.cal.last
    out = np.zeros(w.acc.n, bool)
    mrr = mrr_usd(s, np.arange(s.n))
    for j in range(1, s.n):
        if s.account[j] == s.account[j - 1] and s.start[j] == s.end[j - 1] and last - 89 <= s.start[j] <= last:
            changed = s.plan[j] != s.plan[j - 1] or s.seats[j] != s.seats[j - 1]
            if changed and mrr[j] < mrr[j - 1]:
                out[s.account[j]] = True
    return out


def _first_paid(w: World) -> tuple[np.ndarray, np.ndarray]:
    """First paid subscription row start day and plan per account (-1 none)."""
    s = w.subs
    start = np.full(w.acc.n, -1, np.int64)
    plan = np.full(w.acc.n, -1, np.int64)
    for j in range(s.n - 1, -1, -1):
        if s.plan[j] != FREE:
            start[s.account[j]] = s.start[j]
            plan[s.account[j]] = s.plan[j]
    return start, plan


def account_segments(w: World, agg: Aggregates) -> dict[str, np.ndarray]:
    """Boolean membership per account segment."""
    acc, cal, v, last = w.acc, w.cal, w.value, w.cal.last
    paying = v.paying
    inactive = paying & ((agg.acc_users_recent == 0) | (agg.acc_users_recent <= 0.5 * agg.acc_users_base))
    high_min = v.arr[v.tier == 0].min() if np.any(v.tier == 0) else np.inf
    first_start, first_plan = _first_paid(w)
    running = v.running
    plan_now = np.where(running >= 0, w.subs.plan[np.maximum(running, 0)], -1)
    onboarding = paying & (first_start > last - ONBOARDING_WINDOW_DAYS) & ((plan_now >= BUSINESS) | (v.arr >= high_min))

    detractor = _latest_nps(w, by_account=True, since_day=-10**6)
    t = w.tickets
    recent_t = t.day >= last - 29
    hot = np.bincount(t.account[recent_t & (t.priority >= 2)], minlength=acc.n)
    r = np.maximum(running, 0)
    renewal = paying & w.subs.annual[r] & (w.subs.end[r] > last) & (w.subs.end[r] <= last + 60)
    falling = agg.acc_days_recent / 30 < agg.acc_days_base / 60
    score = (inactive.astype(int) + ((detractor >= 0) & (detractor <= 6)) + _contraction(w)
             + (hot >= 3) + (renewal & falling))
    at_risk = paying & (score >= 2)

    window = t.day >= last - 89
    minutes = np.bincount(t.account[window], weights=np.maximum(t.minutes[window], 0), minlength=acc.n)
    ratio = np.where(paying, minutes / np.where(v.mrr > 0, v.mrr, 1.0), 0.0)
    q75 = np.quantile(ratio[paying], 0.75) if paying.any() else np.inf
    lvhm = paying & (v.tier == 2) & (ratio >= q75) & (ratio > 0)

    trial_running = _running_trial(w)
    pool = np.flatnonzero(paying | trial_running)
    potential = np.where(w.potential_cents >= 0, w.potential_cents / 100.0, np.nan)
    white = np.maximum(potential - v.arr, 0.0)
    pool = pool[~np.isnan(white[pool])]
    ids = np.array(w.account_id_list, dtype=object)
    ranked = pool[np.lexsort((ids[pool], -white[pool]))]
    potential_top = np.zeros(acc.n, bool)
    potential_top[ranked[:math.ceil(0.2 * len(ranked))]] = True

    tr = w.trials
    converted = acc.has_trial & (tr["converted"] >= 0)
    as_of_start = cal.seconds(last)
    non_converter = acc.has_trial & (tr["ends"] < as_of_start) & ~converted
    started_day, converted_day, ends_day = (tr[k] // SECONDS_PER_DAY for k in ("started", "converted", "ends"))
    fast = (converted & (converted_day - started_day <= FAST_CONVERTER_MAX_DAYS)
            & (PLAN_RANK[np.maximum(first_plan, 0)] >= 3))
    late_conv = converted & (ends_day - converted_day <= LATE_CONVERTER_LAST_TRIAL_DAYS)
    upgraded = np.zeros(acc.n, bool)
    s = w.subs
    conv_day = acc.conv_day
    for j in range(s.n):
        i = s.account[j]
        if conv_day[i] >= 0 and s.start[j] >= conv_day[i] + LATE_CONVERTER_MIN_UPGRADE_DAYS and s.start[j] <= last and PLAN_RANK[s.plan[j]] > PLAN_RANK[max(first_plan[i], 0)]:
            upgraded[i] = True
    touches = w.touches
    known = touches.user >= 0
    visitor_user = np.full(int(touches.visitor.max(initial=0)) + 1, -1, np.int64)
    visitor_user[touches.visitor[known]] = touches.user[known]
    owner_user = visitor_user[touches.visitor]
    linked = owner_user >= 0
    owner = np.where(linked, w.users.account[np.maximum(owner_user, 0)], -1)
    ts = cal.seconds(touches.day, touches.sec)
    content = linked & (touches.kind < 6) & (ts <= tr["ends"][np.maximum(owner, 0)])
    n_content = np.bincount(owner[content], minlength=acc.n)
    first_touch = np.full(acc.n, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first_touch, owner[linked], ts[linked])
    lead_days = acc.created_day + cal.start_epoch_day - first_touch // SECONDS_PER_DAY
    slow = converted & (lead_days >= SLOW_PAYER_MIN_LEAD_DAYS) & (agg.acc_days_pay30 <= SLOW_PAYER_MAX_ACTIVE_DAYS)
    return {
        "inactive_accounts": inactive,
        "missing_most_valuable": paying & (last - acc.created_day > MISSING_MOST_VALUABLE_MIN_ACCOUNT_DAYS) & ((agg.acc_feats_ever & MV_MASK) == 0),
        "onboarding_strategic": onboarding,
        "at_risk_of_churn": at_risk,
        "low_value_high_maintenance": lvhm,
        "value_tier_high": v.tier == 0,
        "value_tier_medium": v.tier == 1,
        "value_tier_low": v.tier == 2,
        "highest_value": v.tier == 0,
        "highest_potential": potential_top,
        "trial_non_converter": non_converter,
        "fast_converter": fast,
        "late_converter": late_conv & upgraded,
        "content_heavy_researcher": acc.has_trial & (n_content >= CONTENT_HEAVY_MIN_TOUCHES)
        & (agg.acc_days_trial <= CONTENT_HEAVY_MAX_TRIAL_ACTIVE_DAYS),
        "slow_low_engagement_payer": slow,
    }


def truth_rows(w: World, agg: Aggregates) -> list[tuple[str, str, str]]:
    """Rows ``(segment_key, entity_type, entity_id)`` sorted by segment and id."""
    rows: list[tuple[str, str, str]] = []
    user_ids = w.user_ids.to_pylist()
    account_ids = w.account_id_list

    def emit(segments: dict[str, np.ndarray], kind: str, ids: list[str]) -> Iterable[tuple[str, str, str]]:
        for key in sorted(segments):
            for i in np.flatnonzero(segments[key]):
                yield key, kind, ids[i]

    rows.extend(emit(user_segments(w, agg), "user", user_ids))
    rows.extend(emit(account_segments(w, agg), "account", account_ids))
    return sorted(rows)

