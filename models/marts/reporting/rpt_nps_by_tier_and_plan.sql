{{ config(materialized='view') }}

{#- For every as_of in the membership history, NPS by value tier and by plan in the
    last calendar quarter complete by that as_of (fct_nps_quarterly), with the
    previous quarter's NPS. display_order: value tiers high → low, then plans by the
    average MRR of their paying accounts. -#}
with

history as (
    select distinct as_of_date
    from {{ ref('fct_segment_membership_history') }}
),

scores as (
    select
        quarter,
        dimension,
        dimension_value,
        responses,
        nps,
        previous_quarter_nps
    from {{ ref('fct_nps_quarterly') }}
    where dimension in ('value_tier', 'plan')
),

quarters as (
    select distinct quarter  -- noqa: RF04
    from scores
),

last_complete_quarter as (
    select
        history.as_of_date,
        max(quarters.quarter) as quarter  -- noqa: RF04
    from history
    inner join quarters
        on
            cast({{ dbt.dateadd('month', 3, 'quarters.quarter') }} as date)
            <= cast({{ dbt.dateadd('day', 1, 'history.as_of_date') }} as date)
    group by history.as_of_date
),

plan_order as (
    select
        plan_name,
        avg(mrr_usd) as average_mrr
    from {{ ref('dim_accounts') }}
    where is_paying
    group by plan_name
)

select
    last_complete_quarter.as_of_date,
    scores.quarter,
    scores.dimension,
    scores.dimension_value,
    scores.responses,
    scores.nps,
    scores.previous_quarter_nps,
    cast(row_number() over (
        partition by last_complete_quarter.as_of_date
        order by
            scores.dimension desc,
            case scores.dimension_value when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 4 end asc,
            plan_order.average_mrr asc nulls last,
            scores.dimension_value asc
    ) as {{ dbt.type_bigint() }}) as display_order
from last_complete_quarter
inner join scores on last_complete_quarter.quarter = scores.quarter
left join plan_order on scores.dimension = 'plan' and scores.dimension_value = plan_order.plan_name
