{#- Accounts that converted from their first trial within fast_converter_max_days
    days of the trial start to a plan in fast_converter_plans. Flagged as most
    valuable. -#}
{%- set fast_plan_list = "'" ~ var('fast_converter_plans') | join("', '") ~ "'" %}

with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

journeys as (
    select
        account_id,
        trial_start_date,
        converted_date,
        is_converted,
        days_to_convert,
        conversion_plan_name
    from {{ ref('int_account_journeys') }}
),

members as (
    select
        account_id,
        trial_start_date,
        converted_date,
        days_to_convert,
        conversion_plan_name
    from journeys
    where
        is_converted
        and days_to_convert <= {{ var('fast_converter_max_days') }}
        and conversion_plan_name in ({{ fast_plan_list }})
)

select
    members.account_id,
    as_of.as_of_date,
    members.trial_start_date,
    members.converted_date,
    members.days_to_convert,
    members.conversion_plan_name,
    true as is_most_valuable,
    {{ dbt.concat([
        "'converted to '",
        "members.conversion_plan_name",
        "' '",
        "cast(members.days_to_convert as " ~ dbt.type_string() ~ ")",
        "' days after the trial started (most valuable)'",
    ]) }} as reason
from members
cross join as_of
