{#- One row per (not deleted) user of an account whose trial runs on as_of: the
    account's running trial (the latest started when several run), its age, and the
    user's activity in it so far. trial_active_days = active days (login or feature
    use) from the trial start date to as_of; trial_core_features = distinct core
    features whose last use up to as_of is on or after the trial start date;
    active_days_last_7 = active days in as_of and the 6 days before, whether or not
    inside the trial. Activity joins on the daily store's user key
    (`hash_key(user_id)`). -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

trials as (
    select
        account_id,
        trial_id,
        plan_name,
        started_at,
        trial_start_date,
        trial_age_days,
        is_running
    from {{ ref('int_trials') }}
),

users as (
    select
        user_id,
        account_id,
        {{ hash_key('user_id') }} as user_key
    from {{ ref('int_users_as_of') }}
    where not is_deleted
),

activity as (
    select
        user_key,
        activity_date
    from {{ ref('int_user_activity_daily') }}
    where is_active_day
),

core_usage as (
    select
        user_id,
        feature_key,
        last_used_date
    from {{ ref('int_user_feature_usage') }}
    where is_core
),

running_trials as (
    select
        account_id,
        trial_id,
        plan_name,
        trial_start_date,
        trial_age_days,
        row_number() over (partition by account_id order by started_at desc, trial_id desc) as trial_order
    from trials
    where is_running
),

trial_users as (
    select
        users.user_id,
        users.user_key,
        users.account_id,
        running_trials.trial_id,
        running_trials.plan_name,
        running_trials.trial_start_date,
        running_trials.trial_age_days
    from users
    inner join running_trials
        on
            users.account_id = running_trials.account_id
            and running_trials.trial_order = 1
),

trial_activity as (
    select
        trial_users.user_id,
        count(
            distinct case when activity.activity_date >= trial_users.trial_start_date then activity.activity_date end
        ) as trial_active_days,
        count(
            distinct case
                when activity.activity_date > cast({{ dbt.dateadd('day', -7, 'as_of.as_of_date') }} as date)
                    then activity.activity_date
            end
        ) as active_days_last_7
    from trial_users
    inner join activity on trial_users.user_key = activity.user_key
    cross join as_of
    group by trial_users.user_id
),

trial_features as (
    select
        trial_users.user_id,
        count(distinct core_usage.feature_key) as trial_core_features
    from trial_users
    inner join core_usage
        on
            trial_users.user_id = core_usage.user_id
            and trial_users.trial_start_date <= core_usage.last_used_date
    group by trial_users.user_id
)

select
    trial_users.user_id,
    trial_users.account_id,
    trial_users.trial_id,
    trial_users.plan_name,
    trial_users.trial_start_date,
    trial_users.trial_age_days,
    coalesce(trial_activity.trial_active_days, 0) as trial_active_days,
    coalesce(trial_features.trial_core_features, 0) as trial_core_features,
    coalesce(trial_activity.active_days_last_7, 0) as active_days_last_7
from trial_users
left join trial_activity on trial_users.user_id = trial_activity.user_id
left join trial_features on trial_users.user_id = trial_features.user_id
