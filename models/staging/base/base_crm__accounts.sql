{{ stage_raw_table(
    'crm', 'accounts', raw_relation('crm', 'accounts'),
    rules=[['invalid_amount', 'potential_arr < 0']],
) }}
