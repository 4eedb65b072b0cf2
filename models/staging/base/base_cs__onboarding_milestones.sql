{{ stage_raw_table(
    'cs', 'onboarding_milestones', raw_relation('cs', 'onboarding_milestones'),
    lookups=[orphan_lookup(ref('stg_crm__accounts'), 'account_id', 'orphan_account')],
) }}
