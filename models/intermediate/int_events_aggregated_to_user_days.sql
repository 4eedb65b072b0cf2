{{ config(
    window_column='activity_date',
    window_changes_of=('base_app__events' if staged_by_file('app', 'events') else none),
    full_refresh=staged_layer_full_refresh('app', 'events'),
    post_hook="{{ record_changed_days_read() }}",
    window_recompute_keys=late_user_keys('logins + feature_uses + page_views'),
    window_recompute_refs=['stg_app__users', 'stg_app__events'],
    on_schema_change='fail',
) }}

{#- One row per user and UTC day with any staged event, over every day loaded (not cut
    at as_of: int_user_activity_daily does that). Built incrementally. Staged by file
    (DuckDB), it follows the staged layer (`window_changes_of`): a run rewrites the days
    base_app__events logged as changed, and `--full-refresh` keeps it. By window: a refresh
    recomputes the lookback window only, and every day of the users it has no row of
    (a user arriving late: base_app__events has staged their earlier events).
    One aggregation: the features a user used on a day are a bit set (one bit per
    catalogue feature, macros/bits/bitmask.sql), so distinct_features needs no distinct
    aggregate and no second grouping. The user and the account are the events' integer
    keys (`hash_key` of the id, unique among users and accounts: the generic test
    hash_key_is_unique on stg_app__users and stg_crm__accounts), so the group holds no
    string; the readers group on the keys and join the few user or account rows they
    report for. The window filter applies once the key exists: on an incremental run
    it may list late users by `user_key` (late_user_keys). -#}
-- depends_on: {{ ref('stg_app__users') }}
-- depends_on: {{ ref('base_app__events') }}
with

events as (
    select
        user_key,
        account_key,
        event_date,
        event_type,
        feature_key
    from {{ ref('stg_app__events') }}
),

features as (
    select
        feature_key,
        feature_bit
    from {{ ref('stg_app__features') }}
),

windowed as (
    select
        user_key,
        account_key,
        event_date,
        event_type,
        feature_key
    from events
    where {{ replace_window_filter('event_date') }}
),

daily as (
    select
        windowed.user_key,
        windowed.account_key,
        windowed.event_date as activity_date,
        {{ count_where("windowed.event_type = 'login'") }} as logins,
        {{ count_where("windowed.event_type = 'feature_used'") }} as feature_uses,
        {{ count_where("windowed.event_type = 'page_view'") }} as page_views,
        {{ distinct_bit_count('features.feature_bit', "windowed.event_type = 'feature_used'") }} as distinct_features
    from windowed
    left join features on windowed.feature_key = features.feature_key
    group by windowed.user_key, windowed.account_key, windowed.event_date
)

select
    user_key,
    account_key,
    activity_date,
    logins,
    feature_uses,
    page_views,
    distinct_features
from daily
