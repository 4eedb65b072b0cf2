{#- NPS by calendar quarter up to as_of, overall and by plan, value tier and
    industry, with the change vs the previous quarter. Same rules as fct_nps_monthly
    at quarter grain: the latest response per user within the quarter (up to as_of,
    so the as_of quarter is partial); plan and value tier as of as_of. -#}
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
        account_id,
        responded_at,
        score
    from {{ ref('stg_survey__nps_responses') }}
),

account_industries as (
    select
        account_id,
        industry
    from {{ ref('int_account_traits') }}
),

account_plans as (
    select
        account_id,
        plan_name
    from {{ ref('int_account_revenue') }}
    where is_paying
),

account_tiers as (
    select
        account_id,
        value_tier
    from {{ ref('int_account_value_tiers') }}
),

responses_as_of as (
    select
        responses.response_id,
        responses.user_id,
        responses.account_id,
        responses.responded_at,
        responses.score,
        cast({{ dbt.date_trunc('quarter', 'cast(responses.responded_at as date)') }} as date) as quarter_start
    from responses
    inner join as_of on responses.responded_at < as_of.as_of_end_date
),

ranked as (
    select
        response_id,
        user_id,
        account_id,
        score,
        quarter_start,
        row_number() over (
            partition by user_id, quarter_start
            order by responded_at desc, response_id desc
        ) as user_recency
    from responses_as_of
),

latest_per_user as (
    select
        ranked.quarter_start,
        {{ nps_category('ranked.score') }} as nps_category,
        coalesce(account_plans.plan_name, 'none') as plan_name,
        coalesce(account_tiers.value_tier, 'none') as value_tier,
        coalesce(account_industries.industry, 'unknown') as industry
    from ranked
    left join account_plans on ranked.account_id = account_plans.account_id
    left join account_tiers on ranked.account_id = account_tiers.account_id
    left join account_industries on ranked.account_id = account_industries.account_id
    where ranked.user_recency = 1
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
