"""Customer-facing records: NPS survey waves, support tickets and onboarding milestones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import MILESTONES, Calendar, stream
from .entities import Accounts
from .personas import NO_DETRACTOR, PLANTED_DETRACTOR, A
from .users import Users
from .value import Value

NPS_WAVE_EVERY = 91
NPS_RESPONSE_RATE = 0.3
COMMENTS = (
    ("Hard to use and slow", "Missing features we need", "Support took too long"),
    ("Does the job", "Fine, a bit pricey", "OK overall"),
    ("Love the dashboards", "Great product, great team", "Saves us hours every week"),
)


@dataclass
class Nps:
    """NPS responses (one row per answer)."""

    user: np.ndarray
    day: np.ndarray
    sec: np.ndarray
    score: np.ndarray
    wave: np.ndarray
    comment: np.ndarray


def _customer_during(acc: Accounts, lo: int, hi: int) -> np.ndarray:
    """Accounts with a paid subscription throughout days ``lo..hi``."""
    started = (acc.p0 >= 0) & (acc.p0 <= lo)
    ended = (acc.churn_day >= 0) & (acc.churn_day <= hi) & ~((acc.react_day >= 0) & (acc.react_day <= lo))
    gap = (acc.churn_day >= 0) & (acc.churn_day <= hi) & (acc.react_day > lo)
    return started & ~ended & ~gap


def build_nps(acc: Accounts, users: Users, cal: Calendar, seed: int) -> Nps:
    """Quarterly survey waves; planted detractors, advocates and clean old answers."""
    rng = stream(seed, "nps")
    last = cal.last
    a = users.account
    klass = rng.choice(3, size=users.n, p=[0.22, 0.31, 0.47])
    klass[np.isin(acc.persona[a], NO_DETRACTOR) & (klass == 0)] = 1
    klass[users.advocate] = 2
    planted = np.isin(acc.persona[a], PLANTED_DETRACTOR) & (users.rank == 0)
    klass[planted] = 0
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("user", "day", "score", "wave")}
    wave = 0
    while last - 19 - NPS_WAVE_EVERY * wave >= 0:
        lo, hi = last - 19 - NPS_WAVE_EVERY * wave, last - 10 - NPS_WAVE_EVERY * wave
        alive = ((users.u0 <= lo - 30) & (users.u1 > hi) & ((users.deleted_day < 0) | (users.deleted_day > hi))
                 & _customer_during(acc, lo, hi)[a])
        respond = alive & (rng.random(users.n) < NPS_RESPONSE_RATE)
        day = rng.integers(lo, hi, users.n)
        if wave == 0:
            silenced = np.isin(acc.persona[a], PLANTED_DETRACTOR)
            respond = (respond & ~silenced) | (alive & (planted | users.advocate))
            day = np.where(planted, hi, day)
        who = np.flatnonzero(respond)
        lo_score = np.array([0, 7, 9])[klass[who]]
        hi_score = np.array([7, 9, 11])[klass[who]]
        out["user"].append(who)
        out["day"].append(day[who])
        out["score"].append(rng.integers(lo_score, hi_score))
        out["wave"].append(np.full(len(who), wave))
        wave += 1
    res = {key: np.concatenate(v) for key, v in out.items()}
    n = len(res["user"])
    sec = rng.integers(7 * 3600, 21 * 3600, n)
    sec[(res["wave"] == 0) & planted[res["user"]]] = 22 * 3600
    category = np.where(res["score"] >= 9, 2, np.where(res["score"] >= 7, 1, 0))
    comment = np.where(rng.random(n) < 0.6, category * 3 + rng.integers(0, 3, n), -1)
    order = np.lexsort((res["user"], sec, res["day"]))
    return Nps(user=res["user"][order], day=res["day"][order], sec=sec[order], score=res["score"][order],
               wave=res["wave"][order], comment=comment[order])


@dataclass
class Tickets:
    """Support tickets."""

    account: np.ndarray
    user: np.ndarray
    day: np.ndarray
    sec: np.ndarray
    priority: np.ndarray
    minutes: np.ndarray
    resolve_hours: np.ndarray


def build_tickets(acc: Accounts, users: Users, value: Value, cal: Calendar, seed: int) -> Tickets:
    """History tickets for everyone; recent ones by value tier and persona.

    In the last 90 days only medium/high-tier accounts (moderate minutes per MRR),
    the planted low-value/high-maintenance accounts (many long tickets) and the
    planted at-risk accounts (high/urgent tickets) file tickets, so the top
    quartile of minutes per MRR is decided far from its boundary.
    """
    rng = stream(seed, "tickets")
    last = cal.last
    history_end = last - 99
    life_end = np.full(acc.n, last + 1, np.int64)
    life_end[acc.churn_day >= 0] = acc.churn_day[acc.churn_day >= 0]
    life_end[np.isin(acc.persona, (A.TRIAL_LOST, A.CONTENT))] = acc.created_day[np.isin(acc.persona, (A.TRIAL_LOST, A.CONTENT))] + 21
    life_end[np.isin(acc.persona, (A.TRIAL_ENGAGED, A.TRIAL_LOW, A.SPIKE))] = 0
    span = np.clip(np.minimum(life_end, history_end) - acc.created_day, 0, None)
    n_hist = rng.poisson(span * 0.006 * (1 + np.sqrt(acc.user_count) / 3))
    acct = [np.repeat(np.arange(acc.n), n_hist)]
    day = [acc.created_day[acct[0]] + np.floor(rng.random(len(acct[0])) * span[acct[0]]).astype(np.int64)]
    prio = [rng.choice(4, size=len(acct[0]), p=[0.3, 0.5, 0.15, 0.05])]
    minutes = [rng.integers(5, 121, len(acct[0]))]

    def recent(mask: np.ndarray, lo_n: int, hi_n: int, lo_day: int, prios: list[int], lo_m: int, hi_m: int) -> None:
        idx = np.flatnonzero(mask)
        counts = rng.integers(lo_n, hi_n + 1, len(idx))
        who = np.repeat(idx, counts)
        acct.append(who)
        day.append(rng.integers(lo_day, last + 1, len(who)))
        prio.append(rng.choice(prios, size=len(who)))
        minutes.append(rng.integers(lo_m, hi_m + 1, len(who)))

    planted = np.isin(acc.persona, (A.LVHM, A.RISK_B))
    recent(value.paying & np.isin(value.tier, (0, 1)) & ~planted, 1, 5, last - 85, [0, 1], 10, 60)
    recent(acc.persona == A.LVHM, 8, 14, last - 80, [0, 1], 40, 150)
    recent(acc.persona == A.RISK_B, 4, 6, last - 25, [2, 3], 20, 60)
    account = np.concatenate(acct)
    n = len(account)
    t_day = np.concatenate(day)
    t_min = np.concatenate(minutes)
    resolve = rng.integers(1, 72, n)
    old = t_day < history_end
    unresolved = old & (rng.random(n) < 0.05)
    resolve[unresolved] = -1
    t_min[unresolved | (old & (rng.random(n) < 0.05))] = -1
    pick = acc.user_start[account] + np.floor(rng.random(n) * acc.user_count[account]).astype(np.int64)
    joined = users.u0[pick] <= t_day
    user = np.where(joined, pick, acc.user_start[account])
    user[rng.random(n) < 0.1] = -1
    sec = rng.integers(8 * 3600, 18 * 3600, n)
    order = np.lexsort((account, sec, t_day))
    return Tickets(account=account[order], user=user[order], day=t_day[order], sec=sec[order],
                   priority=np.concatenate(prio)[order], minutes=t_min[order], resolve_hours=resolve[order])


@dataclass
class Milestones:
    """Completed onboarding milestones."""

    account: np.ndarray
    milestone: np.ndarray
    day: np.ndarray
    sec: np.ndarray


def build_milestones(acc: Accounts, cal: Calendar, seed: int) -> Milestones:
    """Milestones after the first paid day; recent strategic accounts at varied stages."""
    rng = stream(seed, "milestones")
    lo = np.array([0, 3, 7, 10, 20])
    hi = np.array([6, 13, 26, 31, 46])
    paid = np.flatnonzero((acc.p0 >= 0) & (acc.persona != A.SPIKE))
    offsets = rng.integers(lo[None, :], hi[None, :], (len(paid), len(MILESTONES)))
    offsets = np.sort(offsets, axis=1)
    done = rng.random((len(paid), len(MILESTONES))) < 0.92
    onb = acc.persona[paid] == A.ONBOARDING
    reach = np.where(acc.activated[paid], rng.integers(3, 6, len(paid)), rng.integers(1, 3, len(paid)))
    done[onb] = np.arange(len(MILESTONES))[None, :] < reach[onb, None]
    day = acc.p0[paid][:, None] + offsets
    done &= day <= cal.last
    rows, cols = np.nonzero(done)
    return Milestones(account=paid[rows], milestone=cols, day=day[rows, cols],
                      sec=rng.integers(9 * 3600, 18 * 3600, len(rows)))
