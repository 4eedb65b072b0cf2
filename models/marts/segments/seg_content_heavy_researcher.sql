{#- Accounts with at least content_heavy_min_touches content touches of their users
    up to the end of their first trial, but at most content_heavy_max_trial_active_days
    active days in that trial. -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

journeys as (
    select
        account_id,
        trial_end_date,
        is_trial_running,
        content_touches_to_trial_end,
        trial_active_days
    from {{ ref('int_account_journeys') }}
),

members as (
    select
        account_id,
        trial_end_date,
        is_trial_running,
        content_touches_to_trial_end,
        trial_active_days
    from journeys
    where
        content_touches_to_trial_end >= {{ var('content_heavy_min_touches') }}
        and trial_active_days <= {{ var('content_heavy_max_trial_active_days') }}
)

select
    members.account_id,
    as_of.as_of_date,
    members.trial_end_date,
    members.is_trial_running,
    members.content_touches_to_trial_end,
    members.trial_active_days,
    {{ dbt.concat([
        "cast(members.content_touches_to_trial_end as " ~ dbt.type_string() ~ ")",
        "' content touches (blog, ebook, webinar, pricing/features/FAQ page) up to the trial end, only '",
        "cast(members.trial_active_days as " ~ dbt.type_string() ~ ")",
        "' active days in the trial'",
        "case when members.is_trial_running then ' (trial still running)' else '' end",
    ]) }} as reason
from members
cross join as_of
