{#- One row per user and feature ever used up to as_of: first and last use, and the
    days it was used in the recent window. The daily store keys users by
    `hash_key(user_id)`; the user id and account come from stg_app__users (staging
    quarantines an event whose account is not its user's: account_mismatch). -#}
with

as_of as (
    select
        as_of_end_date,
        recent_start_date
    from {{ ref('int_as_of_date') }}
),

feature_days as (
    select
        user_key,
        feature_hash_key,
        activity_date,
        uses
    from {{ ref('int_feature_events_aggregated_to_user_days') }}
),

users as (
    select
        user_id,
        account_id,
        {{ hash_key('user_id') }} as user_key
    from {{ ref('stg_app__users') }}
),

features as (
    select
        feature_key,
        {{ hash_key('feature_key') }} as feature_hash_key,
        is_core,
        is_most_valuable,
        is_activation,
        released_at
    from {{ ref('stg_app__features') }}
),

usage as (
    select
        feature_days.user_key,
        feature_days.feature_hash_key,
        min(feature_days.activity_date) as first_used_date,
        max(feature_days.activity_date) as last_used_date,
        cast(sum(feature_days.uses) as {{ dbt.type_bigint() }}) as uses,
        {{ count_where('feature_days.activity_date >= as_of.recent_start_date') }} as use_days_recent
    from feature_days
    inner join as_of on feature_days.activity_date < as_of.as_of_end_date
    group by feature_days.user_key, feature_days.feature_hash_key
)

select
    users.user_id,
    users.account_id,
    features.feature_key,
    usage.first_used_date,
    usage.last_used_date,
    usage.uses,
    usage.use_days_recent,
    features.is_core,
    features.is_most_valuable,
    features.is_activation,
    features.released_at
from usage
inner join users on usage.user_key = users.user_key
inner join features on usage.feature_hash_key = features.feature_hash_key
