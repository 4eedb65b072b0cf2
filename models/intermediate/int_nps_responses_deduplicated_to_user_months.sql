{#- One row per user and calendar month with an NPS response up to as_of: the user's
    latest response of the month (ties by response id), with its category and the
    account's plan, value tier and industry on as_of (int_nps_responses_enriched).
    What monthly NPS counts, overall, by dimension and per segment. -#}
with

responses as (
    select
        response_id,
        user_id,
        responded_at,
        nps_category,
        plan_name,
        value_tier,
        industry,
        cast({{ dbt.date_trunc('month', 'cast(responded_at as date)') }} as date) as response_month
    from {{ ref('int_nps_responses_enriched') }}
),

ranked as (
    select
        response_month,
        user_id,
        response_id,
        responded_at,
        nps_category,
        plan_name,
        value_tier,
        industry,
        row_number() over (
            partition by user_id, response_month
            order by responded_at desc, response_id desc
        ) as user_recency
    from responses
)

select
    response_month,
    user_id,
    response_id,
    responded_at,
    nps_category,
    plan_name,
    value_tier,
    industry
from ranked
where user_recency = 1
