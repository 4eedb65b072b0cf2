{#- Paying accounts whose first paid subscription started within the
    onboarding_window_days days ending on as_of, with ARR >= revenue_band_high_min_arr
    or a current plan in onboarding_strategic_plans; their onboarding progress. -#}
{%- set setup_milestones = ['admin_setup', 'integration_connected'] %}
{%- set adoption_milestones = ['team_invited', 'training_completed'] %}
{%- set milestones = ['kickoff_call'] + setup_milestones + adoption_milestones %}
{%- set milestone_list = "'" ~ milestones | join("', '") ~ "'" %}
{%- set setup_list = "'" ~ setup_milestones | join("', '") ~ "'" %}
{%- set adoption_list = "'" ~ adoption_milestones | join("', '") ~ "'" %}
{%- set strategic_plan_list = "'" ~ var('onboarding_strategic_plans') | join("', '") ~ "'" %}

{%- set value_text -%}
    case
        when members.time_to_value_days = 0 then ' (activated by the first paid day)'
        when members.is_activated
            then {{ dbt.concat([
                "' (value reached '",
                "cast(members.time_to_value_days as " ~ dbt.type_string() ~ ")",
                "' days after paying)'",
            ]) }}
        else ' (not activated yet)'
    end
{%- endset %}

with

as_of as (
    select
        as_of_date,
        as_of_end_date
    from {{ ref('int_as_of_date') }}
),

revenue as (
    select
        account_id,
        plan_name,
        first_paid_date,
        arr_usd,
        is_paying
    from {{ ref('int_account_revenue') }}
),

engagement as (
    select
        account_id,
        first_activation_date
    from {{ ref('int_account_engagement') }}
),

all_milestones as (
    select
        account_id,
        milestone_key,
        completed_at
    from {{ ref('stg_cs__onboarding_milestones') }}
),

milestones as (
    select
        all_milestones.account_id,
        all_milestones.milestone_key
    from all_milestones
    inner join as_of on all_milestones.completed_at < as_of.as_of_end_date
    where all_milestones.milestone_key in ({{ milestone_list }})
),

milestone_progress as (
    select
        account_id,
        count(distinct milestone_key) as milestones_done,
        max(case when milestone_key in ({{ setup_list }}) then 1 else 0 end) as has_setup,
        max(case when milestone_key in ({{ adoption_list }}) then 1 else 0 end) as has_adoption
    from milestones
    group by account_id
),

strategic as (
    select
        revenue.account_id,
        revenue.plan_name,
        revenue.first_paid_date,
        revenue.arr_usd,
        engagement.first_activation_date,
        {{ dbt.datediff('revenue.first_paid_date', 'as_of.as_of_date', 'day') }}
            as days_since_paid_start
    from revenue
    cross join as_of
    left join engagement on revenue.account_id = engagement.account_id
    where
        revenue.is_paying
        and revenue.first_paid_date
        >= cast({{ dbt.dateadd('day', 1 - var('onboarding_window_days'), 'as_of.as_of_date') }} as date)
        and (
            revenue.arr_usd >= {{ var('revenue_band_high_min_arr') }}
            or revenue.plan_name in ({{ strategic_plan_list }})
        )
),

members as (
    select
        strategic.account_id,
        strategic.plan_name,
        strategic.arr_usd,
        strategic.first_paid_date,
        strategic.days_since_paid_start,
        strategic.first_activation_date,
        coalesce(milestone_progress.milestones_done, 0) as milestones_done,
        {{ milestones | length }} as milestones_total,
        (strategic.first_activation_date is not null) as is_activated,
        case
            when strategic.first_activation_date is null then null
            when strategic.first_activation_date <= strategic.first_paid_date then 0
            else {{ dbt.datediff('strategic.first_paid_date', 'strategic.first_activation_date', 'day') }}
        end as time_to_value_days,
        case
            when strategic.first_activation_date is not null then 'activated'
            when milestone_progress.has_adoption = 1 then 'adoption'
            when milestone_progress.has_setup = 1 then 'setup'
            else 'kickoff'
        end as onboarding_stage
    from strategic
    left join milestone_progress on strategic.account_id = milestone_progress.account_id
)

select
    members.account_id,
    as_of.as_of_date,
    members.plan_name,
    members.arr_usd,
    members.first_paid_date,
    members.days_since_paid_start,
    members.milestones_done,
    members.milestones_total,
    members.is_activated,
    members.first_activation_date,
    members.time_to_value_days,
    members.onboarding_stage,
    {{ dbt.concat([
        "coalesce(members.plan_name, 'unknown plan')",
        "', '",
        "cast(cast(round(members.arr_usd, 0) as " ~ dbt.type_bigint() ~ ") as " ~ dbt.type_string() ~ ")",
        "' USD ARR, first paid '",
        "cast(members.days_since_paid_start as " ~ dbt.type_string() ~ ")",
        "' days ago; '",
        "cast(members.milestones_done as " ~ dbt.type_string() ~ ")",
        "'/'",
        "cast(members.milestones_total as " ~ dbt.type_string() ~ ")",
        "' onboarding milestones, stage '",
        "members.onboarding_stage",
        value_text,
    ]) }} as reason
from members
cross join as_of
