{#- NPS by month up to as_of, overall and by plan, value tier and industry, as a long
    table (one row per month, dimension and value). A month's NPS counts the
    responses given in that month (up to as_of, so the as_of month is partial), the
    latest per user within the month (int_nps_responses_deduplicated_to_user_months);
    NPS = % promoters - % detractors, from -100 to 100. Plan and value tier are the account's on as_of, not at the time of the
    response; `none` for an account not paying on as_of (int_nps_responses_enriched). -#}
with

as_of as (
    select
        as_of_date,
        as_of_end_date
    from {{ ref('int_as_of_date') }}
),

latest_per_user as (
    select
        response_month as month_start,
        nps_category,
        plan_name,
        value_tier,
        industry
    from {{ ref('int_nps_responses_deduplicated_to_user_months') }}
),

by_dimension as (
    select
        month_start,
        'overall' as dimension,
        'all' as dimension_value,
        nps_category
    from latest_per_user
    union all
    select
        month_start,
        'plan' as dimension,
        plan_name as dimension_value,
        nps_category
    from latest_per_user
    union all
    select
        month_start,
        'value_tier' as dimension,
        value_tier as dimension_value,
        nps_category
    from latest_per_user
    union all
    select
        month_start,
        'industry' as dimension,
        industry as dimension_value,
        nps_category
    from latest_per_user
),

counted as (
    select
        month_start,
        dimension,
        dimension_value,
        count(*) as responses,
        {{ count_where("nps_category = 'promoter'") }} as promoters,
        {{ count_where("nps_category = 'passive'") }} as passives,
        {{ count_where("nps_category = 'detractor'") }} as detractors
    from by_dimension
    group by month_start, dimension, dimension_value
),

scored as (
    select
        counted.month_start,
        counted.dimension,
        counted.dimension_value,
        counted.responses,
        counted.promoters,
        counted.passives,
        counted.detractors,
        cast(100 * (counted.promoters - counted.detractors) as {{ type_double() }}) / counted.responses as nps,
        cast({{ dbt.dateadd('month', 1, 'counted.month_start') }} as date) <= as_of.as_of_end_date as is_complete
    from counted
    cross join as_of
)

select
    month_start as month,  -- noqa: RF04
    dimension,
    dimension_value,
    responses,
    promoters,
    passives,
    detractors,
    nps,
    is_complete
from scored
