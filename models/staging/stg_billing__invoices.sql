with

staged as (
    select
        invoice_id,
        account_id,
        subscription_id,
        issued_at,
        amount,
        currency,
        amount_usd,
        status
    from {{ ref('base_billing__invoices') }}
    where _row_status = 'staged'
)

select
    invoice_id,
    account_id,
    subscription_id,
    issued_at,
    amount,
    currency,
    amount_usd,
    status
from staged
