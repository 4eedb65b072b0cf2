{{ stage_raw_table(
    'crm', 'accounts', source('crm', 'accounts'),
    rules=[['invalid_amount', 'potential_arr < 0']],
) }}
