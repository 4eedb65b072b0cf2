{#- Accounts that converted from their first trial in its last
    late_converter_last_trial_days days or after it, and later upgraded to a plan
    ranked above the conversion plan at least late_converter_min_upgrade_days days
    after converting. -#}
{%- set conversion_timing -%}
    case
        when members.days_converted_before_trial_end > 0
            then {{ dbt.concat([
                "' '",
                "cast(members.days_converted_before_trial_end as " ~ dbt.type_string() ~ ")",
                "' days before the trial ended'",
            ]) }}
        when members.days_converted_before_trial_end = 0 then ' on the last trial day'
        else {{ dbt.concat([
            "' '",
            "cast(-members.days_converted_before_trial_end as " ~ dbt.type_string() ~ ")",
            "' days after the trial ended'",
        ]) }}
    end
{%- endset %}

with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

journeys as (
    select
        account_id,
        trial_end_date,
        converted_date,
        is_converted,
        days_converted_before_trial_end,
        conversion_plan_name,
        last_upgrade_date,
        last_upgrade_plan_name,
        days_to_last_upgrade
    from {{ ref('int_account_journeys') }}
),

members as (
    select
        account_id,
        trial_end_date,
        converted_date,
        days_converted_before_trial_end,
        conversion_plan_name,
        last_upgrade_date as upgrade_date,
        last_upgrade_plan_name as upgrade_plan_name,
        days_to_last_upgrade as days_to_upgrade
    from journeys
    where
        is_converted
        and days_converted_before_trial_end <= {{ var('late_converter_last_trial_days') }}
        and days_to_last_upgrade >= {{ var('late_converter_min_upgrade_days') }}
)

select
    members.account_id,
    as_of.as_of_date,
    members.trial_end_date,
    members.converted_date,
    members.days_converted_before_trial_end,
    members.conversion_plan_name,
    members.upgrade_date,
    members.upgrade_plan_name,
    members.days_to_upgrade,
    {{ dbt.concat([
        "'converted to '",
        "coalesce(members.conversion_plan_name, 'a paid plan')",
        conversion_timing,
        "', upgraded to '",
        "members.upgrade_plan_name",
        "' '",
        "cast(members.days_to_upgrade as " ~ dbt.type_string() ~ ")",
        "' days after converting'",
    ]) }} as reason
from members
cross join as_of
