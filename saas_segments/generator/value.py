"""Account value as of a day: ARR in USD, paying flag and the 80/15/5 value tiers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .billing import Subscriptions, mrr_usd, running_row

HIGH_SHARE = 0.80
MEDIUM_SHARE = 0.95


@dataclass
class Value:
    """Per-account value figures as of one day (tier -1 = not paying)."""

    running: np.ndarray
    paying: np.ndarray
    mrr: np.ndarray
    arr: np.ndarray
    tier: np.ndarray


def account_value(subs: Subscriptions, account_ids: list[str], day: int) -> Value:
    """ARR and value tier of every account on ``day``.

    Paying accounts are ranked by ARR (descending, ties by account id); ``high`` is
    the smallest top set holding 80 % of total ARR, ``medium`` the next 15 %.
    """
    n = len(account_ids)
    running = running_row(subs, day, n)
    mrr = mrr_usd(subs, running)
    paying = mrr > 0
    arr = mrr * 12
    tier = np.full(n, -1, np.int64)
    idx = np.flatnonzero(paying)
    ids = np.array(account_ids, dtype=object)[idx]
    order = idx[np.lexsort((ids, -arr[idx]))]
    total = arr[order].sum()
    before = np.cumsum(arr[order]) - arr[order]
    tier[order] = np.where(before < HIGH_SHARE * total, 0, np.where(before < MEDIUM_SHARE * total, 1, 2))
    return Value(running=running, paying=paying, mrr=mrr, arr=arr, tier=tier)
