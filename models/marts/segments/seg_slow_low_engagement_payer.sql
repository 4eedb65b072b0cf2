{#- Accounts whose users' first web touch came at least slow_payer_min_lead_days days
    before the account's first signup, that converted from their first trial, and
    that had at most slow_payer_max_active_days active days in the first
    slow_payer_window_days days after paying (the window must be complete by as_of). -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

journeys as (
    select
        account_id,
        first_touch_date,
        first_signup_date,
        touch_lead_days,
        is_converted,
        paid_start_date,
        paid_window_active_days,
        is_paid_window_complete
    from {{ ref('int_account_journeys') }}
),

members as (
    select
        account_id,
        first_touch_date,
        first_signup_date,
        touch_lead_days,
        paid_start_date,
        paid_window_active_days
    from journeys
    where
        is_converted
        and touch_lead_days >= {{ var('slow_payer_min_lead_days') }}
        and is_paid_window_complete
        and paid_window_active_days <= {{ var('slow_payer_max_active_days') }}
)

select
    members.account_id,
    as_of.as_of_date,
    members.first_touch_date,
    members.first_signup_date,
    members.touch_lead_days,
    members.paid_start_date,
    members.paid_window_active_days,
    {{ dbt.concat([
        "'first web visit '",
        "cast(members.touch_lead_days as " ~ dbt.type_string() ~ ")",
        "' days before signing up, only '",
        "cast(members.paid_window_active_days as " ~ dbt.type_string() ~ ")",
        "' active days in the first " ~ var('slow_payer_window_days') ~ " days after paying'",
    ]) }} as reason
from members
cross join as_of
