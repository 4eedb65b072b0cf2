{{ config(
    window_column='occurred_at',
    window_filter="_row_status = 'staged'",
    on_schema_change='fail',
) }}

{{ stage_raw_table(
    'app', 'events', source('app', 'events'),
    lookups=[
        orphan_lookup(ref('stg_app__users'), 'user_id', 'orphan_user'),
        orphan_lookup(ref('stg_crm__accounts'), 'account_id', 'orphan_account'),
        orphan_lookup(ref('stg_app__features'), 'feature_key', 'orphan_feature', optional=true),
        account_match_lookup(),
    ],
    rules=[['missing_required', "event_type = 'feature_used' and feature_key is null"]],
    collapse_exact_duplicates=true,
    window_column='occurred_at',
) }}
