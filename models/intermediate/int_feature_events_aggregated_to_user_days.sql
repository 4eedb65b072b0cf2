{{ config(
    window_column='activity_date',
    window_changes_of=('base_app__events' if staged_by_file('app', 'events') else none),
    full_refresh=staged_layer_full_refresh('app', 'events'),
    post_hook="{{ record_changed_days_read() }}",
    window_recompute_keys=late_user_keys('uses', "events.event_type = 'feature_used'"),
    window_recompute_refs=['stg_app__users', 'stg_app__events'],
    on_schema_change='fail',
) }}

{#- One row per user, feature and UTC day the feature was used, over every day loaded
    (not cut at as_of: int_user_feature_usage does that). Built incrementally. Staged
    by file (DuckDB), it follows the staged layer like int_events_aggregated_to_user_days.
    By window: a
    refresh recomputes the lookback window only, and every day of the users it has no
    row of (a user arriving late: base_app__events has staged their earlier events).
    The user is an integer key (`hash_key(user_id)`, unique among users:
    hash_key_is_unique on stg_app__users.user_id) and there is no account column (an event's account is
    its user's: account_match_lookup); int_user_feature_usage joins stg_app__users for
    both. The feature is an integer key too (`feature_hash_key`, `hash_key(feature_key)`:
    unlike the catalogue's feature_bit it does not change when the catalogue does, so a
    kept row keeps its meaning; unique among features: hash_key_is_unique on
    stg_app__features.feature_key). This table has about as many rows as the feature
    events, so the group holds no string. The window filter applies once the key exists: on an
    incremental run it may list late users by `user_key` (late_user_keys). -#}
-- depends_on: {{ ref('stg_app__users') }}
-- depends_on: {{ ref('base_app__events') }}
with

feature_events as (
    select
        user_key,
        {{ hash_key('feature_key') }} as feature_hash_key,
        event_date
    from {{ ref('stg_app__events') }}
    where event_type = 'feature_used'
),

windowed as (
    select
        user_key,
        feature_hash_key,
        event_date
    from feature_events
    where {{ replace_window_filter('event_date') }}
)

select
    user_key,
    feature_hash_key,
    event_date as activity_date,
    count(*) as uses
from windowed
group by user_key, feature_hash_key, event_date
