{{ config(materialized='view') }}

{#- One row per user and UTC day with any event up to as_of. An active day has a
    login or a feature_used event. Users and accounts are the daily store's integer
    keys (`hash_key` of the id): readers group on them and join the user or account
    rows they report for. -#}
with

as_of as (
    select as_of_end_date
    from {{ ref('int_as_of_date') }}
),

user_days as (
    select
        user_key,
        account_key,
        activity_date,
        logins,
        feature_uses,
        page_views,
        distinct_features
    from {{ ref('int_events_aggregated_to_user_days') }}
)

select
    user_days.user_key,
    user_days.account_key,
    user_days.activity_date,
    user_days.logins,
    user_days.feature_uses,
    user_days.page_views,
    user_days.distinct_features,
    {{ is_active_day('user_days.logins', 'user_days.feature_uses') }} as is_active_day
from user_days
inner join as_of on user_days.activity_date < as_of.as_of_end_date
