{{ config(
    window_column='activity_date',
    window_recompute_keys=late_user_keys("events.event_type = 'feature_used'"),
    window_recompute_refs=['stg_app__users', 'stg_app__events'],
    on_schema_change='fail',
) }}

{#- One row per user, feature and UTC day the feature was used, over every day loaded
    (not cut at as_of: int_user_feature_usage does that). Built incrementally: a
    refresh recomputes the lookback window only, and every day of the users it has no
    row of (a user arriving late: base_app__events has staged their earlier events).
    No account column: a staged event's account is its user's (account_match_lookup), so
    int_user_feature_usage takes it from stg_app__users, and the group holds no string
    aggregate (at scale l this table has as many rows as the feature events). -#}
-- depends_on: {{ ref('stg_app__users') }}
with

feature_events as (
    select
        user_id,
        event_date,
        feature_key
    from {{ ref('stg_app__events') }}
    where event_type = 'feature_used' and {{ replace_window_filter('event_date') }}
)

select
    user_id,
    feature_key,
    event_date as activity_date,
    count(*) as uses
from feature_events
group by user_id, feature_key, event_date
