{#- Per user as of as_of: activity in the recent and baseline windows and feature
    adoption (core, most valuable, activation). The metrics behind the engagement
    segments. The windows count the daily store's days from the earliest window start
    on; the lifetime figures (active days, first and last active day) come from the
    per-user totals kept over every day loaded (int_events_aggregated_to_users), and for
    a user with a day on or after as_of's end (a build as of an earlier day) from their
    days before it. Users are the stores' integer key (`hash_key(user_id)`). -#}
with

as_of as (
    select
        as_of_date,
        as_of_end_date,
        recent_start_date,
        baseline_start_date,
        baseline_end_date,
        least(
            baseline_start_date,
            recent_start_date,
            cast({{ dbt.dateadd('day', -6, 'as_of_date') }} as date)
        ) as window_start_date
    from {{ ref('int_as_of_date') }}
),

users as (
    select
        user_id,
        account_id,
        signup_date,
        days_since_signup,
        is_deleted,
        is_reachable,
        is_beta_user,
        {{ hash_key('user_id') }} as user_key
    from {{ ref('int_users_as_of') }}
),

activity as (
    select
        user_key,
        activity_date,
        logins,
        is_active_day
    from {{ ref('int_user_activity_daily') }}
),

user_totals as (
    select
        user_key,
        last_event_date,
        first_active_date,
        last_active_date,
        active_days
    from {{ ref('int_events_aggregated_to_users') }}
),

feature_usage as (
    select
        user_id,
        feature_key,
        first_used_date,
        use_days_recent,
        is_core,
        is_most_valuable,
        is_activation
    from {{ ref('int_user_feature_usage') }}
),

catalog as (
    select count(*) as core_features_available
    from {{ ref('stg_app__features') }}
    inner join as_of on stg_app__features.released_at <= as_of.as_of_date
    where stg_app__features.is_core
),

activity_windows as (
    select
        activity.user_key,
        {{ count_where("activity.is_active_day and activity.activity_date >= as_of.recent_start_date") }}
            as active_days_recent,
        cast(sum(
            case
                when activity.is_active_day
                    and activity.activity_date between as_of.baseline_start_date and as_of.baseline_end_date
                    then 1
                else 0
            end
        ) as bigint) as active_days_baseline,
        {{ count_where("activity.logins > 0 and activity.activity_date >= as_of.recent_start_date") }}
            as login_days_recent,
        cast(sum(
            case
                when activity.is_active_day
                    and activity.activity_date > cast({{ dbt.dateadd('day', -7, 'as_of.as_of_date') }} as date)
                    then 1
                else 0
            end
        ) as bigint) as active_days_last_7,
        {{ count_where("activity.activity_date >= as_of.recent_start_date") }} as event_days_recent
    from activity
    inner join as_of on activity.activity_date >= as_of.window_start_date
    group by activity.user_key
),

settled as (
    select
        user_totals.user_key,
        user_totals.first_active_date,
        user_totals.last_active_date,
        user_totals.active_days as active_days_total
    from user_totals
    inner join as_of on user_totals.last_event_date < as_of.as_of_end_date
),

cut_at_as_of as (
    select
        activity.user_key,
        min(case when activity.is_active_day then activity.activity_date end) as first_active_date,
        max(case when activity.is_active_day then activity.activity_date end) as last_active_date,
        {{ count_where("activity.is_active_day") }} as active_days_total
    from user_totals
    inner join as_of on user_totals.last_event_date >= as_of.as_of_end_date
    inner join activity on user_totals.user_key = activity.user_key
    group by activity.user_key
),

lifetime as (
    select
        user_key,
        first_active_date,
        last_active_date,
        active_days_total
    from settled
    union all
    select
        user_key,
        first_active_date,
        last_active_date,
        active_days_total
    from cut_at_as_of
),

adoption as (
    {#- int_user_feature_usage has one row per user and feature (its group by user key
        and feature, joined to users and features whose keys are unique), so counting
        rows counts distinct features: no distinct aggregate -#}
    select
        user_id,
        {{ count_where('use_days_recent > 0') }} as features_used_recent,
        {{ count_where('use_days_recent > 0 and is_core') }} as core_features_used_recent,
        count(*) as features_used_ever,
        {{ count_where('is_core') }} as core_features_used_ever,
        {{ count_where('is_most_valuable') }} as most_valuable_features_used_ever,
        min(case when is_core then first_used_date end) as first_core_use_date,
        min(case when is_activation then first_used_date end) as activation_date
    from feature_usage
    group by user_id
)

select
    users.user_id,
    users.account_id,
    users.signup_date,
    users.days_since_signup,
    users.is_deleted,
    users.is_reachable,
    users.is_beta_user,
    catalog.core_features_available,
    adoption.first_core_use_date,
    adoption.activation_date,
    lifetime.first_active_date,
    lifetime.last_active_date,
    coalesce(activity_windows.active_days_recent, 0) as active_days_recent,
    coalesce(activity_windows.active_days_baseline, 0) as active_days_baseline,
    coalesce(activity_windows.login_days_recent, 0) as login_days_recent,
    coalesce(activity_windows.active_days_last_7, 0) as active_days_last_7,
    coalesce(lifetime.active_days_total, 0) as active_days_total,
    coalesce(activity_windows.event_days_recent, 0) as event_days_recent,
    coalesce(adoption.features_used_recent, 0) as features_used_recent,
    coalesce(adoption.core_features_used_recent, 0) as core_features_used_recent,
    coalesce(adoption.features_used_ever, 0) as features_used_ever,
    coalesce(adoption.core_features_used_ever, 0) as core_features_used_ever,
    coalesce(adoption.most_valuable_features_used_ever, 0) as most_valuable_features_used_ever,
    cast(coalesce(activity_windows.active_days_recent, 0) as {{ type_double() }})
    / {{ var('recent_window_days') }} as active_day_rate_recent,
    cast(coalesce(activity_windows.active_days_baseline, 0) as {{ type_double() }})
    / {{ var('baseline_window_days') }} as active_day_rate_baseline,
    case
        when catalog.core_features_available > 0
            then cast(coalesce(adoption.core_features_used_recent, 0) as {{ type_double() }})
                / catalog.core_features_available
    end as core_share_recent
from users
cross join catalog
left join activity_windows on users.user_key = activity_windows.user_key
left join lifetime on users.user_key = lifetime.user_key
left join adoption on users.user_id = adoption.user_id
