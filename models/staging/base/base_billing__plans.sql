{{ stage_raw_table(
    'billing', 'plans', source('billing', 'plans'),
    rules=[['invalid_amount', 'list_price_monthly < 0']],
) }}
