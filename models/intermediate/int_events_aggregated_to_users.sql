{%- set by_file = staged_by_file('app', 'events') -%}
{{ config(
    materialized=('incremental' if by_file else 'table'),
    incremental_strategy='replace_changed_keys',
    window_changes_of=('base_app__events' if by_file else none),
    changed_key='user_key',
    changed_span=['first_event_date', 'last_event_date'],
    full_refresh=staged_layer_full_refresh('app', 'events'),
    post_hook="{{ record_changed_days_read() }}",
    on_schema_change='fail',
) }}

{#- One row per user with any staged event, over every day loaded (not cut at as_of:
    int_user_engagement does that): the first and last day with an event, the first and
    last active day and the active days, on the daily store's integer user key. Staged
    by file (DuckDB), it is kept like the daily store it reads
    (int_events_aggregated_to_user_days). When every changed day is after the newest day
    kept (a new day's file), a run adds those days to the kept rows of the users who have
    some; otherwise it recomputes the users with a row on a changed day, or whose days
    span one (a user whose rows on that day went). Elsewhere a table. -#}
-- depends_on: {{ ref('base_app__events') }}
{%- set plan = changed_keys_plan('user_days') %}
with

user_days as (
    select
        user_key,
        activity_date,
        {{ is_active_day('logins', 'feature_uses') }} as is_active_day
    from {{ ref('int_events_aggregated_to_user_days') }}
),

added as (
    select
        user_key,
        activity_date as first_event_date,
        activity_date as last_event_date,
        case when is_active_day then activity_date end as first_active_date,
        case when is_active_day then activity_date end as last_active_date,
        case when is_active_day then 1 else 0 end as active_days
    from user_days
    where {{ plan['added'] }}
),

kept as (
    select
        user_key,
        first_event_date,
        last_event_date,
        first_active_date,
        last_active_date,
        active_days
    from {{ plan['kept_from'] }}
    where {{ plan['kept'] }}
),

totals as (
    select
        user_key,
        first_event_date,
        last_event_date,
        first_active_date,
        last_active_date,
        active_days
    from kept
    union all
    select
        user_key,
        first_event_date,
        last_event_date,
        first_active_date,
        last_active_date,
        active_days
    from added
)

select
    user_key,
    min(first_event_date) as first_event_date,
    max(last_event_date) as last_event_date,
    min(first_active_date) as first_active_date,
    max(last_active_date) as last_active_date,
    cast(sum(active_days) as {{ dbt.type_bigint() }}) as active_days
from totals
group by user_key
