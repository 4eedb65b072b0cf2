{{ staged_layer_config('app', 'users') }}

{{ stage_raw_table(
    'app', 'users', raw_relation('app', 'users'),
    lookups=[orphan_lookup(ref('stg_crm__accounts'), 'account_id', 'orphan_account')],
) }}
