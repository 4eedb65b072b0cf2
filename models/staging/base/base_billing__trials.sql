{{ stage_raw_table(
    'billing', 'trials', raw_relation('billing', 'trials'),
    lookups=[
        orphan_lookup(ref('stg_crm__accounts'), 'account_id', 'orphan_account'),
        orphan_lookup(ref('stg_app__users'), 'user_id', 'orphan_user', carry=['account_id']),
        orphan_lookup(ref('stg_billing__plans'), 'plan_id', 'orphan_plan'),
        account_match_lookup(),
    ],
    rules=[['invalid_trial_window', 'ends_at < started_at']],
) }}
