{#- The two daily event rollups agree, day by day: the feature uses per day, and the
    distinct features per user-day (a bit set count) summed over a day = the
    per-feature rollup's rows of that day (a wrong feature bit or a lost feature use
    fails here). A daily refresh (`data_test_scope: refresh_window`) checks the days
    it rewrote. -#}
{%- set scoped = var('data_test_scope', 'all') == 'refresh_window' -%}
with

{%- if scoped %}

window_start as (
    select {{ dbt.dateadd('day', -(var('incremental_lookback_days') + 1), 'max(activity_date)') }} as start_date
    from {{ ref('int_events_aggregated_to_user_days') }}
),
{%- endif %}

user_days as (
    select
        activity_date,
        sum(feature_uses) as feature_uses,
        sum(distinct_features) as feature_days
    from {{ ref('int_events_aggregated_to_user_days') }}
    group by activity_date
),

feature_days as (
    select
        activity_date,
        sum(uses) as feature_uses,
        count(*) as feature_days
    from {{ ref('int_feature_events_aggregated_to_user_days') }}
    group by activity_date
),

compared as (
    select
        coalesce(user_days.activity_date, feature_days.activity_date) as activity_date,
        coalesce(user_days.feature_uses, 0) as user_day_feature_uses,
        coalesce(feature_days.feature_uses, 0) as feature_day_uses,
        coalesce(user_days.feature_days, 0) as user_day_feature_days,
        coalesce(feature_days.feature_days, 0) as feature_day_rows
    from user_days
    full outer join feature_days on user_days.activity_date = feature_days.activity_date
)

select
    activity_date,
    user_day_feature_uses,
    feature_day_uses,
    user_day_feature_days,
    feature_day_rows
from compared
where
    (user_day_feature_uses <> feature_day_uses or user_day_feature_days <> feature_day_rows)
    {%- if scoped %}
    and activity_date >= (select start_date from window_start)
    {%- endif %}
