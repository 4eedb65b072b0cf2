{{ stage_raw_table(
    'billing', 'fx_rates', raw_relation('billing', 'fx_rates'),
    lookups=[{
        'relation': ref('ref_currencies'), 'alias': 'known_currency', 'columns': ['currency_code'],
        'on': 'known_currency.currency_code = src.currency', 'rule': 'unknown_currency',
    }],
    rules=[['invalid_amount', 'usd_per_unit <= 0']],
) }}
