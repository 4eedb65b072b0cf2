{#- Identity: the product account of each Stripe customer is the seed
    vendor_identity_map's row (vendor stripe, object customer) when there is one,
    else the customer's metadata.account_id; with neither it is null and the rows
    billed to the customer are quarantined by staging (missing_required). -#}
with

customers as (
    select
        cast(id as {{ dbt.type_string() }}) as customer_id,
        {{ vendor_json_text('metadata', 'account_id') }} as metadata_account_id
    from {{ source('stripe', 'customer') }}
),

overrides as (
    {{ vendor_identity_overrides('stripe', 'customer') }}
),

final as (
    select
        customers.customer_id,
        coalesce(overrides.account_id, customers.metadata_account_id) as account_id
    from customers
    left join overrides
        on customers.customer_id = overrides.vendor_id
)

select
    customer_id,
    account_id
from final
