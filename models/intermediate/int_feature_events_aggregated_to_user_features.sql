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
{#- the day rows aggregated (`added`) and whether the kept rows of their users are
    merged with them: every row on a full build; none when no day changed; the changed
    days' rows, merged, when every changed day is newer than the newest kept; else every
    row of the users to recompute, whose kept rows the strategy deletes -#}
{%- set plan = namespace(added='true', merged=false) -%}
{%- if execute and is_incremental() -%}
    {%- set days = changed_days() -%}
    {%- set newest_kept = run_query('select max(last_used_date) from ' ~ this).columns[0].values()[0] -%}
    {%- if days == [] -%}
        {%- set plan.added = 'false' -%}
    {%- elif days and newest_kept is not none and days[0] > newest_kept -%}
        {%- set plan.added = days_condition('activity_date', days) -%}
        {%- set plan.merged = true -%}
    {%- else -%}
        {%- set plan.added = 'user_key in (select user_key from feature_days where ' ~ days_condition('activity_date', days)
            ~ ' union select user_key from ' ~ this ~ ' where ' ~ days_span_condition(days) ~ ')' -%}
    {%- endif -%}
{%- endif %}
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
    where {{ plan.added }}
),

kept as (
    select
        user_key,
        feature_hash_key,
        first_used_date,
        last_used_date,
        uses
    from {{ this if plan.merged else 'added' }}
    where {{ 'user_key in (select added.user_key from added)' if plan.merged else 'false' }}
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
