{#- NPS by month up to as_of, overall and by plan, value tier and industry, as a long
    table (one row per month, dimension and value). A month's NPS counts the
    responses given in that month (up to as_of, so the as_of month is partial), the
    latest per user within the month; NPS = % promoters - % detractors, from -100 to
    100. Plan and value tier are the account's on as_of, not at the time of the
    response; `none` for an account not paying on as_of. -#}
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
        cast({{ dbt.date_trunc('month', 'cast(responses.responded_at as date)') }} as date) as month_start
    from responses
    inner join as_of on responses.responded_at < as_of.as_of_end_date
),

ranked as (
    select
        response_id,
        user_id,
        account_id,
        score,
        month_start,
        row_number() over (
            partition by user_id, month_start
            order by responded_at desc, response_id desc
        ) as user_recency
    from responses_as_of
),

latest_per_user as (
    select
        ranked.month_start,
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
