{{ staged_layer_config('billing', 'invoices') }}

{{ stage_raw_table(
    'billing', 'invoices', raw_relation('billing', 'invoices'),
    lookups=[
        orphan_lookup(ref('stg_crm__accounts'), 'account_id', 'orphan_account'),
        orphan_lookup(ref('stg_billing__subscriptions'), 'subscription_id', 'orphan_subscription'),
    ] + currency_lookups('issued_at'),
    rules=[['invalid_amount', 'amount < 0']],
    extra_columns={'amount_usd': 'cast(amount * usd_per_unit as decimal(18, 4))'},
) }}
