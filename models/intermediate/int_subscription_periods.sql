{#- Subscription periods known by as_of with their plan, and the change from the
    account's previous period (upgrades, downgrades, MRR changes). A period that had
    not started by as_of is left out. -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

subscriptions as (
    select
        subscription_id,
        account_id,
        plan_id,
        period_start,
        period_end,
        billing_interval,
        amount_usd,
        mrr_usd,
        seats
    from {{ ref('stg_billing__subscriptions') }}
),

plans as (
    select
        plan_id,
        plan_name,
        plan_rank,
        is_paid
    from {{ ref('stg_billing__plans') }}
),

periods as (
    select
        subscriptions.subscription_id,
        subscriptions.account_id,
        subscriptions.plan_id,
        plans.plan_name,
        plans.plan_rank,
        plans.is_paid,
        subscriptions.period_start,
        subscriptions.period_end,
        subscriptions.billing_interval,
        subscriptions.amount_usd,
        subscriptions.seats,
        case when plans.is_paid then subscriptions.mrr_usd else 0 end as mrr_usd
    from subscriptions
    inner join plans on subscriptions.plan_id = plans.plan_id
    inner join as_of on subscriptions.period_start <= as_of.as_of_date
)

select
    subscription_id,
    account_id,
    plan_id,
    plan_name,
    plan_rank,
    is_paid,
    period_start,
    period_end,
    billing_interval,
    amount_usd,
    seats,
    mrr_usd,
    lag(plan_rank) over (partition by account_id order by period_start) as previous_plan_rank,
    lag(mrr_usd) over (partition by account_id order by period_start) as previous_mrr_usd,
    lag(period_end) over (partition by account_id order by period_start) as previous_period_end,
    row_number() over (partition by account_id order by period_start) as period_number
from periods
