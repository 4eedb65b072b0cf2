"""Static configuration: scales, calendar, product catalog, prices and currencies.

All time inside the generator is counted in *day indices* ``0 .. n_days - 1``
where the last index is ``as_of`` (the end date).  Timestamps are integer
seconds since the Unix epoch (UTC).
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np

SECONDS_PER_DAY = 86_400
RECENT_DAYS = 30
BASELINE_DAYS = 60
TRIAL_DAYS = 21
#: default segment thresholds (the dbt vars of the same name, lower case) that boundary
#: personas sit exactly on and one day outside of
POWER_MIN_ACTIVE_DAYS = 15
TRIAL_ENGAGED_MIN_DAYS = 4
INACTIVE_MIN_BASELINE_DAYS = 4
TRIAL_ENGAGED_MIN_CORE_FEATURES = 2
TRIAL_LOW_MIN_AGE_DAYS = 3
SHALLOW_MIN_LOGIN_DAYS = 15
NEVER_USED_CORE_MIN_SIGNUP_DAYS = 14
MISSING_MOST_VALUABLE_MIN_ACCOUNT_DAYS = 30
SHALLOW_MAX_FEATURES = 1
ONBOARDING_WINDOW_DAYS = 90
CONTENT_HEAVY_MIN_TOUCHES = 8
CONTENT_HEAVY_MAX_TRIAL_ACTIVE_DAYS = 2
SLOW_PAYER_MIN_LEAD_DAYS = 21
SLOW_PAYER_MAX_ACTIVE_DAYS = 4
FAST_CONVERTER_MAX_DAYS = 7
LATE_CONVERTER_LAST_TRIAL_DAYS = 3
LATE_CONVERTER_MIN_UPGRADE_DAYS = 60
DEFAULT_END_DATE = "2026-06-30"


@dataclass(frozen=True)
class Scale:
    """Target sizes of one scale."""

    name: str
    accounts: int
    users: int
    events: int
    chunk_users: int


SCALES: dict[str, Scale] = {
    "demo": Scale("demo", 260, 1_000, 100_000, 2_000),
    "s": Scale("s", 5_000, 50_000, 5_000_000, 4_000),
    "m": Scale("m", 20_000, 200_000, 20_000_000, 4_000),
    "l": Scale("l", 100_000, 1_000_000, 100_000_000, 4_000),
}


@dataclass(frozen=True)
class Calendar:
    """The generated time span: three years ending on ``as_of`` inclusive."""

    as_of: dt.date

    @property
    def start(self) -> dt.date:
        """First generated day."""
        try:
            three_back = self.as_of.replace(year=self.as_of.year - 3)
        except ValueError:
            three_back = self.as_of.replace(year=self.as_of.year - 3, day=28)
        return three_back + dt.timedelta(days=1)

    @property
    def n_days(self) -> int:
        """Number of generated days."""
        return (self.as_of - self.start).days + 1

    @property
    def start_epoch_day(self) -> int:
        """Days from 1970-01-01 to the first generated day."""
        return (self.start - dt.date(1970, 1, 1)).days

    @property
    def last(self) -> int:
        """Day index of ``as_of``."""
        return self.n_days - 1

    @property
    def recent_start(self) -> int:
        """First day index of the recent window (30 days ending on as_of)."""
        return self.n_days - RECENT_DAYS

    @property
    def baseline_start(self) -> int:
        """First day index of the baseline window (60 days before recent)."""
        return self.n_days - RECENT_DAYS - BASELINE_DAYS

    def epoch_day(self, day: np.ndarray | int) -> np.ndarray | int:
        """Epoch day (days since 1970-01-01) of a day index."""
        return day + self.start_epoch_day

    def seconds(self, day: np.ndarray | int, second_of_day: np.ndarray | int = 0) -> np.ndarray | int:
        """Epoch seconds of a day index plus a second offset."""
        return (np.asarray(day, dtype=np.int64) + self.start_epoch_day) * SECONDS_PER_DAY + second_of_day


@dataclass(frozen=True)
class Feature:
    """One row of the feature catalog; ``release_offset`` counts days before as_of."""

    key: str
    name: str
    category: str
    most_valuable: bool
    activation: bool
    release_offset: int


FEATURES: tuple[Feature, ...] = (
    Feature("dashboards", "Dashboards", "core", False, False, 2400),
    Feature("reports", "Reports", "core", True, False, 2400),
    Feature("data_import", "Data import", "core", False, True, 2400),
    Feature("alerts", "Alerts", "core", False, False, 2100),
    Feature("sharing", "Sharing", "core", False, False, 1900),
    Feature("search", "Search", "core", False, False, 1500),
    Feature("integrations", "Integrations", "secondary", False, True, 1800),
    Feature("sso", "Single sign-on", "secondary", False, False, 1600),
    Feature("custom_fields", "Custom fields", "secondary", False, False, 1300),
    Feature("automations", "Automations", "secondary", True, False, 700),
    Feature("mobile_app", "Mobile app", "secondary", False, False, 400),
    Feature("ai_insights", "AI insights", "secondary", True, False, 150),
)
N_FEATURES = len(FEATURES)


def feature_mask(predicate: object) -> int:
    """Bit mask of the features for which ``predicate(feature)`` is true."""
    return sum(1 << i for i, f in enumerate(FEATURES) if predicate(f))  # type: ignore[operator]


CORE_MASK = feature_mask(lambda f: f.category == "core")
MV_MASK = feature_mask(lambda f: f.most_valuable)
NEW_FEATURE_IDX: tuple[int, ...] = tuple(i for i, f in enumerate(FEATURES) if f.release_offset < 1000)
FEATURE_IDX = {f.key: i for i, f in enumerate(FEATURES)}
REGULAR_ADOPTION_LAG = 21
PIONEER_WINDOW = 10


@dataclass(frozen=True)
class Plan:
    """One row of the price list (price per seat per month in USD cents)."""

    plan_id: str
    name: str
    rank: int
    seat_price_cents: int


PLANS: tuple[Plan, ...] = (
    Plan("plan_free", "Free", 1, 0),
    Plan("plan_starter", "Starter", 2, 1_500),
    Plan("plan_pro", "Pro", 3, 3_500),
    Plan("plan_business", "Business", 4, 7_000),
    Plan("plan_enterprise", "Enterprise", 5, 12_000),
)
FREE, STARTER, PRO, BUSINESS, ENTERPRISE = range(5)
ANNUAL_DISCOUNT = 0.85

CURRENCIES: tuple[str, ...] = ("USD", "EUR", "GBP", "CAD", "AUD", "BRL")
FX_BASE: tuple[float, ...] = (1.0, 1.08, 1.27, 0.74, 0.66, 0.19)
REGIONS: tuple[str, ...] = ("NA", "EMEA", "APAC", "LATAM")
REGION_CURRENCIES: tuple[tuple[int, ...], ...] = ((0, 3), (1, 2), (4, 0), (5, 0))
LOCATION_TYPES: tuple[str, ...] = ("urban", "suburban", "rural")
ROLES: tuple[str, ...] = ("admin", "manager", "analyst", "engineer", "executive", "other")
INDUSTRIES: tuple[str, ...] = (
    "software", "retail", "finance", "healthcare", "manufacturing", "education", "media", "logistics",
)
NEEDS: tuple[str, ...] = ("automate_reporting", "team_collaboration", "customer_insights", "compliance")
CHANNELS: tuple[str, ...] = ("organic", "paid_search", "referral", "partner", "outbound", "event")
TOUCH_TYPES: tuple[str, ...] = (
    "blog_view", "ebook_download", "webinar_attended", "pricing_page", "features_page", "faq_page", "other",
)
CONTENT_TOUCH_TYPES = 6
MILESTONES: tuple[str, ...] = (
    "kickoff_call", "admin_setup", "integration_connected", "team_invited", "training_completed",
)
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")


def stream(seed: int, *names: str | int) -> np.random.Generator:
    """An independent deterministic random stream for one named component."""
    keys = [zlib.crc32(n.encode()) if isinstance(n, str) else int(n) for n in names]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *keys])))


def parse_date(text: str) -> dt.date:
    """Parse ``YYYY-MM-DD``."""
    return dt.date.fromisoformat(text)
