"""The report's figures: one SELECT per section on the marts, aggregated in SQL.

Every query takes the report's as_of as the parameter ``$as_of`` and reads nothing
recorded after it: the membership and quality histories up to as_of, the last MRR
month measured on or before it and the last NPS quarter complete by it. Value tiers
and the live quality view exist for the warehouse's own as_of only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

import duckdb

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
from marts.fct_segment_membership_history
order by as_of_date
"""

WAREHOUSE_AS_OF = """
select max(as_of_date) as as_of_date
from marts.dim_accounts
"""

SEGMENT_SIZES = """
with

catalogue as (
    select
        model_name,
        family
    from marts.dim_segments
),

history as (
    select
        as_of_date,
        segment_key,
        entity_type,
        model_name
    from marts.fct_segment_membership_history
    where as_of_date <= $as_of
),

previous_as_of as (
    select max(as_of_date) as as_of_date
    from history
    where as_of_date < $as_of
),

counted as (
    select
        as_of_date,
        segment_key,
        entity_type,
        model_name,
        count(*) as members
    from history
    group by as_of_date, segment_key, entity_type, model_name
),

on_as_of as (
    select
        segment_key,
        entity_type,
        model_name,
        members
    from counted
    where as_of_date = $as_of
),

on_previous as (
    select
        counted.segment_key,
        counted.entity_type,
        counted.model_name,
        counted.members
    from counted
    inner join previous_as_of on counted.as_of_date = previous_as_of.as_of_date
)

select
    coalesce(on_as_of.segment_key, on_previous.segment_key) as segment_key,
    coalesce(catalogue.family, 'other') as family,
    coalesce(on_as_of.entity_type, on_previous.entity_type) as entity_type,
    coalesce(on_as_of.members, 0) as members,
    on_previous.members as previous_members
from on_as_of
full outer join on_previous
    on on_as_of.segment_key = on_previous.segment_key and on_as_of.entity_type = on_previous.entity_type
left join catalogue on coalesce(on_as_of.model_name, on_previous.model_name) = catalogue.model_name
order by family, members desc, segment_key
"""

SEGMENT_TRENDS = """
with

catalogue as (
    select
        model_name,
        family
    from marts.dim_segments
),

history as (
    select
        as_of_date,
        segment_key,
        model_name
    from marts.fct_segment_membership_history
    where as_of_date <= $as_of and segment_key not like '%:%'
)

select
    history.as_of_date,
    coalesce(catalogue.family, 'other') as family,
    history.segment_key,
    count(*) as members
from history
left join catalogue on history.model_name = catalogue.model_name
group by history.as_of_date, catalogue.family, history.segment_key
order by family, history.segment_key, history.as_of_date
"""

# value tiers are kept for the warehouse's as_of only: no rows for an earlier one
VALUE_TIER_PARETO = """
with

tiers as (
    select
        value_tier,
        arr_rank,
        paying_accounts,
        cumulative_arr_share,
        arr_usd,
        as_of_date
    from marts.seg_value_tier_high
    union all
    select
        value_tier,
        arr_rank,
        paying_accounts,
        cumulative_arr_share,
        arr_usd,
        as_of_date
    from marts.seg_value_tier_medium
    union all
    select
        value_tier,
        arr_rank,
        paying_accounts,
        cumulative_arr_share,
        arr_usd,
        as_of_date
    from marts.seg_value_tier_low
)

select
    value_tier,
    arr_rank,
    cast(arr_rank as double) / paying_accounts as account_share,
    cumulative_arr_share,
    arr_usd
from tiers
where as_of_date = $as_of
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
from marts.fct_mrr_monthly
where measured_on_date <= $as_of
order by mrr_month desc
limit 1
"""

NPS_BY_TIER_AND_PLAN = """
with

last_complete_quarter as (
    select max(quarter) as quarter
    from marts.fct_nps_quarterly
    where quarter + interval 3 month <= $as_of + interval 1 day
),

plan_order as (
    select
        plan_name,
        avg(mrr_usd) as average_mrr
    from marts.dim_accounts
    where is_paying
    group by plan_name
)

select
    scores.quarter,
    scores.dimension,
    scores.dimension_value,
    scores.responses,
    scores.nps,
    scores.previous_quarter_nps
from marts.fct_nps_quarterly as scores
inner join last_complete_quarter on scores.quarter = last_complete_quarter.quarter
left join plan_order on scores.dimension = 'plan' and scores.dimension_value = plan_order.plan_name
where scores.dimension in ('value_tier', 'plan')
order by
    scores.dimension desc,
    case scores.dimension_value when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 4 end,
    plan_order.average_mrr,
    scores.dimension_value
"""

