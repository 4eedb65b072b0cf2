{#- One row per account that has paid by as_of: its first paid date and month, the
    distinct onboarding milestones completed by as_of and whether every milestone of
    onboarding_milestones is done. What the onboarding-completion KPI counts. -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

revenue as (
    select
        account_id,
        first_paid_date
    from {{ ref('int_account_revenue') }}
    where first_paid_date is not null
),

milestones as (
    select
        stg_cs__onboarding_milestones.account_id,
        count(distinct stg_cs__onboarding_milestones.milestone_key) as milestones_done
    from {{ ref('stg_cs__onboarding_milestones') }}
    inner join as_of on cast(stg_cs__onboarding_milestones.completed_at as date) <= as_of.as_of_date
    group by stg_cs__onboarding_milestones.account_id
)

select
    revenue.account_id,
    revenue.first_paid_date,
    cast({{ dbt.date_trunc('month', 'revenue.first_paid_date') }} as date) as first_paid_month,
    coalesce(milestones.milestones_done, 0) as milestones_done,
    coalesce(milestones.milestones_done, 0) >= {{ var('onboarding_milestones') | length }} as is_onboarded
from revenue
left join milestones on revenue.account_id = milestones.account_id
