"""The report's figures: one SELECT per section on the marts' ``rpt_*`` views.

The aggregations live in dbt (models/marts/reporting, declared by the exposure
``segment_report``), one row set per recorded as_of, so the same figures come out of
every serving target; here the report only picks the rows of its as_of and their
order. What an as_of sees: the membership and quality histories up to it, the last
MRR month measured on or before it and the last NPS quarter complete by it. Value
tiers and the live quality view exist for the warehouse's own as_of only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import psycopg2
from psycopg2 import errors as pg_errors

from saas_segments import pg_load

Row = TypeVar("Row")


class ReportError(RuntimeError):
    """The report cannot be made as asked (unknown as_of, figures that do not reconcile)."""


@dataclass(frozen=True)
class SegmentSize:
    segment_key: str
    family: str
    entity_type: str
    members: int
    previous_members: int | None


@dataclass(frozen=True)
class TrendPoint:
    as_of_date: dt.date
    family: str
    segment_key: str
    members: int


@dataclass(frozen=True)
class ParetoPoint:
    value_tier: str
    arr_rank: int
    account_share: float
    cumulative_arr_share: float
    arr_usd: Decimal


@dataclass(frozen=True)
class MrrMonth:
    mrr_month: dt.date
    measured_on_date: dt.date
    starting_mrr: Decimal
    new_mrr: Decimal
    expansion_mrr: Decimal
    contraction_mrr: Decimal
    churned_mrr: Decimal
    reactivation_mrr: Decimal
    ending_mrr: Decimal

    def steps(self) -> list[tuple[str, Decimal]]:
        """The waterfall's bars in order: start, the signed movements, end."""
        return [
            ("Start MRR", self.starting_mrr),
            ("New", self.new_mrr),
            ("Expansion", self.expansion_mrr),
            ("Contraction", -self.contraction_mrr),
            ("Churn", -self.churned_mrr),
            ("Reactivation", self.reactivation_mrr),
            ("End MRR", self.ending_mrr),
        ]


@dataclass(frozen=True)
class NpsScore:
    quarter: dt.date
    dimension: str
    dimension_value: str
    responses: int
    nps: float
    previous_quarter_nps: float | None


@dataclass(frozen=True)
class VerdictCount:
    criterion: str
    outcome: str
    segment_keys: int


@dataclass(frozen=True)
class QualityVerdict:
    segment_key: str
    family: str
    member_count: int
    measurable: str
    accessible: str
    stable: str
    consistent: str
    verdict: str
    status: str
    reasons: str


AS_OF_DATES = """
select distinct as_of_date
from marts.rpt_segment_sizes
order by as_of_date
"""

WAREHOUSE_AS_OF = """
select max(as_of_date) as as_of_date
from marts.dim_accounts
"""

SEGMENT_SIZES = """
select
    segment_key,
    family,
    entity_type,
    members,
    previous_members
from marts.rpt_segment_sizes
where as_of_date = {as_of}
order by family, members desc, segment_key
"""

SEGMENT_TRENDS = """
select
    as_of_date,
    family,
    segment_key,
    members
from marts.rpt_segment_trends
where as_of_date <= {as_of}
order by family, segment_key, as_of_date
"""

# value tiers are kept for the warehouse's as_of only: no rows for an earlier one
VALUE_TIER_PARETO = """
select
    value_tier,
    arr_rank,
    account_share,
    cumulative_arr_share,
    arr_usd
from marts.rpt_value_tier_pareto
where as_of_date = {as_of}
order by arr_rank
"""

MRR_MONTH = """
select
    mrr_month,
    measured_on_date,
    starting_mrr,
    new_mrr,
    expansion_mrr,
    contraction_mrr,
    churned_mrr,
    reactivation_mrr,
    ending_mrr
from marts.rpt_mrr_waterfall
where as_of_date = {as_of}
"""

NPS_BY_TIER_AND_PLAN = """
select
    quarter,
    dimension,
    dimension_value,
    responses,
    nps,
    previous_quarter_nps
from marts.rpt_nps_by_tier_and_plan
where as_of_date = {as_of}
order by display_order
"""

