{#- Every NPS response given up to as_of, with its category and the responding
    account's plan and value tier on as_of (`none` when the account is not paying on
    as_of) and CRM industry (`unknown` when missing). Plan and value tier are as of
    as_of, not at the time of the response. -#}
with

as_of as (
    select as_of_end_date
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
        responses.score
    from responses
    inner join as_of on responses.responded_at < as_of.as_of_end_date
)

select
    responses_as_of.response_id,
    responses_as_of.user_id,
    responses_as_of.account_id,
    responses_as_of.responded_at,
    responses_as_of.score,
    {{ nps_category('responses_as_of.score') }} as nps_category,
    coalesce(account_plans.plan_name, 'none') as plan_name,
    coalesce(account_tiers.value_tier, 'none') as value_tier,
    coalesce(account_industries.industry, 'unknown') as industry
from responses_as_of
left join account_plans on responses_as_of.account_id = account_plans.account_id
left join account_tiers on responses_as_of.account_id = account_tiers.account_id
left join account_industries on responses_as_of.account_id = account_industries.account_id
