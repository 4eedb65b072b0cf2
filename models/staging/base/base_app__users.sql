{{ stage_raw_table(
    'app', 'users', source('app', 'users'),
    lookups=[orphan_lookup(ref('stg_crm__accounts'), 'account_id', 'orphan_account')],
) }}
