{#- Staged by file on DuckDB reading raw files (macros/staging/staged_files.sql), kept
    by --full-refresh; a table elsewhere. -#}
{%- set by_file = staged_by_file('app', 'users') -%}
{{ staged_layer_config('app', 'users') }}

{{ stage_raw_table(
    'app', 'users', raw_relation('app', 'users'),
    lookups=[orphan_lookup(ref('stg_crm__accounts'), 'account_id', 'orphan_account')],
    by_file=by_file,
) }}
