{#- billing.subscriptions from Stripe: one period per subscription that left its trial
    (or never had one). The period starts when the trial ends (else at start_date)
    and ends when the subscription ended (exclusive; null while running); a plan
    change made by ending one subscription and starting another shows as two
    consecutive periods. Statuses: active, past_due, canceled as they are, unpaid =
    past_due; any other (incomplete, paused...) and any interval but one month or one
    year (`week`, `every 3 month`) pass through and staging quarantines them
    (unknown_enum). -#}
with

versions as (
    select
        subscription_id,
        customer_id,
        product_id,
        currency,
        billing_interval,
        seats,
        amount,
        cast(ended_at as date) as period_end,
        cast(coalesce(trial_end, started_at) as date) as period_start,
        case stripe_status when 'unpaid' then 'past_due' else stripe_status end as status
    from {{ ref('adp_stripe__subscription_versions') }}
    where has_paid_period
),

customers as (
    select
        customer_id,
        account_id
    from {{ ref('adp_stripe__customer_accounts') }}
),

final as (
    select
        versions.subscription_id,
        customers.account_id,
        versions.product_id as plan_id,
        versions.billing_interval,
        versions.amount,
        versions.currency,
        versions.seats,
        versions.status,
        versions.period_start,
        versions.period_end
    from versions
    left join customers
        on versions.customer_id = customers.customer_id
)

select
    subscription_id,
    account_id,
    plan_id,
    status,
    period_start,
    period_end,
    billing_interval,
    amount,
    currency,
    seats
from final
