with

staged as (
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
        amount_usd,
        mrr_usd,
        seats
    from {{ ref('base_billing__subscriptions') }}
    where _row_status = 'staged'
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
    amount_usd,
    mrr_usd,
    cast(seats as integer) as seats
from staged
