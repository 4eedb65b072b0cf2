{#- One row per user and UTC day with any event up to as_of. An active day has a
    login or a feature_used event. -#}
with

as_of as (
    select as_of_end_date
    from {{ ref('int_as_of_date') }}
),

events as (
    select
        user_id,
        account_id,
        event_date,
        event_type,
        feature_key
    from {{ ref('stg_app__events') }}
),

events_as_of as (
    select
        events.user_id,
        events.account_id,
        events.event_date,
        events.event_type,
        events.feature_key
    from events
    inner join as_of on events.event_date < as_of.as_of_end_date
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
    from events_as_of
    group by user_id, account_id, event_date
)

select
    user_id,
    account_id,
    activity_date,
    logins,
    feature_uses,
    page_views,
    distinct_features,
    (logins > 0 or feature_uses > 0) as is_active_day
from daily
