{#- What a run reads when it starts rather than in dbt_project.yml's vars or on the
    command line: a value there is part of every parse, so each new raw dir or day
    would cost dbt a parse from scratch; read here, one parse serves them all.
    raw_dir: the var `raw_dir`, else SAAS_RAW_DIR, else the project's demo data (no
    trailing slash). vendor_dir: the var `vendor_dir`, else SAAS_VENDOR_DIR, else none.
    as_of: the var `as_of`, else SAAS_AS_OF (saas_segments.project hands a given as_of
    over there), else none (int_as_of_date then takes the last full day of events). -#}
{% macro run_raw_dir() %}
    {%- set raw_dir = (var('raw_dir', none) or env_var('SAAS_RAW_DIR', 'data/raw/demo')) | string | trim -%}
    {{ return(raw_dir[:-1] if raw_dir.endswith('/') and raw_dir | length > 1 else raw_dir) }}
{% endmacro %}

{% macro run_vendor_dir() %}
    {{ return((var('vendor_dir', none) or env_var('SAAS_VENDOR_DIR', '')) | string | trim) }}
{% endmacro %}

{% macro run_as_of() %}
    {%- set as_of = (var('as_of', none) or env_var('SAAS_AS_OF', '')) | string | trim -%}
    {{ return(as_of if as_of not in ('', 'None') else none) }}
{% endmacro %}
