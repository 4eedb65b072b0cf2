{#- The version in force of each Stripe subscription (`_fivetran_active`), with its
    items folded in: the product (plan), price, interval and currency when all items
    agree (else null, and staging quarantines the period as missing_required), seats =
    the items' quantities, amount = unit amount x quantity summed, in the currency's
    unit. Every version goes somewhere: one that left its trial (or never had one) is a
    paid period (adp_stripe__subscriptions), one with a trial (or still in it, or
    ended during it) is a trial (adp_stripe__trials); both when it converted. -#}
with

versions as (
    select
        cast(id as {{ dbt.type_string() }}) as subscription_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        lower(cast(status as {{ dbt.type_string() }})) as stripe_status,
        {{ vendor_timestamp('start_date') }} as started_at,
        {{ vendor_timestamp('ended_at') }} as ended_at,
        {{ vendor_timestamp('canceled_at') }} as canceled_at,
        {{ vendor_timestamp('trial_start') }} as trial_start,
        {{ vendor_timestamp('trial_end') }} as trial_end,
        {{ vendor_json_text('metadata', 'user_id') }} as metadata_user_id
    from {{ source('stripe', 'subscription_history') }}
    where {{ vendor_bool('_fivetran_active') }}
),

price_rows as (
    select
        cast(id as {{ dbt.type_string() }}) as price_id,
        cast(product_id as {{ dbt.type_string() }}) as product_id,
        upper(cast(currency as {{ dbt.type_string() }})) as currency,
        unit_amount,
        lower(cast(recurring_interval as {{ dbt.type_string() }})) as recurring_interval,
        cast(recurring_interval_count as {{ dbt.type_string() }}) as interval_count
    from {{ source('stripe', 'price') }}
),

prices as (
    select
        price_id,
        product_id,
        currency,
        unit_amount,
        case
            when {{ try_cast_as('interval_count', 'decimal(38, 6)') }} = 1 then recurring_interval
            else {{ dbt.concat(["'every '", 'interval_count', "' '", 'recurring_interval']) }}
        end as billing_interval
    from price_rows
),

currencies as (
    select
        currency_code,
        minor_units
    from {{ ref('ref_currencies') }}
),

item_rows as (
    select
        cast(subscription_id as {{ dbt.type_string() }}) as subscription_id,
        cast(plan_id as {{ dbt.type_string() }}) as price_id,
        {{ try_cast_as('quantity', 'decimal(38, 6)') }} as quantity
    from {{ source('stripe', 'subscription_item') }}
),

items as (
    select
        item_rows.subscription_id,
        item_rows.quantity,
        prices.product_id,
        prices.currency,
        prices.billing_interval,
        {{ vendor_minor_amount('prices.unit_amount', 'currencies.minor_units') }} * item_rows.quantity as amount
    from item_rows
    left join prices
        on item_rows.price_id = prices.price_id
    left join currencies
        on prices.currency = currencies.currency_code
),

folded_items as (
    select
        subscription_id,
        case
            when count(distinct product_id) = 1 and count(product_id) = count(*) then min(product_id)
        end as product_id,
        case when count(distinct currency) = 1 then min(currency) end as currency,
        case when count(distinct billing_interval) = 1 then min(billing_interval) end as billing_interval,
        sum(quantity) as seats,
        sum(amount) as amount
    from items
    group by subscription_id
),

final as (
    select
        versions.subscription_id,
        versions.customer_id,
        versions.stripe_status,
        versions.started_at,
        versions.ended_at,
        versions.canceled_at,
        versions.trial_start,
        versions.trial_end,
        versions.metadata_user_id,
        folded_items.product_id,
        folded_items.currency,
        folded_items.billing_interval,
        folded_items.seats,
        folded_items.amount,
        (
            versions.stripe_status <> 'trialing'
            and (versions.trial_end is null or versions.ended_at is null or versions.ended_at > versions.trial_end)
        ) as has_paid_period
    from versions
    left join folded_items
        on versions.subscription_id = folded_items.subscription_id
)

select
    subscription_id,
    customer_id,
    stripe_status,
    started_at,
    ended_at,
    canceled_at,
    trial_start,
    trial_end,
    metadata_user_id,
    product_id,
    currency,
    billing_interval,
    seats,
    amount,
    has_paid_period
from final
