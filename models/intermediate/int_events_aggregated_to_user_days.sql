{{ config(
    window_column='activity_date',
    on_schema_change='fail',
) }}

{#- One row per user and UTC day with any staged event, over every day loaded (not cut
    at as_of: int_user_activity_daily does that). Built incrementally: a refresh
    recomputes the lookback window only. -#}
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

daily as (
    select
        user_id,
        account_id,
        event_date as activity_date,
        {{ count_where("event_type = 'login'") }} as logins,
        {{ count_where("event_type = 'feature_used'") }} as feature_uses,
        {{ count_where("event_type = 'page_view'") }} as page_views,
        count(distinct case when event_type = 'feature_used' then feature_key end) as distinct_features
    from events
    group by user_id, account_id, event_date
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
