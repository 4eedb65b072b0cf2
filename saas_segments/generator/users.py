"""The user plan: how many users each account has, when they join, and how they behave.

Behaviour is described per user as *phases* (see :mod:`.activity`): slot 0 is
outside the user's life, 1 history, 2 the baseline window, 3 the recent window
and 4-6 three persona-specific windows (WA, WB, WC).  Each slot has either a
rate (active days per day) or an exact number of active days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import (
    CONTENT_HEAVY_MAX_TRIAL_ACTIVE_DAYS, CORE_MASK, FEATURE_IDX, FEATURES, INACTIVE_MIN_BASELINE_DAYS,
    MISSING_MOST_VALUABLE_MIN_ACCOUNT_DAYS, MV_MASK, NEVER_USED_CORE_MIN_SIGNUP_DAYS, NEW_FEATURE_IDX, PIONEER_WINDOW, POWER_MIN_ACTIVE_DAYS, ROLES, SHALLOW_MAX_FEATURES, SHALLOW_MIN_LOGIN_DAYS,
    SLOW_PAYER_MAX_ACTIVE_DAYS, TRIAL_ENGAGED_MIN_CORE_FEATURES, TRIAL_ENGAGED_MIN_DAYS, Calendar, Scale,
    feature_mask, stream,
)
from .entities import Accounts, new_feature_days, trial_end_day
from .personas import (
    BETA_USER_MIX, NEVER_CORE_MIX, PIONEER_MIX, QUIET_USER_MIX, STEADY_WINDOWS, A, Journey, UserPersona,
    planted_count,
)

U = UserPersona
N_SLOTS = 7
HIST, BASE, RECENT, WA, WB, WC = 1, 2, 3, 4, 5, 6
SECONDARY_PLAIN = feature_mask(lambda f: f.key in ("integrations", "sso", "custom_fields"))
SECONDARY_ALL = feature_mask(lambda f: f.category == "secondary")


@dataclass
class Users:
    """Per-user plan arrays."""

    account: np.ndarray
    persona: np.ndarray
    rank: np.ndarray
    u0: np.ndarray
    u0_sec: np.ndarray
    u1: np.ndarray
    deleted_day: np.ndarray
    role: np.ndarray
    has_email: np.ndarray
    opt_in: np.ndarray
    in_app: np.ndarray
    is_beta: np.ndarray
    never_core: np.ndarray
    advocate: np.ndarray
    fset: np.ndarray
    m: np.ndarray
    pv: np.ndarray
    pioneer: np.ndarray
    rates: np.ndarray
    kfix: np.ndarray
    win: np.ndarray

    @property
    def n(self) -> int:
        """Number of users."""
        return len(self.account)


def _user_counts(rng: np.random.Generator, acc: Accounts, target: int) -> np.ndarray:
    """Users per account, summing to roughly ``target`` (spike users extra)."""
    p = acc.persona
    n = np.zeros(acc.n, np.int64)
    fixed = {
        A.TRIAL_ENGAGED: (2, 4), A.TRIAL_LOW: (1, 3), A.TRIAL_LOST: (1, 3), A.CONTENT: (1, 2),
        A.CHURNED: (1, 6), A.SPIKE: (1, 2),
    }
    for persona, (lo, hi) in fixed.items():
        idx = np.flatnonzero(p == persona)
        n[idx] = rng.integers(lo, hi, len(idx))
    spike = p == A.SPIKE
    n[spike] = np.where(rng.random(int(spike.sum())) < 0.15, 2, 1)
    paying = np.flatnonzero(n == 0)
    minimum = np.ones(acc.n, np.int64)
    minimum[np.isin(p, (A.POWER, A.SHALLOW))] = 3
    minimum[p == A.DROPOFF] = 4
    minimum[np.isin(p, (A.INACTIVE, A.RISK_A, A.RISK_B, A.RISK_C, A.RISK_D))] = 2
    cap = np.full(acc.n, 2000, np.int64)
    cap[p == A.LVHM] = 3
    cap[p == A.BETA] = 4
    cap[np.isin(p, (A.INACTIVE, A.RISK_A, A.RISK_C, A.RISK_D))] = 8
    weight = acc.seats0[paying] ** 0.55 * rng.uniform(0.7, 1.3, len(paying))
    remaining = max(target - int(n[~spike].sum()), len(paying))
    lo, hi = 0.0, 50.0
    for _ in range(40):
        mid = (lo + hi) / 2
        got = np.clip(np.round(weight * mid), minimum[paying], cap[paying]).sum()
        lo, hi = (mid, hi) if got < remaining else (lo, mid)
    n[paying] = np.clip(np.round(weight * lo), minimum[paying], cap[paying])
    return n


def _pick_core(rng: np.random.Generator, n: int, k: np.ndarray, forced: np.ndarray) -> np.ndarray:
    """A random set of ``k`` core features per user, always containing ``forced``."""
    core_bits = np.array([1 << i for i, f in enumerate(FEATURES) if f.category == "core"], np.int64)
    keys = rng.random((n, len(core_bits)))
    keys[(forced[:, None] & core_bits[None, :]) != 0] = -1.0
    ranks = np.argsort(np.argsort(keys, axis=1), axis=1)
    return ((ranks < k[:, None]) * core_bits[None, :]).sum(axis=1)


def _pick_bits(rng: np.random.Generator, n: int, pool: int, k: np.ndarray) -> np.ndarray:
    """A random set of ``k`` features per user out of the bit mask ``pool``."""
    bits = np.array([1 << i for i in range(len(FEATURES)) if pool >> i & 1], np.int64)
    keys = rng.random((n, len(bits)))
    ranks = np.argsort(np.argsort(keys, axis=1), axis=1)
    return ((ranks < k[:, None]) * bits[None, :]).sum(axis=1)


def _choose(rng: np.random.Generator, mask: np.ndarray, count: int) -> np.ndarray:
    """``count`` random indices where ``mask`` is true (sorted)."""
    pool = np.flatnonzero(mask)
    return np.sort(rng.choice(pool, size=min(count, len(pool)), replace=False))


def build_users(acc: Accounts, scale: Scale, cal: Calendar, seed: int) -> Users:
    """Draw every user of every account with persona, timeline and behaviour."""
    rng = stream(seed, "users")
    last = cal.last
    counts = _user_counts(rng, acc, scale.users)
    acc.user_count = counts
    acc.user_start = np.cumsum(counts) - counts
    n = int(counts.sum())
    a = np.repeat(np.arange(acc.n), counts)
    rank = np.arange(n) - acc.user_start[a]
    ap = acc.persona[a]
    c = acc.created_day[a]
    p0 = acc.p0[a]

    lo = c.copy()
    hi = np.full(n, last - 20, np.int64)
    hi[np.isin(ap, STEADY_WINDOWS)] = last - 150
    slow = acc.journey[a] == Journey.SLOW
    lo[slow] = p0[slow] + 31
    onb = ap == A.ONBOARDING
    lo[onb], hi[onb] = p0[onb], last - 10
    # the account-age boundary personas' users all sign up with the account
    young = _young_onboarding(acc, last)[a]
    lo[young], hi[young] = c[young], c[young]
    for persona in (A.TRIAL_ENGAGED, A.TRIAL_LOW, A.SPIKE):
        hi[ap == persona] = c[ap == persona]
    lost = ap == A.TRIAL_LOST
    hi[lost] = c[lost] + 3
    churned = ap == A.CHURNED
    hi[churned] = np.maximum(c[churned], acc.churn_day[a][churned] - 40)
    hi = np.maximum(hi, lo)
    u0 = lo + np.floor((hi - lo + 1) * rng.random(n) ** 1.5).astype(np.int64)
    u0 = np.minimum(u0, hi)
    primary = rank == 0
    u0[primary] = c[primary]
    u0_sec = rng.integers(8 * 3600, 19 * 3600, n)
    u0_sec[primary] = acc.created_sec[a][primary] + rng.integers(60, 900, int(primary.sum()))

    tend = trial_end_day(acc)[a]
    u1 = np.full(n, last + 1, np.int64)
    u1[churned] = np.minimum(acc.churn_day[a][churned] + rng.integers(0, 7, int(churned.sum())), last + 1)
    u1[lost] = tend[lost] + rng.integers(0, 4, int(lost.sum()))
    cancelled = lost & (acc.cancel_day[a] >= 0)
    u1[cancelled] = acc.cancel_day[a][cancelled] + 1
    content = ap == A.CONTENT
    u1[content] = tend[content]
    deleted = np.full(n, -1, np.int64)
    gone = churned & (rng.random(n) < 0.3) & (u1 + 10 <= last)
    deleted[gone] = np.minimum(u1[gone] + rng.integers(10, 61, int(gone.sum())), last)

    persona = np.full(n, U.REGULAR, np.int8)
    mapping = {
        A.TRIAL_ENGAGED: U.TRIAL_ENGAGED, A.TRIAL_LOW: U.TRIAL_LOW, A.TRIAL_LOST: U.TRIAL_LOST,
        A.CONTENT: U.CONTENT, A.CHURNED: U.CHURNED, A.INACTIVE: U.INACTIVE, A.RISK_A: U.INACTIVE,
        A.RISK_D: U.INACTIVE, A.RISK_C: U.FALLING,
    }
    for ap_value, up_value in mapping.items():
        persona[ap == ap_value] = up_value
    size = counts[a]
    persona[(ap == A.POWER) & (rank < np.maximum(2, np.round(0.4 * size)))] = U.POWER
    persona[(ap == A.SHALLOW) & (rank >= 1) & (rank <= np.minimum(np.maximum(2, np.round(0.3 * size)), size - 1))] = U.SHALLOW
    persona[(ap == A.DROPOFF) & (rank == size - 1)] = U.DROPOFF
    spike = ap == A.SPIKE
    persona[spike] = np.where(rng.random(int(spike.sum())) < 0.8, U.SPIKE_LOW, U.SPIKE_REGULAR)

    steady_regular = (persona == U.REGULAR) & np.isin(ap, (A.REGULAR, A.BETA, A.POWER, A.SHALLOW))
    never_core = np.zeros(n, bool)
    never_core[_choose(rng, steady_regular & ~primary & (u0 <= last - 30),
                       planted_count(*NEVER_CORE_MIX, scale.users))] = True
    # signup-age boundary personas: signed up exactly the minimum days ago, and a day later
    planted = np.flatnonzero(never_core)
    u0[planted[0::6]] = last - NEVER_USED_CORE_MIN_SIGNUP_DAYS
    u0[planted[1::6]] = last - NEVER_USED_CORE_MIN_SIGNUP_DAYS + 1
    is_beta = np.zeros(n, bool)
    is_beta[_choose(rng, steady_regular & (ap == A.REGULAR) & ~never_core,
                    planted_count(*BETA_USER_MIX, scale.users))] = True
    release = new_feature_days(cal)
    pioneer = np.zeros(n, np.int64)
    win = np.zeros((n, 3, 2), np.int64)
    for f in NEW_FEATURE_IDX:
        ok = (steady_regular & (ap == A.REGULAR) & ~never_core & (pioneer == 0)
              & (u0 <= release[f] - 30) & (p0 >= 0) & (p0 <= release[f] - 30))
        chosen = _choose(rng, ok, planted_count(*PIONEER_MIX, scale.users))
        pioneer[chosen] = 1 << f
        win[chosen, 2] = (release[f], release[f] + PIONEER_WINDOW)

    rates = np.zeros((n, N_SLOTS), np.float64)
    kfix = np.full((n, N_SLOTS), -1, np.int64)
    kfix[:, 0] = 0
    r = rng.integers(2, 7, n).astype(np.float64)
    rates[:, HIST] = r / 30 * 0.6
    rates[:, BASE] = r / 30
    rates[:, RECENT] = (r + 1) / 30
    conv_rate = np.select(
        [acc.journey[a] == Journey.FAST, np.isin(acc.journey[a], (Journey.LATE, Journey.LATE_FLAT)),
         acc.journey[a] == Journey.SLOW], [0.6, 0.25, 0.35], 0.4)
    in_trial = acc.has_trial[a] & (p0 >= 0)
    win[in_trial, 0, 0] = c[in_trial]
    win[in_trial, 0, 1] = p0[in_trial]
    rates[in_trial, WA] = conv_rate[in_trial]
    slow_primary = slow & primary
    win[slow_primary, 1] = np.stack([p0[slow_primary], p0[slow_primary] + 30], axis=1)
    kfix[slow_primary, WB] = rng.integers(1, 4, int(slow_primary.sum()))
    react = ap == A.REACTIVATED
    win[react, 2] = np.stack([acc.churn_day[a][react], acc.react_day[a][react]], axis=1)
    kfix[react, WC] = 0
    kfix[pioneer > 0, WC] = rng.integers(4, 7, int((pioneer > 0).sum()))

    def exact(mask: np.ndarray, slot: int, lo_k: int, hi_k: int) -> np.ndarray:
        k = rng.integers(lo_k, hi_k + 1, int(mask.sum()))
        kfix[mask, slot] = k
        return k

    sel = persona == U.POWER
    rates[sel, HIST], rates[sel, BASE] = 0.5, 0.72
    exact(sel, RECENT, 20, 28)
    _on_boundary(kfix, sel, RECENT, POWER_MIN_ACTIVE_DAYS)
    sel = persona == U.SHALLOW
    rates[sel, HIST], rates[sel, BASE] = 0.5, 0.7
    exact(sel, RECENT, 18, 26)
    _on_boundary(kfix, sel, RECENT, SHALLOW_MIN_LOGIN_DAYS)
    sel = persona == U.DROPOFF
    rates[sel, HIST] = 0.2
    k = exact(sel, BASE, 10, 16)
    kfix[sel, RECENT] = np.where((k >= 14) & (rng.random(len(k)) < 0.5), 1, 0)
    sel = persona == U.INACTIVE
    rates[sel, HIST] = 0.2
    exact(sel, BASE, 8, 14)
    kfix[sel, RECENT] = 0
    # regular users gone quiet: active on exactly the minimum baseline days, or one day fewer
    quiet = _choose(rng, (persona == U.REGULAR) & (ap == A.REGULAR) & ~primary & ~never_core & ~is_beta
                    & (pioneer == 0) & (u0 <= last - 150), planted_count(*QUIET_USER_MIX, scale.users))
    kfix[quiet, RECENT] = 0
    kfix[quiet[0::2], BASE] = INACTIVE_MIN_BASELINE_DAYS
    kfix[quiet[1::2], BASE] = INACTIVE_MIN_BASELINE_DAYS - 1
    sel = persona == U.FALLING
    rates[sel, HIST] = 0.2
    exact(sel, BASE, 8, 10)
    kfix[sel, RECENT] = 2
    sel = persona == U.TRIAL_ENGAGED
    kfix[sel, HIST:RECENT + 1] = 0
    win[sel, 0] = np.stack([u0[sel], np.full(int(sel.sum()), last - 6)], axis=1)
    win[sel, 1] = (last - 6, last + 1)
    exact(sel, WA, 2, 4)
    exact(sel, WB, 5, 6)
    kfix[_on_boundary(kfix, sel, WB, TRIAL_ENGAGED_MIN_DAYS), WA] = 0
    sel = persona == U.TRIAL_LOW
    kfix[sel, HIST:RECENT + 1] = 0
    win[sel, 0] = np.stack([u0[sel], np.full(int(sel.sum()), last - 6)], axis=1)
    win[sel, 1] = (last - 6, last + 1)
    exact(sel, WA, 0, 1)
    kfix[sel, WB] = 0
    for persona_value, lo_k, hi_k in ((U.TRIAL_LOST, None, None), (U.CONTENT, 0, 1)):
        sel = persona == persona_value
        kfix[sel, HIST:RECENT + 1] = 0
        win[sel, 0] = np.stack([c[sel], tend[sel] + 1], axis=1)
        if lo_k is None:
            kfix[sel, WA] = -1
            rates[sel, WA] = rng.uniform(0.15, 0.45, int(sel.sum()))
        else:
            exact(sel, WA, lo_k, hi_k)
    _account_day_boundaries(kfix, acc, a, primary)
    sel = persona == U.SPIKE_LOW
    kfix[sel, HIST:RECENT + 1] = 0
    win[sel, 0] = np.stack([u0[sel], u0[sel] + 3], axis=1)
    exact(sel, WA, 1, 2)
    sel = persona == U.SPIKE_REGULAR
    rs = rng.integers(2, 5, int(sel.sum())).astype(np.float64)
    rates[sel, HIST], rates[sel, BASE], rates[sel, RECENT] = rs / 30, rs / 30, (rs + 1) / 30

    fset = _feature_sets(rng, acc, a, persona, primary, never_core, last)
    fset |= pioneer
    m = rng.integers(1, 3, n).astype(np.int64)
    m[persona == U.POWER] = 3
    m[persona == U.SHALLOW] = 1
    m[persona == U.TRIAL_ENGAGED] = 2
    pv = np.where(persona == U.POWER, 0.6, 0.3)

    role = rng.choice(len(ROLES), size=n, p=[0.1, 0.2, 0.3, 0.2, 0.1, 0.1]).astype(np.int8)
    role[primary] = np.where(rng.random(int(primary.sum())) < 0.7, 0, 1)
    role[rng.random(n) < 0.05] = -1
    advocate = (persona == U.POWER) & (rng.random(n) < 0.5)
    return Users(
        account=a, persona=persona, rank=rank, u0=u0, u0_sec=u0_sec, u1=u1, deleted_day=deleted,
        role=role, has_email=rng.random(n) >= 0.05, opt_in=rng.random(n) < 0.7,
        in_app=rng.random(n) < 0.9, is_beta=is_beta, never_core=never_core, advocate=advocate,
        fset=fset, m=m, pv=pv, pioneer=pioneer, rates=rates, kfix=kfix, win=win,
    )


def _on_boundary(kfix: np.ndarray, sel: np.ndarray, slot: int, threshold: int) -> np.ndarray:
    """Put every fourth selected user exactly on ``threshold`` active days and the next one a day short.

    These boundary personas make a threshold that is off by one visible in the
    segment accuracy; returns the users moved.
    """
    idx = np.flatnonzero(sel)
    kfix[idx[0::4], slot] = threshold
    kfix[idx[1::4], slot] = threshold - 1
    return np.sort(np.concatenate([idx[0::4], idx[1::4]]))


def _young_onboarding(acc: Accounts, last: int) -> np.ndarray:
    """Onboarding accounts created at most one day past missing_most_valuable_min_account_days before as_of."""
    return (acc.persona == A.ONBOARDING) & (acc.created_day >= last - MISSING_MOST_VALUABLE_MIN_ACCOUNT_DAYS - 1)


def _account_day_boundaries(kfix: np.ndarray, acc: Accounts, a: np.ndarray, primary: np.ndarray) -> None:
    """Account active-day boundary personas, active through their primary user alone.

    Content researchers (every fifth from the third on) are active on exactly
    content_heavy_max_trial_active_days trial days, the next one a day more; slow payers
    likewise on slow_payer_max_active_days days of their first paid window.
    """
    for accounts, slot, threshold in (
        (np.flatnonzero(acc.persona == A.CONTENT), WA, CONTENT_HEAVY_MAX_TRIAL_ACTIVE_DAYS),
        (np.flatnonzero(acc.journey == Journey.SLOW), WB, SLOW_PAYER_MAX_ACTIVE_DAYS),
    ):
        for planted, days in ((accounts[2::5], threshold), (accounts[3::5], threshold + 1)):
            users = np.isin(a, planted)
            kfix[users, slot] = np.where(primary[users], days, 0)


def _feature_count_boundaries(fset: np.ndarray, persona: np.ndarray) -> None:
    """Feature-count boundary personas.

    Every fourth engaged trial user from the third on works with exactly
    trial_engaged_min_core_features core features, the next one with one fewer; every
    fourth shallow active from the third on with one feature more than
    shallow_max_features (the others have at most that many).
    """
    engaged = np.flatnonzero(persona == U.TRIAL_ENGAGED)
    for planted, count in ((engaged[2::4], TRIAL_ENGAGED_MIN_CORE_FEATURES),
                           (engaged[3::4], TRIAL_ENGAGED_MIN_CORE_FEATURES - 1)):
        fset[planted] = _lowest_bits(fset[planted] & CORE_MASK, count)
    shallow = np.flatnonzero(persona == U.SHALLOW)[2::4]
    pool = sum(1 << FEATURE_IDX[k] for k in ("dashboards", "search", "sso"))
    fset[shallow] = _lowest_bits(np.full(len(shallow), pool, np.int64), SHALLOW_MAX_FEATURES + 1)


def _lowest_bits(masks: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` lowest set bits of each mask."""
    out = np.zeros_like(masks)
    rest = masks.copy()
    for _ in range(count):
        low = rest & -rest
        out |= low
        rest &= ~low
    return out


