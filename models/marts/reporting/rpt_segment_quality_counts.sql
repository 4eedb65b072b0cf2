{{ config(materialized='view') }}

{#- Segment keys per as_of, criterion (measurable, accessible, stable, consistent and
    the overall verdict) and outcome (pass, warn, fail), from rpt_segment_quality. -#}
with

verdicts as (
    select
        as_of_date,
        measurable_verdict,
        accessible_verdict,
        stable_verdict,
        consistent_verdict,
        verdict
    from {{ ref('rpt_segment_quality') }}
),

outcomes as (
    select
        as_of_date,
        'measurable' as criterion,
        measurable_verdict as outcome
    from verdicts
    union all
    select
        as_of_date,
        'accessible' as criterion,
        accessible_verdict as outcome
    from verdicts
    union all
    select
        as_of_date,
        'stable' as criterion,
        stable_verdict as outcome
    from verdicts
    union all
    select
        as_of_date,
        'consistent' as criterion,
        consistent_verdict as outcome
    from verdicts
    union all
    select
        as_of_date,
        'overall' as criterion,
        verdict as outcome
    from verdicts
)

select
    as_of_date,
    criterion,
    outcome,
    count(*) as segment_keys
from outcomes
group by as_of_date, criterion, outcome
