{{ config(
    window_column='activity_date',
    window_recompute="user_id in (select late.user_id from {stg_app__users} as late"
        ~ " where not exists (select 1 from {relation} as built where built.user_id = late.user_id))",
    window_recompute_refs=['stg_app__users'],
    on_schema_change='fail',
) }}

{#- One row per user and UTC day with any staged event, over every day loaded (not cut
    at as_of: int_user_activity_daily does that). Built incrementally: a refresh
    recomputes the lookback window only, and every day of the users it has no row of
    (a user arriving late: base_app__events has staged their earlier events). -#}
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

event_counts as (
    {#- Events per user, day, type and feature first: the daily rollup then counts
        features without a distinct aggregate. -#}
    select
        user_id,
        account_id,
        event_date,
        event_type,
        feature_key,
        count(*) as events
    from events
    group by user_id, account_id, event_date, event_type, feature_key
),

daily as (
    select
        user_id,
        account_id,
        event_date as activity_date,
        cast(sum(case when event_type = 'login' then events else 0 end) as {{ dbt.type_bigint() }}) as logins,
        cast(sum(case when event_type = 'feature_used' then events else 0 end) as {{ dbt.type_bigint() }})
            as feature_uses,
        cast(sum(case when event_type = 'page_view' then events else 0 end) as {{ dbt.type_bigint() }}) as page_views,
        {{ count_where("event_type = 'feature_used'") }} as distinct_features
    from event_counts
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
