"""The account and user plan: personas, commercial timelines and user attributes.

Everything here is a column-oriented array over accounts or users.  Day values
are day indices of :class:`~saas_segments.generator.config.Calendar`; ``-1``
means "none".  Accounts are ordered by creation time and users by account, so
that the event generator can stream whole accounts per chunk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .config import (
    BUSINESS, CHANNELS, ENTERPRISE, FAST_CONVERTER_MAX_DAYS, FEATURES, INDUSTRIES, LATE_CONVERTER_LAST_TRIAL_DAYS,
    LATE_CONVERTER_MIN_UPGRADE_DAYS, LOCATION_TYPES, MISSING_MOST_VALUABLE_MIN_ACCOUNT_DAYS, NEEDS, ONBOARDING_WINDOW_DAYS, PRO, REGION_CURRENCIES, REGIONS,
    STARTER, TRIAL_DAYS, TRIAL_LOW_MIN_AGE_DAYS, Calendar, Scale, stream,
)
from .movements import Timeline, plan_changes, plan_churn, plan_new, window_months
from .personas import (
    ACCOUNT_MIX, ANNUAL_RENEWING, DOWNGRADING, JOURNEY_ALLOWED, JOURNEY_MIX, MONTHLY_ONLY,
    NON_PAYING, A, Journey, planted_count,
)


@dataclass(frozen=True)
class Spike:
    """A signup spike window (day indices, inclusive start, exclusive end)."""

    start: int
    end: int
    factor: float

    def pool_accounts(self, users: int, n_days: int) -> int:
        """Spike accounts to draw: more than enough for any plausible prior signup rate."""
        return max(int(self.factor * 3 * users / n_days * (self.end - self.start)), 10)


@dataclass
class Accounts:
    """Per-account plan arrays."""

    persona: np.ndarray
    journey: np.ndarray
    created_day: np.ndarray
    created_sec: np.ndarray
    has_trial: np.ndarray
    trial_plan: np.ndarray
    conv_day: np.ndarray
    conv_sec: np.ndarray
    cancel_day: np.ndarray
    p0: np.ndarray
    plan0: np.ndarray
    seats0: np.ndarray
    change_day: np.ndarray
    plan1: np.ndarray
    seats1: np.ndarray
    churn_day: np.ndarray
    react_day: np.ndarray
    annual: np.ndarray
    currency: np.ndarray
    discount: np.ndarray
    region: np.ndarray
    location: np.ndarray
    industry: np.ndarray
    employees: np.ndarray
    channel: np.ndarray
    need: np.ndarray
    is_beta_program: np.ndarray
    activated: np.ndarray
    user_start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    user_count: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def n(self) -> int:
        """Number of accounts."""
        return len(self.persona)

    def reorder(self, order: np.ndarray) -> None:
        """Permute (or subset) every per-account array."""
        n = self.n
        for name, value in list(vars(self).items()):
            if isinstance(value, np.ndarray) and len(value) == n:
                setattr(self, name, value[order])


def _growth(rng: np.random.Generator, n: int, lo: int, hi: int, power: float = 0.6) -> np.ndarray:
    """Days in ``[lo, hi]`` with more mass late (a growing business)."""
    return lo + np.floor((hi - lo + 1) * rng.random(n) ** power).astype(np.int64).clip(0, max(hi - lo, 0))


def _persona_counts(scale: Scale) -> dict[A, int]:
    """Accounts per persona for a scale; REGULAR takes the remainder."""
    counts = {p: planted_count(f, m, scale.accounts) for p, (f, m) in ACCOUNT_MIX.items()}
    counts[A.REGULAR] = max(scale.accounts - sum(counts.values()), scale.accounts // 10)
    return counts


def _assign_journeys(rng: np.random.Generator, persona: np.ndarray, scale: Scale) -> np.ndarray:
    """Journey per account: planted journeys among compatible paying accounts."""
    journey = np.full(len(persona), Journey.NONE, np.int8)
    paying = ~np.isin(persona, NON_PAYING)
    journey[paying] = Journey.REGULAR
    journey[np.isin(persona, (A.CHURNED, A.TRIAL_LOST, A.CONTENT))] = Journey.REGULAR
    for j, (frac, demo_min) in JOURNEY_MIX.items():
        want = planted_count(frac, demo_min, scale.accounts)
        pool = np.flatnonzero(paying & (journey == Journey.REGULAR) & np.isin(persona, JOURNEY_ALLOWED[j]))
        take = rng.choice(pool, size=min(want, len(pool)), replace=False)
        journey[np.sort(take)] = j
    return journey


def _journey_boundaries(journey: np.ndarray, conv_off: np.ndarray) -> None:
    """Conversion-delay boundary personas: every fifth fast and late converter exactly on its threshold, the next one a day outside.

    Days count from the trial's start date to the conversion date (fast) and from the
    conversion date to the trial's end date (late), so an off-by-one threshold moves them.
    """
    fast = np.flatnonzero(journey == Journey.FAST)
    conv_off[fast[0::5]] = FAST_CONVERTER_MAX_DAYS
    conv_off[fast[1::5]] = FAST_CONVERTER_MAX_DAYS + 1
    late = np.flatnonzero(journey == Journey.LATE)
    conv_off[late[0::5]] = TRIAL_DAYS - LATE_CONVERTER_LAST_TRIAL_DAYS
    conv_off[late[1::5]] = TRIAL_DAYS - LATE_CONVERTER_LAST_TRIAL_DAYS - 1


def _annual_start(rng: np.random.Generator, p0: np.ndarray, last: int) -> np.ndarray:
    """Move annual paid starts so that no renewal falls in (as_of-95, as_of+65)."""
    age = last - p0
    years = age // 365
    offset = 100 + rng.integers(0, 196, len(p0))
    moved = last - (years * 365 + offset)
    moved = np.where(moved < 30, moved + 365, moved)
    return np.where(last - moved < 210, moved - 365, moved)


def build_accounts(scale: Scale, cal: Calendar, seed: int, spike: Spike | None) -> Accounts:
    """Draw personas, timelines, plans and attributes of every account."""
    rng = stream(seed, "accounts")
    counts = _persona_counts(scale)
    persona = np.concatenate([np.full(n, p, np.int8) for p, n in sorted(counts.items())])
    if spike is not None:
        persona = np.concatenate([persona, np.full(spike.pool_accounts(scale.users, cal.n_days), A.SPIKE, np.int8)])
    n = len(persona)
    last = cal.last
    journey = _assign_journeys(rng, persona, scale)

    created = np.zeros(n, np.int64)
    p0 = np.full(n, -1, np.int64)
    conv_off = np.zeros(n, np.int64)
    churn = np.full(n, -1, np.int64)
    react = np.full(n, -1, np.int64)
    cancel = np.full(n, -1, np.int64)
    annual = rng.random(n) < 0.3
    annual[np.isin(persona, MONTHLY_ONLY) | (journey == Journey.LATE)] = False
    annual[np.isin(persona, ANNUAL_RENEWING)] = True

    def pick(p: A) -> np.ndarray:
        return np.flatnonzero(persona == p)

    idx = pick(A.TRIAL_ENGAGED)
    created[idx] = rng.integers(last - 19, last - 7, len(idx))
    idx = pick(A.TRIAL_LOW)
    old = rng.random(len(idx)) < 0.5
    created[idx] = np.where(old, rng.integers(last - 19, last - 15, len(idx)), rng.integers(last - 10, last - 3, len(idx)))
    # trial-age boundary personas: exactly the minimum age, and a day younger
    created[idx[0::5]] = last - TRIAL_LOW_MIN_AGE_DAYS
    created[idx[1::5]] = last - TRIAL_LOW_MIN_AGE_DAYS + 1
    idx = np.concatenate([pick(A.TRIAL_LOST), pick(A.CONTENT)])
    created[idx] = _growth(rng, len(idx), 0, last - 120)
    lost = pick(A.TRIAL_LOST)
    cancels = lost[rng.random(len(lost)) < 0.3]
    cancel[cancels] = created[cancels] + rng.integers(3, 16, len(cancels))
    if spike is not None:
        idx = pick(A.SPIKE)
        created[idx] = rng.integers(spike.start, spike.end, len(idx))

    conv_off[:] = rng.integers(10, 15, n)
    conv_off[journey == Journey.FAST] = rng.integers(1, 6, int((journey == Journey.FAST).sum()))
    late = np.isin(journey, (Journey.LATE, Journey.LATE_FLAT))
    conv_off[late] = rng.integers(19, 27, int(late.sum()))
    conv_off[journey == Journey.NONE] = 0
    _journey_boundaries(journey, conv_off)

    idx = pick(A.CHURNED)
    p0[idx] = _growth(rng, len(idx), 30, last - 400)
    life = rng.integers(60, 700, len(idx))
    before_window = window_months(cal)[0][0] - 5
    churn[idx] = np.minimum(p0[idx] + life, before_window)
    years = np.maximum((churn[idx] - p0[idx]) // 365, 1)
    ann = annual[idx] & (p0[idx] + years * 365 <= before_window)
    churn[idx] = np.where(ann, p0[idx] + years * 365, churn[idx])
    annual[idx] = ann

    paying = np.flatnonzero(~np.isin(persona, NON_PAYING))
    pmax = np.full(n, last - 160, np.int64)
    pmax[journey != Journey.REGULAR] = last - 200
    pmax[journey == Journey.LATE] = last - 330
    pmax[persona == A.REACTIVATED] = last - 400
    p0[paying] = 30 + np.floor((pmax[paying] - 30 + 1) * rng.random(len(paying)) ** 0.6).astype(np.int64)
    onboarding = pick(A.ONBOARDING)
    p0[onboarding] = rng.integers(last - 80, last - 29, len(onboarding))
    # onboarding-window boundary personas: paid on the window's first day, and the day before
    p0[onboarding[0::5]] = last - ONBOARDING_WINDOW_DAYS + 1
    p0[onboarding[1::5]] = last - ONBOARDING_WINDOW_DAYS
    # account-age boundary personas (their users skip the most valuable features, see
    # users.py): created one day past the minimum age, and on it
    trial_days = np.where(journey == Journey.NONE, 0, conv_off)
    p0[onboarding[2::5]] = last - MISSING_MOST_VALUABLE_MIN_ACCOUNT_DAYS - 1 + trial_days[onboarding[2::5]]
    p0[onboarding[3::5]] = last - MISSING_MOST_VALUABLE_MIN_ACCOUNT_DAYS + trial_days[onboarding[3::5]]
    steady_annual = paying[annual[paying] & ~np.isin(persona[paying], ANNUAL_RENEWING + (A.ONBOARDING,))]
    p0[steady_annual] = _annual_start(rng, p0[steady_annual], last)
    renewing = np.flatnonzero(np.isin(persona, ANNUAL_RENEWING))
    years = rng.integers(0, 2, len(renewing))
    p0[renewing] = last - (years * 365 + 365 - rng.integers(10, 51, len(renewing)))
    timeline = Timeline(persona=persona, journey=journey, annual=annual, p0=p0, churn=churn, react=react)
    plan_new(rng, cal, timeline)
    has_trial = np.ones(n, bool)
    has_trial[(journey == Journey.NONE) & ~np.isin(persona, (A.TRIAL_ENGAGED, A.TRIAL_LOW, A.TRIAL_LOST, A.CONTENT))] = False
    has_trial[persona == A.SPIKE] = False
    has_trial[pick(A.CHURNED)[rng.random(len(pick(A.CHURNED))) < 0.15]] = False
    conv_off[~has_trial] = 0
    with_p0 = p0 >= 0
    created[with_p0] = p0[with_p0] - conv_off[with_p0]

    idx = pick(A.REACTIVATED)
    churn[idx] = p0[idx] + rng.integers(60, 120, len(idx))
    react[idx] = np.minimum(churn[idx] + rng.integers(30, 200, len(idx)), last - 150)
    plan_churn(rng, cal, timeline)

    plan0 = rng.choice([STARTER, PRO, BUSINESS, ENTERPRISE], size=n, p=[0.35, 0.35, 0.2, 0.1]).astype(np.int8)
    fast = journey == Journey.FAST
    plan0[fast] = rng.choice([PRO, BUSINESS, ENTERPRISE], size=int(fast.sum()), p=[0.5, 0.3, 0.2])
    plan0[persona == A.ONBOARDING] = rng.choice([BUSINESS, ENTERPRISE], size=len(onboarding), p=[0.7, 0.3])
    plan0[persona == A.LVHM] = STARTER
    plan0[journey == Journey.LATE] = STARTER
    down = np.isin(persona, DOWNGRADING)
    plan0[down] = rng.choice([PRO, BUSINESS], size=int(down.sum()))
    seats0 = _seats(rng, plan0)
    seats0[persona == A.LVHM] = rng.integers(1, 4, int((persona == A.LVHM).sum()))

    change = np.full(n, -1, np.int64)
    plan1 = plan0.copy()
    seats1 = seats0.copy()
    idx = np.flatnonzero(journey == Journey.LATE)
    change[idx] = p0[idx] + rng.integers(90, 201, len(idx))
    # upgrade-delay boundary personas: exactly on the minimum and one day short of it
    change[idx[2::5]] = p0[idx[2::5]] + LATE_CONVERTER_MIN_UPGRADE_DAYS
    change[idx[3::5]] = p0[idx[3::5]] + LATE_CONVERTER_MIN_UPGRADE_DAYS - 1
    plan1[idx] = PRO
    seats1[idx] = seats0[idx] + rng.integers(0, 4, len(idx))
    idx = np.flatnonzero(down)
    change[idx] = rng.integers(last - 70, last - 19, len(idx))
    plan1[idx] = plan0[idx] - 1
    seats1[idx] = np.maximum(1, (seats0[idx] * rng.uniform(0.5, 1.0, len(idx))).astype(np.int64))
    ups = np.flatnonzero(
        (persona == A.REGULAR) & np.isin(journey, (Journey.REGULAR, Journey.FAST, Journey.NONE))
        & ~annual & (plan0 < ENTERPRISE) & (p0 + 60 < last - 120) & (rng.random(n) < 0.25))
    change[ups] = p0[ups] + 60 + np.floor((last - 120 - p0[ups] - 60) * rng.random(len(ups))).astype(np.int64)
    plan1[ups] = plan0[ups] + 1
    seats1[ups] = _seats(rng, plan1[ups])
    plan_changes(rng, cal, timeline, change, plan0, plan1, seats0, seats1)

    region = rng.choice(len(REGIONS), size=n, p=[0.45, 0.3, 0.15, 0.1]).astype(np.int8)
    cur_pick = rng.random(n) < 0.7
    currency = np.array([REGION_CURRENCIES[r][0 if c else 1] for r, c in zip(region, cur_pick)], np.int8)
    location = rng.choice(len(LOCATION_TYPES), size=n, p=[0.6, 0.3, 0.1]).astype(np.int8)
    location[rng.random(n) < 0.1] = -1
    employees = np.maximum(seats0 * rng.integers(2, 12, n), rng.integers(3, 40, n)).astype(np.int64)
    employees[rng.random(n) < 0.05] = -1
    channel = rng.integers(0, len(CHANNELS), n).astype(np.int8)
    channel[rng.random(n) < 0.1] = -1
    need = rng.integers(0, len(NEEDS), n).astype(np.int8)
    need[rng.random(n) < 0.15] = -1
    trial_plan = np.where(plan0 >= BUSINESS, BUSINESS, PRO).astype(np.int8)

    accounts = Accounts(
        persona=persona, journey=journey, created_day=created,
        created_sec=rng.integers(7 * 3600, 20 * 3600, n), has_trial=has_trial, trial_plan=trial_plan,
        conv_day=np.where(has_trial & (p0 >= 0), p0, -1), conv_sec=rng.integers(9 * 3600, 17 * 3600, n),
        cancel_day=cancel, p0=p0, plan0=plan0, seats0=seats0, change_day=change, plan1=plan1,
        seats1=seats1, churn_day=churn, react_day=react, annual=annual, currency=currency,
        discount=rng.integers(0, 2000, n) / 10_000, region=region, location=location,
        industry=rng.integers(0, len(INDUSTRIES), n).astype(np.int8), employees=employees,
        channel=channel, need=need, is_beta_program=persona == A.BETA,
        activated=rng.random(n) < 0.6,
    )
    order = np.lexsort((np.arange(n), accounts.created_sec, accounts.created_day))
    accounts.reorder(order)
    return accounts


def _seats(rng: np.random.Generator, plan: np.ndarray) -> np.ndarray:
    """Seat counts per plan, heavy-tailed for the larger plans."""
    mu = np.array([0.0, 0.9, 2.3, 3.4, 4.8])[plan]
    sd = np.array([0.0, 0.5, 0.6, 0.7, 0.7])[plan]
    lo = np.array([1, 1, 3, 10, 50])[plan]
    hi = np.array([1, 8, 60, 300, 2000])[plan]
    return np.clip(np.round(np.exp(rng.normal(mu, sd))), lo, hi).astype(np.int64)


def trial_end_day(accounts: Accounts) -> np.ndarray:
    """Scheduled trial end day per account (-1 without a trial)."""
    return np.where(accounts.has_trial, accounts.created_day + TRIAL_DAYS, -1)


def new_feature_days(cal: Calendar) -> np.ndarray:
    """Release day index of every feature (negative before the window)."""
    return np.array([cal.last - f.release_offset for f in FEATURES], np.int64)

