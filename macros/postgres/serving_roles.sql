{#- Serving on PostgreSQL: analysts read the marts schema and nothing else.

    The serving roles are the roles that models under models/marts grant select to
    (`grants: {select: [analyst]}` in dbt_project.yml, re-applied on every build).
    They are NOLOGIN group roles; BI logins are their members
    (`python -m saas_segments.pg_roles` creates one from SAAS_PG_BI_USER /
    SAAS_PG_BI_PASSWORD). The on-run-start hook creates the roles and revokes create
    on the database and on schema public from PUBLIC; the on-run-end hook grants usage
    on the schemas of the granted models. Raw, staging (incl. the quarantine),
    intermediate and reference schemas get no grant at all. -#}

{#- Roles named in the select grants of the project's models, and those models' schemas. -#}
{% macro serving_grants() %}
    {%- set roles = [] -%}
    {%- set schemas = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.package_name == project_name -%}
        {%- for role in (node.config.get('grants') or {}).get('select', []) -%}
            {%- do roles.append(role) -%}
            {%- do schemas.append(node.schema) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return({'roles': roles | unique | sort | list, 'schemas': schemas | unique | sort | list}) }}
{% endmacro %}

{#- on-run-start: the group roles and the database-wide revokes (idempotent). -#}
{% macro create_serving_roles() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('create_serving_roles', 'saas_segments')()) }}
{% endmacro %}

{% macro default__create_serving_roles() %}
    {{ return('') }}
{% endmacro %}

{% macro postgres__create_serving_roles() %}
    {%- set roles = serving_grants().roles -%}
    {%- call statement('create_serving_roles') -%}
        {%- for role in roles %}
        do $body$
        begin
            if not exists (select from pg_catalog.pg_roles where rolname = '{{ role }}') then
                create role {{ adapter.quote(role) }} nologin;
            end if;
        exception when duplicate_object then
            null;  -- created concurrently by another build
        end
        $body$;
        grant connect on database {{ adapter.quote(target.database) }} to {{ adapter.quote(role) }};
        {%- endfor %}
        revoke create on schema public from public;
        revoke create, temporary on database {{ adapter.quote(target.database) }} from public;
    {%- endcall -%}
    {{ return('select ' ~ roles | length ~ ' as serving_roles_ready') }}
{% endmacro %}

{#- on-run-end: usage on the schemas of the granted models, once they exist. -#}
{% macro grant_marts_usage() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('grant_marts_usage', 'saas_segments')()) }}
{% endmacro %}

{% macro default__grant_marts_usage() %}
    {{ return('') }}
{% endmacro %}

{#- Not on candidate schemas (var schema_suffix): analysts must not read an unaudited
    build; the publish grants usage on the schemas it renames into place. -#}
{% macro postgres__grant_marts_usage() %}
    {%- if var('schema_suffix', '') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set grants = serving_grants() -%}
    {%- set statements = [] -%}
    {%- for schema in grants.schemas -%}
        {%- for role in grants.roles -%}
            {%- do statements.append(
                "if exists (select from pg_catalog.pg_namespace where nspname = '" ~ schema ~ "') then "
                ~ 'grant usage on schema ' ~ adapter.quote(schema) ~ ' to ' ~ adapter.quote(role) ~ '; end if;'
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(('do $body$ begin ' ~ statements | join(' ') ~ ' end $body$') if statements else '') }}
{% endmacro %}

{#- DuckDB is an embedded file with no other users: grants are not applied there
    (instead of dbt-duckdb's "not supported" warning on every granted model). -#}
{% macro duckdb__apply_grants(relation, grant_config, should_revoke=True) %}
{% endmacro %}
