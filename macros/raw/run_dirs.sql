{#- The folders a run reads, taken when the run starts rather than in dbt_project.yml's
    vars: an environment variable read there is part of every parse, so each raw dir
    would cost dbt a parse from scratch; read here, one parse serves every raw dir.
    raw_dir: the var `raw_dir`, else SAAS_RAW_DIR, else the project's demo data (no
    trailing slash). vendor_dir: the var `vendor_dir`, else SAAS_VENDOR_DIR, else none. -#}
{% macro run_raw_dir() %}
    {%- set raw_dir = (var('raw_dir', none) or env_var('SAAS_RAW_DIR', 'data/raw/demo')) | string | trim -%}
    {{ return(raw_dir[:-1] if raw_dir.endswith('/') and raw_dir | length > 1 else raw_dir) }}
{% endmacro %}

{% macro run_vendor_dir() %}
    {{ return((var('vendor_dir', none) or env_var('SAAS_VENDOR_DIR', '')) | string | trim) }}
{% endmacro %}
