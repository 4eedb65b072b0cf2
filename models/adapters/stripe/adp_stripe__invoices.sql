{#- billing.invoices from Stripe: one row per invoice; amount = total in the
    currency's unit, currency upper-cased, issued at `created`. Statuses paid, open
    and void are the contract's; draft and uncollectible pass through and staging
    quarantines them (unknown_enum). Stripe records refunds on charges: a paid
    invoice with a charge refunded in full (`refunded`) is `refunded`; a partial
    refund leaves it paid at its total (the contract has no partial refund). -#}
with

invoices as (
    select
        cast(id as {{ dbt.type_string() }}) as invoice_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(subscription_id as {{ dbt.type_string() }}) as subscription_id,
        {{ vendor_timestamp('created') }} as issued_at,
        total,
        upper(cast(currency as {{ dbt.type_string() }})) as currency,
        lower(cast(status as {{ dbt.type_string() }})) as status
    from {{ source('stripe', 'invoice') }}
),

refunded_invoices as (
    select distinct cast(invoice_id as {{ dbt.type_string() }}) as invoice_id
    from {{ source('stripe', 'charge') }}
    where {{ vendor_bool('refunded') }}
),

customers as (
    select
        customer_id,
        account_id
    from {{ ref('adp_stripe__customer_accounts') }}
),

currencies as (
    select
        currency_code,
        minor_units
    from {{ ref('ref_currencies') }}
),

final as (
    select
        invoices.invoice_id,
        customers.account_id,
        invoices.subscription_id,
        invoices.issued_at,
        {{ vendor_minor_amount('invoices.total', 'currencies.minor_units') }} as amount,
        invoices.currency,
        case
            when invoices.status = 'paid' and refunded_invoices.invoice_id is not null then 'refunded'
            else invoices.status
        end as status
    from invoices
    left join customers
        on invoices.customer_id = customers.customer_id
    left join currencies
        on invoices.currency = currencies.currency_code
    left join refunded_invoices
        on invoices.invoice_id = refunded_invoices.invoice_id
)

select
    invoice_id,
    account_id,
    subscription_id,
    issued_at,
    amount,
    currency,
    status
from final
