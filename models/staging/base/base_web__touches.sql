{#- Staged by file on DuckDB reading raw files (macros/staging/staged_files.sql), kept
    by --full-refresh; a table elsewhere. -#}
{%- set by_file = staged_by_file('web', 'web_touches') -%}
{{ staged_layer_config('web', 'web_touches') }}

{{ stage_raw_table(
    'web', 'web_touches', raw_relation('web', 'web_touches'),
    lookups=[orphan_lookup(ref('stg_app__users'), 'user_id', 'orphan_user', optional=true)],
    by_file=by_file,
) }}
