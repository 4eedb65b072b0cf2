"""Persona catalog: who is planted in which segment, and how many per scale.

Account personas fix an account's commercial story (trial, paid plan, churn,
plan changes) and the behaviour of its users; journeys fix how a paying account
got there from its first trial; user personas fix the activity pattern of one
person.  The counts are ``max(demo_minimum, fraction * accounts)`` so that the
demo data has enough members in every segment and larger scales grow
proportionally.
"""

from __future__ import annotations

from enum import IntEnum


class AccountPersona(IntEnum):
    """Commercial story of one account."""

    TRIAL_ENGAGED = 0
    TRIAL_LOW = 1
    TRIAL_LOST = 2
    CONTENT = 3
    CHURNED = 4
    SPIKE = 5
    REGULAR = 6
    POWER = 7
    SHALLOW = 8
    DROPOFF = 9
    INACTIVE = 10
    MISSING_MV = 11
    ONBOARDING = 12
    LVHM = 13
    CONTRACTION = 14
    RISK_A = 15
    RISK_B = 16
    RISK_C = 17
    RISK_D = 18
    REACTIVATED = 19
    BETA = 20


class Journey(IntEnum):
    """Path from the first trial to paying (NONE = no trial)."""

    NONE = 0
    REGULAR = 1
    FAST = 2
    LATE = 3
    LATE_FLAT = 4
    SLOW = 5


class UserPersona(IntEnum):
    """Activity pattern of one user."""

    REGULAR = 0
    POWER = 1
    SHALLOW = 2
    DROPOFF = 3
    INACTIVE = 4
    FALLING = 5
    TRIAL_ENGAGED = 6
    TRIAL_LOW = 7
    TRIAL_LOST = 8
    CONTENT = 9
    CHURNED = 10
    SPIKE_LOW = 11
    SPIKE_REGULAR = 12


A = AccountPersona
NON_PAYING = (A.TRIAL_ENGAGED, A.TRIAL_LOW, A.TRIAL_LOST, A.CONTENT, A.CHURNED, A.SPIKE)
PAYING = tuple(p for p in A if p not in NON_PAYING)
#: paying personas whose users must have full baseline + recent windows
STEADY_WINDOWS = (
    A.POWER, A.SHALLOW, A.DROPOFF, A.INACTIVE, A.MISSING_MV, A.LVHM, A.CONTRACTION,
    A.RISK_A, A.RISK_B, A.RISK_C, A.RISK_D,
)
#: paying personas that must carry at most one at-risk signal, so never a detractor
NO_DETRACTOR = (A.INACTIVE, A.CONTRACTION, A.RISK_B, A.RISK_D, A.LVHM, A.DROPOFF)
#: personas whose latest account NPS answer is a planted detractor
PLANTED_DETRACTOR = (A.RISK_A, A.RISK_C)
ANNUAL_RENEWING = (A.RISK_C, A.RISK_D)
MONTHLY_ONLY = (A.CONTRACTION, A.RISK_B, A.REACTIVATED, A.RISK_A, A.INACTIVE)
DOWNGRADING = (A.CONTRACTION, A.RISK_B)

#: (fraction of target accounts, demo minimum) per non-regular account persona
ACCOUNT_MIX: dict[AccountPersona, tuple[float, int]] = {
    A.TRIAL_ENGAGED: (0.02, 12),
    A.TRIAL_LOW: (0.02, 12),
    A.TRIAL_LOST: (0.12, 14),
    A.CONTENT: (0.02, 20),
    A.CHURNED: (0.2, 40),
    A.POWER: (0.03, 12),
    A.SHALLOW: (0.03, 10),
    A.DROPOFF: (0.03, 7),
    A.INACTIVE: (0.02, 10),
    A.MISSING_MV: (0.03, 20),
    A.ONBOARDING: (0.02, 20),
    A.LVHM: (0.03, 20),
    A.CONTRACTION: (0.01, 3),
    A.RISK_A: (0.01, 5),
    A.RISK_B: (0.01, 5),
    A.RISK_C: (0.01, 5),
    A.RISK_D: (0.01, 5),
    A.REACTIVATED: (0.02, 3),
    A.BETA: (0.01, 3),
}

#: (fraction of target accounts, demo minimum) per journey among paying accounts
JOURNEY_MIX: dict[Journey, tuple[float, int]] = {
    Journey.FAST: (0.03, 20),
    Journey.LATE: (0.03, 20),
    Journey.SLOW: (0.03, 20),
    Journey.LATE_FLAT: (0.03, 4),
    Journey.NONE: (0.06, 5),
}

#: account personas a journey may be combined with
JOURNEY_ALLOWED: dict[Journey, tuple[AccountPersona, ...]] = {
    Journey.FAST: tuple(p for p in PAYING if p not in (A.LVHM,)),
    Journey.LATE: (A.REGULAR, A.POWER, A.SHALLOW, A.DROPOFF, A.MISSING_MV, A.BETA, A.INACTIVE),
    Journey.SLOW: tuple(p for p in PAYING if p != A.ONBOARDING),
    Journey.LATE_FLAT: (A.REGULAR, A.BETA, A.MISSING_MV),
    Journey.NONE: (A.REGULAR, A.ONBOARDING, A.POWER, A.MISSING_MV),
}

#: (fraction of target users, demo minimum) of user-level overlays
NEVER_CORE_MIX = (0.02, 12)
BETA_USER_MIX = (0.01, 10)
#: pioneers per new feature, using it before everyone else: a quarter first on the last day of the
#: early-adopter window, a quarter the day after
PIONEER_MIX = (0.004, 4)
#: regular users on the inactive_users baseline boundary (half at, half one day short)
QUIET_USER_MIX = (0.012, 12)


def planted_count(fraction: float, demo_min: int, target: int) -> int:
    """Members to plant: the fraction of the target, at least the demo minimum."""
    return max(demo_min, round(fraction * target))
