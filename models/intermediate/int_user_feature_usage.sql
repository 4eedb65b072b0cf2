{#- One row per user and feature ever used up to as_of: first and last use, and the
    days it was used in the recent window. A feature's first and last use and uses over
    every day loaded come from int_feature_events_aggregated_to_user_features; one last
    used on or after as_of's end (a build as of an earlier day) is aggregated again from
    its days before it. The stores key users by `hash_key(user_id)`; the user id and
    account come from stg_app__users (staging quarantines an event whose account is not
    its user's: account_mismatch). -#}
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

{# the daily store imported twice, once per reader: DuckDB materializes a CTE read
    twice (every row of the store at scale l) -#}
recent_feature_days as (
    select
        user_key,
        feature_hash_key,
        activity_date
    from {{ ref('int_feature_events_aggregated_to_user_days') }}
),

feature_totals as (
    select
        user_key,
        feature_hash_key,
        first_used_date,
        last_used_date,
        uses
    from {{ ref('int_feature_events_aggregated_to_user_features') }}
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

settled as (
    select
        feature_totals.user_key,
        feature_totals.feature_hash_key,
        feature_totals.first_used_date,
        feature_totals.last_used_date,
        feature_totals.uses
    from feature_totals
    inner join as_of on feature_totals.last_used_date < as_of.as_of_end_date
),

cut_at_as_of as (
    select
        feature_days.user_key,
        feature_days.feature_hash_key,
        min(feature_days.activity_date) as first_used_date,
        max(feature_days.activity_date) as last_used_date,
        cast(sum(feature_days.uses) as {{ dbt.type_bigint() }}) as uses
    from feature_totals
    inner join as_of on feature_totals.last_used_date >= as_of.as_of_end_date
    inner join feature_days
        on
            feature_totals.user_key = feature_days.user_key
            and feature_totals.feature_hash_key = feature_days.feature_hash_key
            and as_of.as_of_end_date > feature_days.activity_date
    group by feature_days.user_key, feature_days.feature_hash_key
),

recent as (
    select
        recent_feature_days.user_key,
        recent_feature_days.feature_hash_key,
        count(*) as use_days_recent
    from recent_feature_days
    inner join as_of
        on
            recent_feature_days.activity_date >= as_of.recent_start_date
            and recent_feature_days.activity_date < as_of.as_of_end_date
    group by recent_feature_days.user_key, recent_feature_days.feature_hash_key
),

usage as (
    select
        user_key,
        feature_hash_key,
        first_used_date,
        last_used_date,
        uses
    from settled
    union all
    select
        user_key,
        feature_hash_key,
        first_used_date,
        last_used_date,
        uses
    from cut_at_as_of
)

select
    users.user_id,
    users.account_id,
    features.feature_key,
    usage.first_used_date,
    usage.last_used_date,
    usage.uses,
    features.is_core,
    features.is_most_valuable,
    features.is_activation,
    features.released_at,
    coalesce(recent.use_days_recent, 0) as use_days_recent
from usage
inner join users on usage.user_key = users.user_key
inner join features on usage.feature_hash_key = features.feature_hash_key
left join recent
    on
        usage.user_key = recent.user_key
        and usage.feature_hash_key = recent.feature_hash_key
