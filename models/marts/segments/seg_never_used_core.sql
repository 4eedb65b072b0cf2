with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

engagement as (
    select
        user_id,
        account_id,
        signup_date,
        days_since_signup,
        active_days_total,
        core_features_used_ever
    from {{ ref('int_user_engagement') }}
    where not is_deleted
),

running_trials as (
    select distinct account_id
    from {{ ref('int_trials') }}
    where is_running
),

members as (
    select
        engagement.user_id,
        engagement.account_id,
        engagement.signup_date,
        engagement.days_since_signup,
        engagement.active_days_total,
        (running_trials.account_id is not null) as is_trial
    from engagement
    left join running_trials on engagement.account_id = running_trials.account_id
    where
        engagement.days_since_signup >= {{ var('never_used_core_min_signup_days') }}
        and engagement.core_features_used_ever = 0
)

select
    members.user_id,
    members.account_id,
    as_of.as_of_date,
    members.signup_date,
    members.days_since_signup,
    members.active_days_total,
    members.is_trial,
    {{ dbt.concat([
        "'signed up '",
        "cast(members.days_since_signup as " ~ dbt.type_string() ~ ")",
        "' days ago and never used a core feature'",
        "case when members.is_trial then ' (in a running trial)' else '' end",
    ]) }} as reason
from members
cross join as_of
