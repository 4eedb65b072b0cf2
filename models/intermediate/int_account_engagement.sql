{#- Per account as of as_of: its users, how many were active in the recent and the
    baseline windows, whether any user ever used a most-valuable or activation
    feature, and reachability. Active users and days are counted on the daily store's
    integer keys (`hash_key` of the id, unique among users and accounts). -#}
with

as_of as (
    select
        recent_start_date,
        baseline_start_date,
        baseline_end_date
    from {{ ref('int_as_of_date') }}
),

accounts as (
    select
        account_id,
        {{ hash_key('account_id') }} as account_key
    from {{ ref('int_accounts_as_of') }}
),

users as (
    select
        user_id,
        account_id,
        is_deleted,
        is_reachable,
        most_valuable_features_used_ever,
        activation_date
    from {{ ref('int_user_engagement') }}
),

activity as (
    select
        user_key,
        account_key,
        activity_date
    from {{ ref('int_user_activity_daily') }}
    where is_active_day
),

user_rollup as (
    select
        account_id,
        {{ count_where("not is_deleted") }} as user_count,
        {{ count_where("not is_deleted and is_reachable") }} as reachable_users,
        sum(most_valuable_features_used_ever) as most_valuable_feature_uses,
        min(activation_date) as first_activation_date
    from users
    group by account_id
),

windowed as (
    {#- the days of the baseline and the recent window only -#}
    select
        activity.account_key,
        activity.user_key,
        activity.activity_date,
        case when activity.activity_date >= as_of.recent_start_date then 1 else 0 end as in_recent,
        case
            when activity.activity_date between as_of.baseline_start_date and as_of.baseline_end_date then 1 else 0
        end as in_baseline
    from activity
    inner join as_of on activity.activity_date >= as_of.baseline_start_date
),

account_users as (
    {#- one row per account and user active in either window: counting these rows
        counts distinct users, with no distinct aggregate -#}
    select
        account_key,
        max(in_recent) as in_recent,
        max(in_baseline) as in_baseline
    from windowed
    group by account_key, user_key
),

account_days as (
    select
        account_key,
        max(in_recent) as in_recent,
        max(in_baseline) as in_baseline
    from windowed
    group by account_key, activity_date
),

user_counts as (
    select
        account_key,
        {{ count_where('in_recent = 1') }} as active_users_recent,
        {{ count_where('in_baseline = 1') }} as active_users_baseline
    from account_users
    group by account_key
),

day_counts as (
    select
        account_key,
        {{ count_where('in_recent = 1') }} as active_days_recent,
        {{ count_where('in_baseline = 1') }} as active_days_baseline
    from account_days
    group by account_key
),

activity_rollup as (
    select
        user_counts.account_key,
        user_counts.active_users_recent,
        user_counts.active_users_baseline,
        day_counts.active_days_recent,
        day_counts.active_days_baseline
    from user_counts
    inner join day_counts on user_counts.account_key = day_counts.account_key
)

select
    accounts.account_id,
    user_rollup.first_activation_date,
    coalesce(user_rollup.user_count, 0) as user_count,
    coalesce(user_rollup.reachable_users, 0) as reachable_users,
    coalesce(user_rollup.reachable_users, 0) > 0 as is_reachable,
    coalesce(user_rollup.most_valuable_feature_uses, 0) > 0 as has_used_most_valuable,
    coalesce(activity_rollup.active_users_recent, 0) as active_users_recent,
    coalesce(activity_rollup.active_users_baseline, 0) as active_users_baseline,
    coalesce(activity_rollup.active_days_recent, 0) as active_days_recent,
    coalesce(activity_rollup.active_days_baseline, 0) as active_days_baseline,
    (
        coalesce(activity_rollup.active_users_recent, 0) = 0
        or coalesce(activity_rollup.active_users_recent, 0)
        <= {{ var('inactive_account_max_user_ratio') }} * coalesce(activity_rollup.active_users_baseline, 0)
    ) as is_usage_dropped
from accounts
left join user_rollup on accounts.account_id = user_rollup.account_id
left join activity_rollup on accounts.account_key = activity_rollup.account_key
