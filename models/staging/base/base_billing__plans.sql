{{ stage_raw_table(
    'billing', 'plans', raw_relation('billing', 'plans'),
    rules=[['invalid_amount', 'list_price_monthly < 0']],
) }}
