{{ staged_layer_config('web', 'web_touches') }}

{{ stage_raw_table(
    'web', 'web_touches', raw_relation('web', 'web_touches'),
    lookups=[orphan_lookup(ref('stg_app__users'), 'user_id', 'orphan_user', optional=true)],
) }}
