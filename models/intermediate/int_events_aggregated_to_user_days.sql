{{ config(
    window_column='activity_date',
    window_recompute_keys=late_user_keys(),
    window_recompute_refs=['stg_app__users', 'stg_app__events'],
    on_schema_change='fail',
) }}

{#- One row per user and UTC day with any staged event, over every day loaded (not cut
    at as_of: int_user_activity_daily does that). Built incrementally: a refresh
    recomputes the lookback window only, and every day of the users it has no row of
    (a user arriving late: base_app__events has staged their earlier events).
    One aggregation: the features a user used on a day are a bit set (one bit per
    catalogue feature, macros/bits/bitmask.sql), so distinct_features needs no distinct
    aggregate and no second grouping. -#}
-- depends_on: {{ ref('stg_app__users') }}
with

events as (
    select
        user_id,
        account_id,
        event_date,
        event_type,
        feature_key
    from {{ ref('stg_app__events') }}
    where {{ replace_window_filter('event_date') }}
),

features as (
    select
        feature_key,
        feature_bit
    from {{ ref('stg_app__features') }}
),

daily as (
    select
        events.user_id,
        events.account_id,
        events.event_date as activity_date,
        {{ count_where("events.event_type = 'login'") }} as logins,
        {{ count_where("events.event_type = 'feature_used'") }} as feature_uses,
        {{ count_where("events.event_type = 'page_view'") }} as page_views,
        {{ distinct_bit_count('features.feature_bit', "events.event_type = 'feature_used'") }} as distinct_features
    from events
    left join features on events.feature_key = features.feature_key
    group by events.user_id, events.account_id, events.event_date
)

select
    user_id,
    account_id,
    activity_date,
    logins,
    feature_uses,
    page_views,
    distinct_features
from daily
