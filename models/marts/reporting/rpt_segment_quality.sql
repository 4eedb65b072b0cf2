{{ config(materialized='view') }}

{#- Quality verdicts per segment key for every as_of that has them: the live view
    (segment_quality) on the warehouse's as_of, else the latest published run recorded
    for that as_of (segment_quality_history). status: a fail blocks publishing;
    reasons: the criteria that did not pass, with their reason. -#}
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
    from {{ ref('segment_quality') }}
),

recorded as (
    select
        run_id,
        recorded_at,
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
    from {{ ref('segment_quality_history') }}
),

current_dates as (
    select distinct as_of_date
    from current_run
),

recorded_runs as (
    select distinct
        as_of_date,
        run_id,
        recorded_at
    from recorded
),

latest_recorded_run as (
    select
        as_of_date,
        run_id,
        row_number() over (partition by as_of_date order by recorded_at desc, run_id desc) as run_recency
    from recorded_runs
),

recorded_run as (
    select
        recorded.as_of_date,
        recorded.segment_key,
        recorded.family,
        recorded.member_count,
        recorded.measurable_verdict,
        recorded.measurable_reason,
        recorded.accessible_verdict,
        recorded.accessible_reason,
        recorded.stable_verdict,
        recorded.stable_reason,
        recorded.consistent_verdict,
        recorded.consistent_reason,
        recorded.verdict
    from recorded
    inner join latest_recorded_run
        on
            recorded.as_of_date = latest_recorded_run.as_of_date
            and recorded.run_id = latest_recorded_run.run_id
            and latest_recorded_run.run_recency = 1
    left join current_dates on recorded.as_of_date = current_dates.as_of_date
    where current_dates.as_of_date is null
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
    as_of_date,
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
    ) as reasons,
    case verdict when 'fail' then 1 when 'warn' then 2 else 3 end as verdict_order
from verdicts
