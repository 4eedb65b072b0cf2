"""Product usage: a per-user day matrix of active days, expanded into events chunk by chunk.

For each chunk of whole accounts the generator builds a ``users x days`` phase
matrix (see :mod:`.users`), draws exactly ``k`` active days per phase by ranking
random keys inside each phase, picks the features used on each active day by
cycling through the user's feature set, and expands every active day into one
``login``, the ``feature_used`` events and a few ``page_view`` events.  The same
cells feed :class:`Aggregates`, the per-user and per-account usage figures the
truth oracle needs, so the oracle sees exactly what was written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .arrow import fixed_ids, pick, timestamps
from .config import EARLY_ADOPTER_WINDOW_DAYS, FEATURES, N_FEATURES, REGULAR_ADOPTION_LAG, Calendar, stream
from .entities import Accounts, new_feature_days, trial_end_day
from .users import BASE, HIST, N_SLOTS, RECENT, WA, Users

EVENT_TYPES = ("login", "feature_used", "page_view")
POPCOUNT = np.array([bin(i).count("1") for i in range(1 << N_FEATURES)], np.int64)
FEATURE_TABLE = np.array(
    [[i for i in range(N_FEATURES) if mask >> i & 1] + [0] * (N_FEATURES - bin(mask).count("1"))
     for mask in range(1 << N_FEATURES)], np.int64)


@dataclass
class Aggregates:
    """Usage figures per user and per account, as of the last generated day."""

    act_recent: np.ndarray
    act_base: np.ndarray
    act_last7: np.ndarray
    login_recent: np.ndarray
    act_trial: np.ndarray
    feats_recent: np.ndarray
    feats_ever: np.ndarray
    feats_trial: np.ndarray
    early: np.ndarray
    acc_users_recent: np.ndarray
    acc_users_base: np.ndarray
    acc_days_recent: np.ndarray
    acc_days_base: np.ndarray
    acc_days_trial: np.ndarray
    acc_days_pay30: np.ndarray
    acc_feats_ever: np.ndarray

    @classmethod
    def empty(cls, n_users: int, n_accounts: int) -> Aggregates:
        """All-zero aggregates."""
        names = list(cls.__dataclass_fields__)
        return cls(**{k: np.zeros(n_accounts if k.startswith("acc_") else n_users, np.int64) for k in names})


def chunk_bounds(acc: Accounts, chunk_users: int) -> list[tuple[int, int]]:
    """Account index ranges ``[a0, a1)`` holding about ``chunk_users`` users each."""
    ends = np.cumsum(acc.user_count)
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < acc.n:
        limit = (ends[start - 1] if start else 0) + chunk_users
        stop = max(int(np.searchsorted(ends, limit, side="right")), start + 1)
        bounds.append((start, stop))
        start = stop
    return bounds


def _active_matrix(users: Users, lo: int, hi: int, cal: Calendar, rng: np.random.Generator) -> np.ndarray:
    """Boolean ``users x days`` matrix of active days for users ``lo:hi``.

    History days are Bernoulli draws at the history rate; every other phase gets
    exactly ``k`` active days, chosen by ranking random keys inside the phase.
    """
    n, days = hi - lo, cal.n_days
    d = np.arange(days)
    phase = np.full((n, days), HIST, np.int8)
    phase[:, cal.baseline_start:cal.recent_start] = BASE
    phase[:, cal.recent_start:] = RECENT
    win = users.win[lo:hi]
    for s in range(3):
        a, b = win[:, s, 0], win[:, s, 1]
        if np.any(b > a):
            phase[(d >= a[:, None]) & (d < b[:, None])] = WA + s
    phase[(d < users.u0[lo:hi, None]) | (d >= users.u1[lo:hi, None])] = 0
    draws = rng.random((n, days), dtype=np.float32)
    active = (phase == HIST) & (draws < users.rates[lo:hi, HIST, None].astype(np.float32))
    rows, cols = np.nonzero(phase >= BASE)
    slot = phase[rows, cols].astype(np.int64)
    group = rows * N_SLOTS + slot
    sizes = np.bincount(group, minlength=n * N_SLOTS).reshape(n, N_SLOTS)
    kfix = users.kfix[lo:hi]
    k = np.where(kfix >= 0, kfix, np.floor(users.rates[lo:hi] * sizes + 0.5)).astype(np.int64)
    k = np.minimum(k, sizes)
    order = np.argsort(group + rng.random(len(group)))
    group_sorted = group[order]
    first = np.searchsorted(group_sorted, group_sorted, side="left")
    chosen = order[(np.arange(len(order)) - first) < k.ravel()[group_sorted]]
    active[rows[chosen], cols[chosen]] = True
    return active


@dataclass
class Context:
    """Everything constant across chunks."""

    acc: Accounts
    users: Users
    cal: Calendar
    seed: int
    user_ids: pa.Array
    account_ids: pa.Array
    avail_regular: np.ndarray
    pioneer_from: np.ndarray
    release: np.ndarray
    trial_lo: np.ndarray
    trial_hi: np.ndarray
    pay_lo: np.ndarray

    @classmethod
    def build(cls, acc: Accounts, users: Users, cal: Calendar, seed: int,
              user_ids: pa.Array, account_ids: pa.Array) -> Context:
        """Precompute feature availability per day and account windows."""
        release = new_feature_days(cal)
        d = np.arange(cal.n_days)
        bits = 1 << np.arange(N_FEATURES)
        avail_regular = ((d[:, None] >= release[None, :] + REGULAR_ADOPTION_LAG) * bits).sum(axis=1)
        # a pioneer's feature is open to it from the first day of its pioneer window (WC) on
        pioneer_from = np.where(users.pioneer > 0, users.win[:, 2, 0], cal.n_days)
        tend = trial_end_day(acc)
        return cls(acc, users, cal, seed, user_ids, account_ids, avail_regular, pioneer_from, release,
                   np.where(acc.has_trial, acc.created_day, -1), np.minimum(tend, cal.last),
                   np.where(acc.p0 >= 0, acc.p0, -10**6))


def _or_by(group: np.ndarray, bits: np.ndarray, select: np.ndarray, size: int) -> np.ndarray:
    """Bitwise OR of ``bits`` per ``group`` over the selected cells."""
    out = np.zeros(size, np.int64)
    g, b = group[select], bits[select]
    for f in range(N_FEATURES):
        hit = (b >> f) & 1 == 1
        if hit.any():
            out[np.unique(g[hit])] |= 1 << f
    return out


def _count_by(group: np.ndarray, select: np.ndarray, size: int) -> np.ndarray:
    """Number of selected cells per group."""
    return np.bincount(group[select], minlength=size).astype(np.int64)


def simulate(ctx: Context, agg: Aggregates, chunk: int, a0: int, a1: int, first_event: int,
             first_session: int) -> tuple[pa.Table, int]:
    """Events of accounts ``a0:a1``; fills ``agg`` and returns the table and session count."""
    acc, users, cal = ctx.acc, ctx.users, ctx.cal
    lo = int(acc.user_start[a0])
    hi = int(acc.user_start[a1 - 1] + acc.user_count[a1 - 1])
    rng = stream(ctx.seed, "events", chunk)
    active = _active_matrix(users, lo, hi, cal, rng)
    rows, days = np.nonzero(active)
    n_cells = len(rows)
    per_row = active.sum(axis=1)
    ordinal = np.arange(n_cells) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    gu = rows + lo
    pioneer_from = ctx.pioneer_from[gu]
    allowed = users.fset[gu] & (ctx.avail_regular[days] | np.where(days >= pioneer_from, users.pioneer[gu], 0))
    # on that first day a pioneer uses its feature alone: its first use is exactly that day
    allowed = np.where(days == pioneer_from, users.pioneer[gu], allowed)
    pop = POPCOUNT[allowed]
    mm = users.m[gu]
    used = np.minimum(mm, pop)
    cell_bits = np.zeros(n_cells, np.int64)
    feat_cols = []
    for j in range(int(mm.max(initial=0))):
        ok = j < used
        idx = (ordinal * mm + j) % np.maximum(pop, 1)
        feat = np.where(ok, FEATURE_TABLE[allowed, idx], -1)
        cell_bits |= np.where(ok, 1 << np.maximum(feat, 0), 0)
        feat_cols.append(feat)
    _aggregate(ctx, agg, lo, hi, a0, a1, rows, days, cell_bits)

    s0 = rng.integers(6 * 3600, 20 * 3600, n_cells)
    n_pv = rng.poisson(users.pv[gu])
    parts_user = [gu]
    parts_ts = [s0]
    parts_type = [np.zeros(n_cells, np.int8)]
    parts_feat = [np.full(n_cells, -1, np.int64)]
    parts_cell = [np.arange(n_cells)]
    for j, feat in enumerate(feat_cols):
        ok = feat >= 0
        parts_user.append(gu[ok])
        parts_ts.append(s0[ok] + 60 * (j + 1) + rng.integers(0, 50, int(ok.sum())))
        parts_type.append(np.ones(int(ok.sum()), np.int8))
        parts_feat.append(feat[ok])
        parts_cell.append(np.flatnonzero(ok))
    pv_cell = np.repeat(np.arange(n_cells), n_pv)
    parts_user.append(gu[pv_cell])
    parts_ts.append(s0[pv_cell] + rng.integers(30, 3000, len(pv_cell)))
    parts_type.append(np.full(len(pv_cell), 2, np.int8))
    parts_feat.append(np.full(len(pv_cell), -1, np.int64))
    parts_cell.append(pv_cell)
    user = np.concatenate(parts_user)
    cell = np.concatenate(parts_cell)
    ts = cal.seconds(days[cell], np.concatenate(parts_ts))
    etype = np.concatenate(parts_type)
    feat = np.concatenate(parts_feat)
    order = np.lexsort((etype, ts, user))
    user, cell, ts, etype, feat = user[order], cell[order], ts[order], etype[order], feat[order]
    n_events = len(user)
    account = users.account[user]
    table = pa.table({
        "event_id": fixed_ids("E", np.arange(first_event, first_event + n_events), 10),
        "user_id": ctx.user_ids.take(pa.array(user)),
        "account_id": ctx.account_ids.take(pa.array(account)),
        "occurred_at": timestamps(ts),
        "event_type": pick(EVENT_TYPES, etype),
        "feature_key": pick([f.key for f in FEATURES], feat),
        "session_id": fixed_ids("X", first_session + cell, 10),
    })
    return table, n_cells


def _aggregate(ctx: Context, agg: Aggregates, lo: int, hi: int, a0: int, a1: int,
               rows: np.ndarray, days: np.ndarray, cell_bits: np.ndarray) -> None:
    """Fold one chunk's active cells into the per-user and per-account aggregates."""
    cal, users = ctx.cal, ctx.users
    n = hi - lo
    recent = days >= cal.recent_start
    base = (days >= cal.baseline_start) & ~recent
    every = np.ones(len(rows), bool)
    acc_of = users.account[rows + lo]
    in_trial = (days >= ctx.trial_lo[acc_of]) & (days <= ctx.trial_hi[acc_of])
    agg.act_recent[lo:hi] = _count_by(rows, recent, n)
    agg.login_recent[lo:hi] = agg.act_recent[lo:hi]
    agg.act_base[lo:hi] = _count_by(rows, base, n)
    agg.act_last7[lo:hi] = _count_by(rows, days >= cal.last - 6, n)
    agg.act_trial[lo:hi] = _count_by(rows, in_trial, n)
    agg.feats_recent[lo:hi] = _or_by(rows, cell_bits, recent, n)
    agg.feats_ever[lo:hi] = _or_by(rows, cell_bits, every, n)
    agg.feats_trial[lo:hi] = _or_by(rows, cell_bits, in_trial, n)
    early = np.zeros(n, np.int64)
    for f in range(N_FEATURES):
        # whole days from the release to the user's first use of the feature, as dbt counts them
        first = np.full(n, cal.n_days, np.int64)
        used = (cell_bits >> f) & 1 == 1
        np.minimum.at(first, rows[used], days[used])
        lag = first - ctx.release[f]
        early[(first < cal.n_days) & (lag >= 0) & (lag <= EARLY_ADOPTER_WINDOW_DAYS)] |= 1 << f
    agg.early[lo:hi] = early

    na = a1 - a0
    local_acc = acc_of - a0
    pairs = np.unique(local_acc * cal.n_days + days)
    pa_acc, pa_day = pairs // cal.n_days, pairs % cal.n_days
    g = pa_acc + a0
    agg.acc_days_recent[a0:a1] = _count_by(pa_acc, pa_day >= cal.recent_start, na)
    agg.acc_days_base[a0:a1] = _count_by(pa_acc, (pa_day >= cal.baseline_start) & (pa_day < cal.recent_start), na)
    agg.acc_days_trial[a0:a1] = _count_by(pa_acc, (pa_day >= ctx.trial_lo[g]) & (pa_day <= ctx.trial_hi[g]), na)
    agg.acc_days_pay30[a0:a1] = _count_by(pa_acc, (pa_day >= ctx.pay_lo[g]) & (pa_day < ctx.pay_lo[g] + 30), na)
    user_acc = users.account[lo:hi] - a0
    agg.acc_users_recent[a0:a1] = np.bincount(user_acc, weights=agg.act_recent[lo:hi] > 0, minlength=na).astype(np.int64)
    agg.acc_users_base[a0:a1] = np.bincount(user_acc, weights=agg.act_base[lo:hi] > 0, minlength=na).astype(np.int64)
    agg.acc_feats_ever[a0:a1] = _or_by(user_acc, agg.feats_ever[lo:hi], np.ones(n, bool), na)


def event_chunks(ctx: Context, agg: Aggregates, chunk_users: int) -> Iterator[pa.Table]:
    """Yield the events table chunk by chunk (whole accounts per chunk)."""
    first_event, first_session = 0, 0
    for chunk, (a0, a1) in enumerate(chunk_bounds(ctx.acc, chunk_users)):
        table, cells = simulate(ctx, agg, chunk, a0, a1, first_event, first_session)
        first_event += table.num_rows
        first_session += cells
        yield table