def _feature_sets(
    rng: np.random.Generator, acc: Accounts, a: np.ndarray, persona: np.ndarray,
    primary: np.ndarray, never_core: np.ndarray, last: int,
) -> np.ndarray:
    """Bit mask of the features each user works with over their life."""
    n = len(a)
    # young onboarding accounts (the account-age boundary personas among them) have not found them either
    missing_mv = (acc.persona[a] == A.MISSING_MV) | _young_onboarding(acc, last)[a]
    reports = 1 << FEATURE_IDX["reports"]
    forced = np.where(~missing_mv & (primary | (rng.random(n) < 0.5)), reports, 0)
    regular = _pick_core(rng, n, rng.integers(2, 4, n), forced)
    secondary_pool = np.where(missing_mv, SECONDARY_ALL & ~MV_MASK, SECONDARY_ALL)
    extra = np.zeros(n, np.int64)
    for pool in np.unique(secondary_pool):
        sel = secondary_pool == pool
        extra[sel] = _pick_bits(rng, int(sel.sum()), int(pool), rng.integers(0, 3, int(sel.sum())))
    fset = regular | extra
    fset = np.where(missing_mv, fset & ~MV_MASK, fset)
    not_activated = (acc.persona[a] == A.ONBOARDING) & ~acc.activated[a]
    fset = np.where(not_activated, fset & ~(1 << FEATURE_IDX["data_import"]) & ~(1 << FEATURE_IDX["integrations"]), fset)
    activated = (acc.persona[a] == A.ONBOARDING) & acc.activated[a] & primary
    fset = np.where(activated, fset | (1 << FEATURE_IDX["data_import"]), fset)

    sel = persona == U.POWER
    fset[sel] = _pick_core(rng, int(sel.sum()), rng.integers(5, 7, int(sel.sum())), np.full(int(sel.sum()), reports)) | extra[sel]
    sel = persona == U.TRIAL_ENGAGED
    fset[sel] = _pick_core(rng, int(sel.sum()), rng.integers(3, 5, int(sel.sum())), np.zeros(int(sel.sum()), np.int64))
    shallow_pool = np.array([1 << FEATURE_IDX[k] for k in ("dashboards", "search", "sso")], np.int64)
    sel = persona == U.SHALLOW
    fset[sel] = rng.choice(shallow_pool, size=int(sel.sum()))
    fset[sel & (rng.random(n) < 0.3)] = 0
    plain = np.array([1 << FEATURE_IDX[k] for k in ("integrations", "sso", "custom_fields")], np.int64)
    for sel, p_empty in ((persona == U.TRIAL_LOW, 0.5), (persona == U.SPIKE_LOW, 0.7)):
        fset[sel] = rng.choice(plain, size=int(sel.sum()))
        fset[sel & (rng.random(n) < p_empty)] = 0
    _feature_count_boundaries(fset, persona)
    fset[never_core] = _pick_bits(rng, int(never_core.sum()), SECONDARY_PLAIN, rng.integers(0, 3, int(never_core.sum())))
    return fset
