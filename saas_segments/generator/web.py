"""Marketing-site touches: anonymous before signup, identified from the signup touch on.

Every user has one ``anonymous_id``.  Touches before signup carry no user_id; the
signup touch (type ``other``) and later touches carry it, which stitches the
earlier ones to the user.  Background accounts see at most four content touches
up to the end of their trial (later touches come after the trial), planted
researchers see ten or more, and planted slow payers first visit 25-60 days
before signup (everybody else at most 10 days before); boundary personas sit on
and just past the touch-count and lead-time thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import CONTENT_HEAVY_MIN_TOUCHES, CONTENT_TOUCH_TYPES, SLOW_PAYER_MIN_LEAD_DAYS, Calendar, stream
from .entities import Accounts, trial_end_day
from .personas import A, Journey
from .users import Users

OTHER = CONTENT_TOUCH_TYPES
ANON_SCRAMBLE = 2_654_435_761
ANON_SPACE = 10**10


@dataclass
class Touches:
    """Web touches; ``user`` is -1 for anonymous rows, ``visitor`` indexes anonymous ids."""

    visitor: np.ndarray
    user: np.ndarray
    day: np.ndarray
    sec: np.ndarray
    kind: np.ndarray


def anonymous_numbers(visitors: np.ndarray) -> np.ndarray:
    """Distinct pseudo-random numbers for anonymous ids (a bijection on 10**10)."""
    return (np.asarray(visitors, dtype=np.int64) * ANON_SCRAMBLE) % ANON_SPACE


def _touch_count_boundaries(acc: Accounts, a: np.ndarray, primary: np.ndarray, n_pre: np.ndarray, n_in: np.ndarray) -> None:
    """Every fifth content researcher sees exactly content_heavy_min_touches content touches, the next one one fewer.

    Only the primary user's touches count there: half before signup, the rest in the trial.
    """
    accounts = np.flatnonzero(acc.persona == A.CONTENT)
    for planted, count in ((accounts[0::5], CONTENT_HEAVY_MIN_TOUCHES), (accounts[1::5], CONTENT_HEAVY_MIN_TOUCHES - 1)):
        users = np.isin(a, planted)
        n_pre[users] = np.where(primary[users], count // 2, 0)
        n_in[users] = np.where(primary[users], count - count // 2, 0)


def _lead_boundaries(acc: Accounts, a: np.ndarray, primary: np.ndarray, slow_lead: np.ndarray) -> None:
    """Every fifth slow payer first visits exactly slow_payer_min_lead_days days before signup, the next one a day later."""
    accounts = np.flatnonzero(acc.journey == Journey.SLOW)
    for planted, days in ((accounts[0::5], SLOW_PAYER_MIN_LEAD_DAYS), (accounts[1::5], SLOW_PAYER_MIN_LEAD_DAYS - 1)):
        slow_lead[np.isin(a, planted) & primary] = days


def build_touches(acc: Accounts, users: Users, cal: Calendar, seed: int) -> Touches:
    """All web touches of all users plus never-identified visitors."""
    rng = stream(seed, "touches")
    n = users.n
    a = users.account
    ap = acc.persona[a]
    primary = users.rank == 0
    u0 = users.u0
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(who: np.ndarray, day: np.ndarray, sec: np.ndarray, kind: np.ndarray, identified: bool) -> None:
        parts.append((who, np.where(identified, who, -1), day, sec, kind))

    n_pre = np.where(primary & (rng.random(n) < 0.6), rng.integers(1, 5, n), 0)
    content = ap == A.CONTENT
    slow = (acc.journey[a] == Journey.SLOW) & primary
    n_pre[content] = rng.integers(4, 9, int(content.sum()))
    n_pre[slow] = rng.integers(3, 7, int(slow.sum()))
    n_in = np.zeros(n, np.int64)
    n_in[content] = rng.integers(6, 11, int(content.sum()))
    _touch_count_boundaries(acc, a, primary, n_pre, n_in)
    lead = np.where(content, 18, 10)
    who = np.repeat(np.arange(n), n_pre)
    back = 1 + np.floor(rng.random(len(who)) * lead[who]).astype(np.int64)
    slow_lead = rng.integers(25, 61, n)
    _lead_boundaries(acc, a, primary, slow_lead)
    back = np.where(slow[who], 1 + np.floor(rng.random(len(who)) * slow_lead[who]).astype(np.int64), back)
    first = np.r_[True, who[1:] != who[:-1]] if len(who) else np.zeros(0, bool)
    back = np.where(slow[who] & first, slow_lead[who], back)
    kind = np.where(content[who], rng.integers(0, OTHER, len(who)), rng.integers(0, OTHER + 1, len(who)))
    add(who, u0[who] - back, rng.integers(0, 86_400, len(who)), kind, False)

    in_trial = np.repeat(np.arange(n), n_in)
    tend = trial_end_day(acc)[a]
    add(in_trial, u0[in_trial] + 1 + np.floor(rng.random(len(in_trial)) * (tend[in_trial] - u0[in_trial] - 1)).astype(np.int64),
        rng.integers(0, 86_400, len(in_trial)), rng.integers(0, OTHER, len(in_trial)), True)

    n_post = rng.poisson(1.2, n)
    n_post[np.isin(ap, (A.CONTENT, A.TRIAL_LOW, A.TRIAL_ENGAGED))] = 0
    post_lo = np.where(acc.has_trial[a], np.maximum(u0, tend + 1), u0 + 1)
    span = users.u1 - post_lo
    n_post[span <= 0] = 0
    who = np.repeat(np.arange(n), n_post)
    add(who, post_lo[who] + np.floor(rng.random(len(who)) * span[who]).astype(np.int64),
        rng.integers(0, 86_400, len(who)), rng.integers(0, OTHER + 1, len(who)), True)

    has_any = np.zeros(n, bool)
    for part in parts:
        has_any[part[0]] = True
    who = np.flatnonzero(has_any)
    add(who, u0[who], np.minimum(users.u0_sec[who] + 30, 86_399), np.full(len(who), OTHER), True)

    n_anon = max(1, n // 10)
    visitors = np.arange(n, n + n_anon)
    anon_parts = (visitors, np.full(n_anon, -1), rng.integers(-30, cal.n_days, n_anon),
                  rng.integers(0, 86_400, n_anon), rng.integers(0, OTHER + 1, n_anon))
    cols = [np.concatenate([p[i] for p in parts] + [anon_parts[i]]) for i in range(5)]
    visitor, user, day, sec, kind = cols
    order = np.lexsort((visitor, sec, day))
    return Touches(visitor=visitor[order], user=user[order], day=day[order], sec=sec[order], kind=kind[order])
