{#- Users of an account whose trial runs on as_of with at most
    trial_low_max_active_days_7d active days in the last 7 days or no core feature used
    in the trial, once the trial is at least trial_low_min_age_days old. -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

trial_users as (
    select
        user_id,
        account_id,
        trial_id,
        plan_name,
        trial_age_days,
        trial_active_days,
        active_days_last_7,
        trial_core_features
    from {{ ref('int_trial_user_activity') }}
),

members as (
    select
        user_id,
        account_id,
        trial_id,
        plan_name,
        trial_age_days,
        trial_active_days,
        active_days_last_7,
        trial_core_features
    from trial_users
    where
        trial_age_days >= {{ var('trial_low_min_age_days') }}
        and (
            active_days_last_7 <= {{ var('trial_low_max_active_days_7d') }}
            or trial_core_features = 0
        )
)

select
    members.user_id,
    members.account_id,
    as_of.as_of_date,
    members.trial_id,
    members.trial_age_days,
    members.trial_active_days,
    members.active_days_last_7,
    members.trial_core_features,
    {{ dbt.concat([
        "coalesce(members.plan_name, 'unknown plan')",
        "' trial started '",
        "cast(members.trial_age_days as " ~ dbt.type_string() ~ ")",
        "' days ago: '",
        "cast(members.active_days_last_7 as " ~ dbt.type_string() ~ ")",
        "' active days in last 7, '",
        "cast(members.trial_core_features as " ~ dbt.type_string() ~ ")",
        "' core features used in the trial'",
    ]) }} as reason
from members
cross join as_of
