{{ staged_layer_config('survey', 'nps_responses') }}

{{ stage_raw_table(
    'survey', 'nps_responses', raw_relation('survey', 'nps_responses'),
    lookups=[
        orphan_lookup(ref('stg_app__users'), 'user_id', 'orphan_user', carry=['account_id']),
        orphan_lookup(ref('stg_crm__accounts'), 'account_id', 'orphan_account'),
        account_match_lookup(),
    ],
    rules=[['invalid_score', 'score < 0 or score > 10 or score <> floor(score)']],
) }}
