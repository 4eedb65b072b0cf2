"""Monthly MRR movements of the last twelve months: new, expansion, contraction and churn.

A real subscription business shows every kind of movement every month.  For each
month of the movement window (the ``MOVEMENT_MONTHS`` calendar months ending with
the as_of month) the plan gets

* new customers: regular accounts whose first paid day is moved into the month
  when fewer than ``MIN_NEW`` (or 1 % of the customers) start paying in it;
* churn: churned-persona accounts ending their last period in the month, so that
  logo churn (churned / customers at the start of the month) is a rate drawn from
  ``CHURN_RATE`` and never outside 1-4 % (at least one account);
* upgrades (next plan, or more seats on Enterprise) and seat reductions of
  monthly accounts without a planted value, risk or journey story, each 1 % of
  the customers (at least one).

Months are measured the way the MRR marts measure them: a change on any day of a
month counts at the month's end (as_of for the as_of month).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from .config import ENTERPRISE, Calendar
from .personas import NON_PAYING, A, Journey

MOVEMENT_MONTHS = 12
MIN_NEW = 2
#: planted new customers, upgrades and seat reductions per month, as a share of its customers
MOVEMENT_SHARE = 0.01
CHURN_RATE = (0.018, 0.032)
MIN_CHURN, MAX_CHURN = 0.01, 0.04
MIN_TENURE_DAYS = 60
#: personas whose plan may change in the window (no planted value, risk or journey story)
CHANGING = (A.REGULAR, A.BETA, A.POWER, A.SHALLOW, A.MISSING_MV)
#: personas whose first paid day may move into the window (no steady usage windows)
STARTING = (A.REGULAR, A.BETA)


def window_months(cal: Calendar) -> list[tuple[int, int]]:
    """``(first, last)`` day indices of each window month, oldest first (the last ends on as_of)."""
    months: list[tuple[int, int]] = []
    first = cal.as_of.replace(day=1)
    for _ in range(MOVEMENT_MONTHS):
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        lo = (first - cal.start).days
        hi = min((nxt - cal.start).days - 1, cal.last)
        months.append((lo, hi))
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return months[::-1]


@dataclass
class Timeline:
    """The per-account arrays the movement plan reads and moves (views into Accounts' arrays)."""

    persona: np.ndarray
    journey: np.ndarray
    annual: np.ndarray
    p0: np.ndarray
    churn: np.ndarray
    react: np.ndarray

    def paying_on(self, day: int) -> np.ndarray:
        """Accounts with a paid period running on ``day``."""
        started = (self.p0 >= 0) & (self.p0 <= day)
        gone = (self.churn >= 0) & (self.churn <= day) & ~((self.react >= 0) & (self.react <= day))
        return started & ~gone

    def movable(self, personas: tuple[A, ...]) -> np.ndarray:
        """Monthly accounts of ``personas`` whose journey does not depend on plan changes."""
        return (np.isin(self.persona, personas) & ~self.annual
                & np.isin(self.journey, (Journey.REGULAR, Journey.FAST, Journey.NONE, Journey.SLOW)))


def plan_new(rng: np.random.Generator, cal: Calendar, t: Timeline) -> None:
    """Move first paid days of regular accounts into window months with too few new customers."""
    starters = ~np.isin(t.persona, NON_PAYING) | (t.persona == A.CHURNED)
    for lo, hi in window_months(cal):
        new = np.count_nonzero(starters & (t.p0 >= lo) & (t.p0 <= hi))
        wanted = max(MIN_NEW, _share(t, lo))
        pool = np.flatnonzero(t.movable(STARTING) & np.isin(t.journey, (Journey.REGULAR, Journey.NONE))
                              & (t.p0 >= 0) & (t.p0 < lo - MIN_TENURE_DAYS))
        take = rng.choice(pool, size=min(max(wanted - new, 0), len(pool)), replace=False)
        t.p0[take] = rng.integers(lo, max(hi, lo + 1), len(take))


def plan_churn(rng: np.random.Generator, cal: Calendar, t: Timeline) -> None:
    """Give churned-persona accounts a churn day in the window so every month churns 1-4 % of its customers.

    Months are planned from the last one back: the customers at the start of a month
    are the other paying accounts plus the churned-persona accounts planned to churn
    in it or later.  Churned-persona accounts left over keep their (earlier) churn.
    """
    months = window_months(cal)
    churned = t.persona == A.CHURNED
    pool = rng.permutation(np.flatnonzero(churned))
    available = np.ones(len(pool), bool)
    later = 0
    for lo, hi in reversed(months):
        others = np.count_nonzero(t.paying_on(lo - 1) & ~churned)
        existing = np.count_nonzero(~churned & (t.churn >= lo) & (t.churn <= hi))
        rate = rng.uniform(*CHURN_RATE)
        base = others + later
        target = round(rate * base / (1 - rate))
        lowest = max(math.ceil(MIN_CHURN * base / (1 - MIN_CHURN)), 1)
        highest = math.floor(MAX_CHURN * base / (1 - MAX_CHURN))
        need = max(min(max(target, lowest), highest) - existing, 0)
        chosen = np.flatnonzero(available & (t.p0[pool] <= lo - MIN_TENURE_DAYS))[:need]
        available[chosen] = False
        idx = pool[chosen]
        t.churn[idx] = rng.integers(lo, hi + 1, len(idx))
        t.annual[idx] = False
        later += len(idx)


def plan_changes(
    rng: np.random.Generator, cal: Calendar, t: Timeline, change: np.ndarray, plan0: np.ndarray,
    plan1: np.ndarray, seats0: np.ndarray, seats1: np.ndarray,
) -> None:
    """Upgrades and seat reductions in every window month."""
    for lo, hi in window_months(cal):
        count = _share(t, lo)
        ready = t.movable(CHANGING) & (change < 0) & (t.churn < 0) & (t.p0 >= 0) & (t.p0 <= lo - MIN_TENURE_DAYS)
        ups = rng.choice(np.flatnonzero(ready), size=min(count, int(ready.sum())), replace=False)
        change[ups] = rng.integers(lo, hi + 1, len(ups))
        top = plan0[ups] == ENTERPRISE
        plan1[ups] = np.where(top, plan0[ups], plan0[ups] + 1)
        seats1[ups] = np.where(top, seats0[ups] + rng.integers(1, 6, len(ups)), seats0[ups])
        ready &= (change < 0) & (seats0 >= 2)
        downs = rng.choice(np.flatnonzero(ready), size=min(count, int(ready.sum())), replace=False)
        change[downs] = rng.integers(lo, hi + 1, len(downs))
        plan1[downs] = plan0[downs]
        fewer = np.floor(seats0[downs] * rng.uniform(0.5, 0.85, len(downs))).astype(np.int64)
        seats1[downs] = np.clip(fewer, 1, seats0[downs] - 1)


def _share(t: Timeline, lo: int) -> int:
    """``MOVEMENT_SHARE`` of the customers when the month starting on ``lo`` begins (rounded down, at least 1)."""
    return max(1, int(MOVEMENT_SHARE * np.count_nonzero(t.paying_on(lo - 1))))
