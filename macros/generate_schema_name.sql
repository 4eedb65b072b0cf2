{#- Custom schemas are used as given (staging, intermediate, marts, reference), so
    analysts see the same schema names on every target. The var `schema_suffix`
    (empty by default) is appended to them: the PostgreSQL refresh builds into
    `<schema>__candidate` and publishes by renaming (saas_segments/pg_publish.py). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}{{ var('schema_suffix', '') }}
    {%- endif -%}
{%- endmacro %}
