{#- NPS by calendar quarter up to as_of, overall and by plan, value tier and
    industry, with the change vs the previous quarter. Same rules as fct_nps_monthly
    at quarter grain: the latest response per user within the quarter (up to as_of,
    so the as_of quarter is partial); plan and value tier as of as_of
    (int_nps_responses_enriched). -#}
with

as_of as (
    select
        as_of_date,
        as_of_end_date
    from {{ ref('int_as_of_date') }}
),

responses as (
    select
        response_id,
        user_id,
        responded_at,
        nps_category,
        plan_name,
        value_tier,
        industry,
        cast({{ dbt.date_trunc('quarter', 'cast(responded_at as date)') }} as date) as quarter_start
    from {{ ref('int_nps_responses_enriched') }}
),

ranked as (
    select
        quarter_start,
        nps_category,
        plan_name,
        value_tier,
        industry,
        row_number() over (
            partition by user_id, quarter_start
            order by responded_at desc, response_id desc
        ) as user_recency
    from responses
),

latest_per_user as (
    select
        quarter_start,
        nps_category,
        plan_name,
        value_tier,
        industry
    from ranked
    where user_recency = 1
),

by_dimension as (
    select
        quarter_start,
        'overall' as dimension,
        'all' as dimension_value,
        nps_category
    from latest_per_user
    union all
    select
        quarter_start,
        'plan' as dimension,
        plan_name as dimension_value,
        nps_category
    from latest_per_user
    union all
    select
        quarter_start,
        'value_tier' as dimension,
        value_tier as dimension_value,
        nps_category
    from latest_per_user
    union all
    select
        quarter_start,
        'industry' as dimension,
        industry as dimension_value,
        nps_category
    from latest_per_user
),

counted as (
    select
        quarter_start,
        dimension,
        dimension_value,
        count(*) as responses,
        {{ count_where("nps_category = 'promoter'") }} as promoters,
        {{ count_where("nps_category = 'passive'") }} as passives,
        {{ count_where("nps_category = 'detractor'") }} as detractors
    from by_dimension
    group by quarter_start, dimension, dimension_value
),

scored as (
    select
        counted.quarter_start,
        counted.dimension,
        counted.dimension_value,
        counted.responses,
        counted.promoters,
        counted.passives,
        counted.detractors,
        cast(100 * (counted.promoters - counted.detractors) as {{ type_double() }}) / counted.responses as nps,
        cast({{ dbt.dateadd('month', 3, 'counted.quarter_start') }} as date) <= as_of.as_of_end_date as is_complete
    from counted
    cross join as_of
),

with_previous as (
    select
        scored.quarter_start,
        scored.dimension,
        scored.dimension_value,
        scored.responses,
        scored.promoters,
        scored.passives,
        scored.detractors,
        scored.nps,
        scored.is_complete,
        previous_quarter.nps as previous_quarter_nps,
        scored.nps - previous_quarter.nps as nps_change
    from scored
    left join scored as previous_quarter
        on
            scored.dimension = previous_quarter.dimension
            and scored.dimension_value = previous_quarter.dimension_value
            and previous_quarter.quarter_start
            = cast({{ dbt.dateadd('month', -3, 'scored.quarter_start') }} as date)
)

select
    quarter_start as quarter,  -- noqa: RF04
    dimension,
    dimension_value,
    responses,
    promoters,
    passives,
    detractors,
    nps,
    previous_quarter_nps,
    nps_change,
    is_complete,
    case
        when nps_change > 0 then 'growth'
        when nps_change < 0 then 'decline'
        when nps_change = 0 then 'flat'
    end as trend
from with_previous
