{#- Write-audit-publish on PostgreSQL (saas_segments/pg_publish.py): a refresh builds
    every custom schema as `<schema>` ~ var('schema_suffix') (see
    generate_schema_name) and publishes it by renaming. -#}

{#- run-operation, before a candidate build: copy each published incremental model
    (event models, membership and quality history) into its candidate schema, so the
    candidate carries the history readers saw and the event models refresh their
    lookback window only, as on DuckDB where the candidate is a copy of the published
    file. Logs and returns how many tables were copied. -#}
{% macro clone_published_incrementals() %}
    {%- set suffix = var('schema_suffix', '') -%}
    {%- if not suffix -%}
        {{ exceptions.raise_compiler_error("clone_published_incrementals needs the var schema_suffix (the candidate schemas)") }}
    {%- endif -%}
    {%- set copied = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == project_name
        and node.config.materialized == 'incremental' and node.schema.endswith(suffix) -%}
        {%- set live = adapter.get_relation(
            database=node.database, schema=node.schema[:-(suffix | length)], identifier=node.alias) -%}
        {%- if live is not none -%}
            {%- set candidate = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- call statement('clone_' ~ node.name) -%}
                create schema if not exists {{ adapter.quote(node.schema) }};
                drop table if exists {{ candidate }} cascade;
                create table {{ candidate }} (like {{ live }} including all);
                insert into {{ candidate }} select * from {{ live }};
            {%- endcall -%}
            {%- do copied.append(node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if copied -%}
        {%- do adapter.commit() -%}
    {%- endif -%}
    {{ log('copied ' ~ copied | length ~ ' published incremental tables into the candidate: ' ~ copied | join(', '), info=True) }}
    {{ return(copied | length) }}
{% endmacro %}
