{#- Users of an account whose trial runs on as_of, active on at least
    trial_engaged_min_days days of the trial so far and with at least
    trial_engaged_min_core_features distinct core features used in it. -#}
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
        trial_core_features
    from trial_users
    where
        trial_active_days >= {{ var('trial_engaged_min_days') }}
        and trial_core_features >= {{ var('trial_engaged_min_core_features') }}
)

select
    members.user_id,
    members.account_id,
    as_of.as_of_date,
    members.trial_id,
    members.trial_age_days,
    members.trial_active_days,
    members.trial_core_features,
    {{ dbt.concat([
        "cast(members.trial_active_days as " ~ dbt.type_string() ~ ")",
        "' active days since the '",
        "coalesce(members.plan_name, 'unknown plan')",
        "' trial started '",
        "cast(members.trial_age_days as " ~ dbt.type_string() ~ ")",
        "' days ago, '",
        "cast(members.trial_core_features as " ~ dbt.type_string() ~ ")",
        "' core features used'",
    ]) }} as reason
from members
cross join as_of
