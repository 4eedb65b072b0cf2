{#- billing.trials from Stripe: one trial per subscription with a trial (trial_start
    .. trial_end, the plan it was on). It converted at trial_end when the
    subscription went on to a paid period; it was cancelled when the subscription
    was canceled before the trial ended. Who started it is the subscription's
    metadata.user_id (null = quarantined as missing_required). A subscription still
    trialing, or ended during its trial, is a trial only. -#}
with

versions as (
    select
        subscription_id,
        customer_id,
        canceled_at,
        trial_start,
        trial_end,
        metadata_user_id,
        product_id,
        has_paid_period
    from {{ ref('adp_stripe__subscription_versions') }}
    where trial_start is not null or not has_paid_period
),

customers as (
    select
        customer_id,
        account_id
    from {{ ref('adp_stripe__customer_accounts') }}
),

final as (
    select
        versions.subscription_id as trial_id,
        customers.account_id,
        versions.metadata_user_id as user_id,
        versions.product_id as plan_id,
        versions.trial_start as started_at,
        versions.trial_end as ends_at,
        case when versions.has_paid_period then versions.trial_end end as converted_at,
        case when versions.canceled_at <= versions.trial_end then versions.canceled_at end as cancelled_at
    from versions
    left join customers
        on versions.customer_id = customers.customer_id
)

select
    trial_id,
    account_id,
    user_id,
    plan_id,
    started_at,
    ends_at,
    converted_at,
    cancelled_at
from final
