{#- On DuckDB reading raw files: staged by file (macros/staging/staged_files.sql), kept
    by --full-refresh. Elsewhere by window: an event quarantined as orphan_user is read
    again by every incremental run, whatever its day, so it is staged once its user
    arrives (as a full build would). -#}
{%- set by_file = staged_by_file('app', 'events') -%}
{{ config(
    incremental_strategy=('replace_files' if by_file else 'replace_window'),
    full_refresh=staged_layer_full_refresh('app', 'events'),
    window_column='occurred_at',
    window_filter="_row_status = 'staged'",
    window_recompute="event_id in (select event_id from {relation}"
        ~ " where _row_status = 'quarantined' and _quarantine_rule = 'orphan_user')",
    on_schema_change='fail',
    pre_hook="{{ hash_join_sides_as_written() if is_incremental() }}",
    post_hook=[
        "{{ hash_join_sides_as_written(enabled=false) if is_incremental() }}",
        "{{ record_staged_files('app', 'events') }}",
    ],
) }}

{{ stage_raw_table(
    'app', 'events', raw_relation('app', 'events'),
    lookups=[
        orphan_lookup(ref('stg_app__users'), 'user_id', 'orphan_user', carry=['account_id']),
        orphan_lookup(ref('stg_crm__accounts'), 'account_id', 'orphan_account'),
        orphan_lookup(ref('stg_app__features'), 'feature_key', 'orphan_feature', optional=true),
        account_match_lookup(),
    ],
    rules=[['missing_required', "event_type = 'feature_used' and feature_key is null"]],
    collapse_exact_duplicates=true,
    window_column='occurred_at',
    staged_record_key=false,
    keyed_columns=event_keys(),
) }}
