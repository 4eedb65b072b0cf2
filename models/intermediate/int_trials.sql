{#- Trials started by as_of, with what was known on as_of: conversion and
    cancellation only count once they happened, and a trial runs on as_of when it
    started by then, its scheduled end falls on a later day, and it was neither
    converted nor cancelled by the end of as_of. trial_number 1 is the account's
    first trial. -#}
with

as_of as (
    select
        as_of_date,
        as_of_end_date
    from {{ ref('int_as_of_date') }}
),

trials as (
    select
        trial_id,
        account_id,
        user_id,
        plan_id,
        started_at,
        ends_at,
        converted_at,
        cancelled_at
    from {{ ref('stg_billing__trials') }}
),

plans as (
    select
        plan_id,
        plan_name,
        plan_rank
    from {{ ref('stg_billing__plans') }}
),

known as (
    select
        trials.trial_id,
        trials.account_id,
        trials.user_id,
        trials.plan_id,
        plans.plan_name,
        plans.plan_rank,
        trials.started_at,
        trials.ends_at,
        as_of.as_of_date,
        case when trials.converted_at < as_of.as_of_end_date then trials.converted_at end as converted_at,
        case when trials.cancelled_at < as_of.as_of_end_date then trials.cancelled_at end as cancelled_at,
        cast(trials.ends_at as date) > as_of.as_of_date as has_not_ended
    from trials
    inner join as_of on trials.started_at < as_of.as_of_end_date
    left join plans on trials.plan_id = plans.plan_id
)

select
    trial_id,
    account_id,
    user_id,
    plan_id,
    plan_name,
    plan_rank,
    started_at,
    ends_at,
    converted_at,
    cancelled_at,
    cast(started_at as date) as trial_start_date,
    cast(ends_at as date) as trial_end_date,
    {{ days_between('cast(started_at as date)', 'as_of_date') }} as trial_age_days,
    (has_not_ended and converted_at is null and cancelled_at is null) as is_running,
    row_number() over (partition by account_id order by started_at, trial_id) as trial_number
from known
