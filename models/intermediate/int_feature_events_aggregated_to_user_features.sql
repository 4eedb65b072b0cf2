{%- set by_file = staged_by_file('app', 'events') -%}
{{ config(
    materialized=('incremental' if by_file else 'table'),
    incremental_strategy='replace_changed_keys',
    window_changes_of=('base_app__events' if by_file else none),
    changed_key='user_key',
    changed_span=['first_used_date', 'last_used_date'],
    full_refresh=staged_layer_full_refresh('app', 'events'),
    post_hook="{{ record_changed_days_read() }}",
    on_schema_change='fail',
) }}

{#- One row per user and feature ever used, over every day loaded (not cut at as_of:
    int_user_feature_usage does that): first and last day of use and the uses, on the
    daily store's integer keys. Staged by file (DuckDB), it is kept like the daily store
    it reads (int_feature_events_aggregated_to_user_days). When every changed day is
    after the newest day kept (a new day's file), a run adds those days' uses to the
    kept rows of the users who have some; otherwise it recomputes the users with a row
    on a changed day, or a feature whose days span one (a user whose rows on that day
    went). Elsewhere a table. -#}
-- depends_on: {{ ref('base_app__events') }}
{%- set plan = changed_keys_plan('feature_days') %}
with

feature_days as (
    select
        user_key,
        feature_hash_key,
        activity_date,
        uses
    from {{ ref('int_feature_events_aggregated_to_user_days') }}
),

added as (
    select
        user_key,
        feature_hash_key,
        activity_date as first_used_date,
        activity_date as last_used_date,
        uses
    from feature_days
    where {{ plan['added'] }}
),

kept as (
    select
        user_key,
        feature_hash_key,
        first_used_date,
        last_used_date,
        uses
    from {{ plan['kept_from'] }}
    where {{ plan['kept'] }}
),

totals as (
    select
        user_key,
        feature_hash_key,
        first_used_date,
        last_used_date,
        uses
    from kept
    union all
    select
        user_key,
        feature_hash_key,
        first_used_date,
        last_used_date,
        uses
    from added
)

select
    user_key,
    feature_hash_key,
    min(first_used_date) as first_used_date,
    max(last_used_date) as last_used_date,
    cast(sum(uses) as {{ dbt.type_bigint() }}) as uses
from totals
group by user_key, feature_hash_key
