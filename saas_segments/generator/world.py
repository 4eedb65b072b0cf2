"""The complete generated plan (every entity except individual events) and its ids."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .arrow import fixed_ids
from .billing import Invoices, Subscriptions, build_invoices, build_subscriptions, trial_times
from .config import Calendar, Scale, stream
from .customer import Milestones, Nps, Tickets, build_milestones, build_nps, build_tickets
from .entities import Accounts, Spike, build_accounts
from .personas import A
from .users import Users, build_users
from .value import Value, account_value
from .web import Touches, build_touches


@dataclass
class World:
    """Everything the tables and the truth oracle are derived from."""

    scale: Scale
    cal: Calendar
    seed: int
    spike: Spike | None
    acc: Accounts
    users: Users
    subs: Subscriptions
    invoices: Invoices
    value: Value
    trials: dict[str, np.ndarray]
    nps: Nps
    tickets: Tickets
    milestones: Milestones
    touches: Touches
    potential_cents: np.ndarray
    account_ids: pa.Array
    user_ids: pa.Array
    subscription_ids: pa.Array

    @property
    def account_id_list(self) -> list[str]:
        """Account ids as Python strings."""
        return self.account_ids.to_pylist()


def _potential(acc: Accounts, value: Value, seed: int) -> np.ndarray:
    """Sales' potential ARR in USD cents (null = -1) for every account."""
    rng = stream(seed, "potential")
    n = acc.n
    running_trial = np.isin(acc.persona, (A.TRIAL_ENGAGED, A.TRIAL_LOW))
    usd = value.arr * rng.uniform(0.8, 4.0, n) + rng.uniform(500, 60_000, n)
    cents = np.round(usd * 100).astype(np.int64)
    known = value.paying | running_trial | (rng.random(n) < 0.5)
    return np.where(known, cents, -1)


def _trim_spike(acc: Accounts, users: Users, spike: Spike) -> None:
    """Keep just enough spike signups for ``factor`` x the prior 60-day daily rate."""
    is_spike = acc.persona[users.account] == A.SPIKE
    u0 = users.u0[~is_spike]
    before = np.count_nonzero((u0 >= spike.start - 60) & (u0 < spike.start)) / 60
    inside = np.count_nonzero((u0 >= spike.start) & (u0 < spike.end))
    needed = max(spike.factor * before * (spike.end - spike.start) - inside, 1)
    spike_acc = np.flatnonzero(acc.persona == A.SPIKE)
    enough = int(np.searchsorted(np.cumsum(acc.user_count[spike_acc]), needed)) + 1
    keep = np.ones(acc.n, bool)
    keep[spike_acc[enough:]] = False
    kept_users = keep[users.account]
    new_index = np.cumsum(keep) - 1
    for name, value in list(vars(users).items()):
        if isinstance(value, np.ndarray):
            setattr(users, name, value[kept_users])
    users.account = new_index[users.account]
    acc.reorder(np.flatnonzero(keep))
    acc.user_start = np.cumsum(acc.user_count) - acc.user_count


def build_world(scale: Scale, cal: Calendar, seed: int, spike: Spike | None) -> World:
    """Draw the whole plan for one run."""
    acc = build_accounts(scale, cal, seed, spike)
    users = build_users(acc, scale, cal, seed)
    if spike is not None:
        _trim_spike(acc, users, spike)
    account_ids = fixed_ids("A", np.arange(1, acc.n + 1), 7)
    user_ids = fixed_ids("U", np.arange(1, users.n + 1), 8)
    subs = build_subscriptions(acc, cal, seed)
    value = account_value(subs, account_ids.to_pylist(), cal.last)
    return World(
        scale=scale, cal=cal, seed=seed, spike=spike, acc=acc, users=users, subs=subs,
        invoices=build_invoices(subs, cal, seed), value=value, trials=trial_times(acc, users, cal),
        nps=build_nps(acc, users, cal, seed), tickets=build_tickets(acc, users, value, cal, seed),
        milestones=build_milestones(acc, cal, seed), touches=build_touches(acc, users, cal, seed),
        potential_cents=_potential(acc, value, seed), account_ids=account_ids, user_ids=user_ids,
        subscription_ids=fixed_ids("S", np.arange(1, subs.n + 1), 8),
    )