# the live view on the warehouse's as_of, else the latest published run recorded for as_of
QUALITY_VERDICTS = """
with

current_run as (
    select
        as_of_date,
        segment_key,
        family,
        member_count,
        measurable_verdict,
        measurable_reason,
        accessible_verdict,
        accessible_reason,
        stable_verdict,
        stable_reason,
        consistent_verdict,
        consistent_reason,
        verdict
    from marts.segment_quality
    where as_of_date = $as_of
),

latest_recorded_run as (
    select max_by(run_id, recorded_at) as run_id
    from marts.segment_quality_history
    where as_of_date = $as_of
),

recorded_run as (
    select
        history.as_of_date,
        history.segment_key,
        history.family,
        history.member_count,
        history.measurable_verdict,
        history.measurable_reason,
        history.accessible_verdict,
        history.accessible_reason,
        history.stable_verdict,
        history.stable_reason,
        history.consistent_verdict,
        history.consistent_reason,
        history.verdict
    from marts.segment_quality_history as history
    inner join latest_recorded_run on history.run_id = latest_recorded_run.run_id
    where history.as_of_date = $as_of and not exists (select 1 from current_run)
),

verdicts as (
    select
        as_of_date,
        segment_key,
        family,
        member_count,
        measurable_verdict,
        measurable_reason,
        accessible_verdict,
        accessible_reason,
        stable_verdict,
        stable_reason,
        consistent_verdict,
        consistent_reason,
        verdict
    from current_run
    union all
    select
        as_of_date,
        segment_key,
        family,
        member_count,
        measurable_verdict,
        measurable_reason,
        accessible_verdict,
        accessible_reason,
        stable_verdict,
        stable_reason,
        consistent_verdict,
        consistent_reason,
        verdict
    from recorded_run
)

select
    segment_key,
    family,
    member_count,
    measurable_verdict,
    accessible_verdict,
    stable_verdict,
    consistent_verdict,
    verdict,
    case when verdict = 'fail' then 'blocked' else 'published' end as status,
    concat_ws(
        '; ',
        case when measurable_verdict != 'pass' then 'measurable: ' || measurable_reason end,
        case when accessible_verdict != 'pass' then 'accessible: ' || accessible_reason end,
        case when stable_verdict != 'pass' then 'stable: ' || stable_reason end,
        case when consistent_verdict != 'pass' then 'consistent: ' || consistent_reason end
    ) as reasons
from verdicts
order by case verdict when 'fail' then 1 when 'warn' then 2 else 3 end, family, segment_key
"""

# segment keys per criterion (measurable ... consistent, overall) and outcome (pass / warn / fail)
QUALITY_COUNTS = f"""
with

segment_verdicts as ({QUALITY_VERDICTS}),

outcomes as (
    unpivot segment_verdicts
    on measurable_verdict, accessible_verdict, stable_verdict, consistent_verdict, verdict
    into name criterion value outcome
)

select
    case criterion when 'verdict' then 'overall' else replace(criterion, '_verdict', '') end as criterion,
    outcome,
    count(*) as segment_keys
from outcomes
group by criterion, outcome
order by criterion, outcome
"""


def connect(warehouse: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse file."""
    return duckdb.connect(warehouse, read_only=True)


def fetch(connection: duckdb.DuckDBPyConnection, sql: str, row: type[Row], as_of: dt.date) -> list[Row]:
    """The rows of one report query as ``row`` objects (columns in field order)."""
    return [row(*values) for values in connection.execute(sql, {"as_of": as_of}).fetchall()]


def as_of_dates(connection: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Every as_of recorded in the membership history, oldest first."""
    return [as_of_date for (as_of_date,) in connection.execute(AS_OF_DATES).fetchall()]


def warehouse_as_of(connection: duckdb.DuckDBPyConnection) -> dt.date:
    """The as_of the warehouse was last built for."""
    ((as_of_date,),) = connection.execute(WAREHOUSE_AS_OF).fetchall()
    if as_of_date is None:
        raise ReportError("marts.dim_accounts is empty: build the warehouse first (make build or make refresh)")
    return as_of_date


def resolve_as_of(connection: duckdb.DuckDBPyConnection, requested: dt.date | None) -> dt.date:
    """The requested as_of (default: the warehouse's), which must be in the membership history."""
    as_of = requested or warehouse_as_of(connection)
    available = as_of_dates(connection)
    if as_of not in available:
        listed = ", ".join(str(day) for day in available) or "none"
        raise ReportError(
            f"as_of {as_of} is not in marts.fct_segment_membership_history; available as_of dates: {listed}"
        )
    return as_of


def mrr_month(connection: duckdb.DuckDBPyConnection, as_of: dt.date) -> MrrMonth | None:
    """The last MRR month measured on or before as_of; its movements must add up to its ending MRR."""
    months = fetch(connection, MRR_MONTH, MrrMonth, as_of)
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

