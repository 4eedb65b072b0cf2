{{ staged_layer_config('helpdesk', 'support_tickets') }}

{{ stage_raw_table(
    'helpdesk', 'support_tickets', raw_relation('helpdesk', 'support_tickets'),
    lookups=[
        orphan_lookup(ref('stg_crm__accounts'), 'account_id', 'orphan_account'),
        orphan_lookup(ref('stg_app__users'), 'user_id', 'orphan_user', optional=true, carry=['account_id']),
        account_match_lookup(),
    ],
    rules=[['invalid_amount', 'handle_minutes < 0']],
) }}
