{#- Latest NPS response per user within nps_window_days before as_of (inclusive),
    categorised promoter (9–10), passive (7–8) or detractor (0–6); the latest
    response of the user's account is carried too. Ties on responded_at are broken by
    response_id. -#}
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

in_window as (
    select
        responses.response_id,
        responses.user_id,
        responses.account_id,
        responses.responded_at,
        responses.score
    from responses
    inner join as_of
        on
            responses.responded_at < as_of.as_of_end_date
            and cast(responses.responded_at as date)
            > cast({{ dbt.dateadd('day', -var('nps_window_days'), 'as_of.as_of_date') }} as date)
),

ranked as (
    select
        response_id,
        user_id,
        account_id,
        responded_at,
        score,
        row_number() over (partition by user_id order by responded_at desc, response_id desc) as user_recency,
        row_number() over (partition by account_id order by responded_at desc, response_id desc) as account_recency
    from in_window
),

latest_per_account as (
    select
        account_id,
        score as account_latest_score
    from ranked
    where account_recency = 1
)

select
    ranked.user_id,
    ranked.account_id,
    ranked.response_id,
    ranked.responded_at,
    ranked.score,
    latest_per_account.account_latest_score,
    {{ nps_category('ranked.score') }} as nps_category,
    {{ nps_category('latest_per_account.account_latest_score') }} as account_nps_category
from ranked
inner join latest_per_account on ranked.account_id = latest_per_account.account_id
where ranked.user_recency = 1
