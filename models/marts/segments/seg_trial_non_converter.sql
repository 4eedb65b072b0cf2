{#- Accounts whose first trial ended before as_of (scheduled end before as_of, or
    cancelled by as_of) without converting and without any paid subscription since
    the trial started. -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

journeys as (
    select
        account_id,
        trial_plan_name,
        trial_end_date,
        cancelled_at,
        has_trial_ended,
        is_converted,
        has_paid_since_trial_start,
        trial_active_days
    from {{ ref('int_account_journeys') }}
),

members as (
    select
        account_id,
        trial_plan_name,
        trial_active_days,
        (cancelled_at is not null) as was_cancelled,
        case
            when cancelled_at is not null and cast(cancelled_at as date) < trial_end_date
                then cast(cancelled_at as date)
            else trial_end_date
        end as trial_ended_date
    from journeys
    where
        has_trial_ended
        and not is_converted
        and not has_paid_since_trial_start
)

select
    members.account_id,
    as_of.as_of_date,
    members.trial_plan_name,
    members.trial_ended_date,
    members.was_cancelled,
    members.trial_active_days,
    {{ dbt.datediff('members.trial_ended_date', 'as_of.as_of_date', 'day') }}
        as days_since_trial_end,
    {{ dbt.concat([
        "coalesce(members.trial_plan_name, 'unknown plan')",
        "case when members.was_cancelled then ' trial cancelled ' else ' trial ended ' end",
        "cast(" ~ dbt.datediff('members.trial_ended_date', 'as_of.as_of_date', 'day') ~ " as " ~ dbt.type_string() ~ ")",
        "' days ago without converting, '",
        "cast(members.trial_active_days as " ~ dbt.type_string() ~ ")",
        "' active days in the trial'",
    ]) }} as reason
from members
cross join as_of