# the live view on the warehouse's as_of, else the latest published run recorded for as_of
QUALITY_VERDICTS = """
select
    segment_key,
    family,
    member_count,
    measurable_verdict,
    accessible_verdict,
    stable_verdict,
    consistent_verdict,
    verdict,
    status,
    reasons
from marts.rpt_segment_quality
where as_of_date = {as_of}
order by verdict_order, family, segment_key
"""

# segment keys per criterion (measurable ... consistent, overall) and outcome (pass / warn / fail)
QUALITY_COUNTS = """
select
    criterion,
    outcome,
    segment_keys
from marts.rpt_segment_quality_counts
where as_of_date = {as_of}
order by criterion, outcome
"""


@dataclass(frozen=True)
class Postgres:
    """A PostgreSQL warehouse reached through the SAAS_PG_* settings (like profiles.yml)."""

    database: str | None = None

    @property
    def name(self) -> str:
        return str(pg_load.connection_params(self.database)["dbname"])


Source = Path | Postgres


@dataclass(frozen=True)
class Reader:
    """Runs the report's SELECTs on one connection; ``{as_of}`` is the driver's named parameter."""

    connection: Any
    as_of_parameter: str

    def rows(self, sql: str, as_of: dt.date | None = None) -> list[tuple]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql.format(as_of=self.as_of_parameter), {"as_of": as_of} if as_of else None)
            return cursor.fetchall()
        except (duckdb.CatalogException, pg_errors.UndefinedTable) as error:
            first_line = str(error).splitlines()[0]
            raise ReportError(f"{first_line} (build the warehouse first: make build or make refresh)") from error
        finally:
            cursor.close()


def describe(source: Source) -> str:
    """How the page names the warehouse it read."""
    return f"PostgreSQL database {source.name}" if isinstance(source, Postgres) else f"warehouse {source.name}"


@contextmanager
def connect(source: Source) -> Iterator[Reader]:
    """A read-only connection to a DuckDB warehouse file or a PostgreSQL database."""
    if isinstance(source, Postgres):
        try:
            connection = pg_load.connect(source.database)
        except psycopg2.OperationalError as error:
            raise ReportError(f"cannot connect to PostgreSQL database {source.name}: {error}".strip()) from error
        try:
            connection.set_session(readonly=True)
            yield Reader(connection, "%(as_of)s")
        finally:
            connection.close()
        return
    if not source.is_file():
        raise ReportError(f"warehouse file {source} does not exist (make build or make refresh first)")
    with duckdb.connect(str(source), read_only=True) as connection:
        yield Reader(connection, "$as_of")


def fetch(reader: Reader, sql: str, row: type[Row], as_of: dt.date) -> list[Row]:
    """The rows of one report query as ``row`` objects (columns in field order)."""
    return [row(*values) for values in reader.rows(sql, as_of)]


def as_of_dates(reader: Reader) -> list[dt.date]:
    """Every as_of recorded in the membership history, oldest first."""
    return [as_of_date for (as_of_date,) in reader.rows(AS_OF_DATES)]


def warehouse_as_of(reader: Reader) -> dt.date:
    """The as_of the warehouse was last built for."""
    ((as_of_date,),) = reader.rows(WAREHOUSE_AS_OF)
    if as_of_date is None:
        raise ReportError("marts.dim_accounts is empty: build the warehouse first (make build or make refresh)")
    return as_of_date


def resolve_as_of(reader: Reader, requested: dt.date | None) -> dt.date:
    """The requested as_of (default: the warehouse's), which must be in the membership history."""
    as_of = requested or warehouse_as_of(reader)
    available = as_of_dates(reader)
    if as_of not in available:
        listed = ", ".join(str(day) for day in available) or "none"
        raise ReportError(
            f"as_of {as_of} is not in marts.fct_segment_membership_history; available as_of dates: {listed}"
        )
    return as_of


def mrr_month(reader: Reader, as_of: dt.date) -> MrrMonth | None:
    """The last MRR month measured on or before as_of; its movements must add up to its ending MRR."""
    months = fetch(reader, MRR_MONTH, MrrMonth, as_of)
    if not months:
        return None
    (month,) = months
    steps = [value for _, value in month.steps()]
    if sum(steps[:-1], Decimal(0)) != month.ending_mrr:
        raise ReportError(
            f"MRR for {month.mrr_month} does not reconcile: start + movements = {sum(steps[:-1], Decimal(0))}, "
            f"ending MRR = {month.ending_mrr}"
        )
    return month
