{#- Segment registry. A segment model carries, in its YAML, `config.meta.segment`:
      key          segment key (or `key_column` naming a column that holds the key,
                   for models with many keys such as traits, with `key_prefix`)
      grain        user | account  (the entity column is `<grain>_id`)
      family, owner, action, channel, criteria, thresholds (dbt var names), version
    Every row of a segment model is one member on `as_of_date`, with a `reason`. -#}

{% macro segment_meta(node) %}
    {%- set meta = node.config.get('meta', {}).get('segment') -%}
    {%- if meta is none -%}
        {{ exceptions.raise_compiler_error("segment model '" ~ node.name ~ "' has no config.meta.segment block in its YAML") }}
    {%- endif -%}
    {%- if meta.get('grain') not in ['user', 'account'] -%}
        {{ exceptions.raise_compiler_error("segment model '" ~ node.name ~ "': meta.segment.grain must be user or account") }}
    {%- endif -%}
    {%- if not meta.get('key') and not meta.get('key_column') -%}
        {{ exceptions.raise_compiler_error("segment model '" ~ node.name ~ "': meta.segment needs key or key_column") }}
    {%- endif -%}
    {{ return(meta) }}
{% endmacro %}

{#- All segment models of the project (execution time), sorted by name. -#}
{% macro segment_nodes() %}
    {%- set nodes = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='name') -%}
        {%- if node.resource_type == 'model' and 'segment' in node.tags and node.package_name == project_name -%}
            {%- do nodes.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(nodes) }}
{% endmacro %}

{#- post-hook 1: forget what this segment recorded earlier for the same as_of. -#}
{% macro delete_segment_membership() %}
    {%- set history = ref('fct_segment_membership_history') -%}
    {%- set as_of = ref('int_as_of_date') -%}
    {%- if execute -%}
        {{ return(adapter.dispatch('delete_segment_membership', 'saas_segments')(history, as_of)) }}
    {%- endif -%}
{% endmacro %}

{% macro default__delete_segment_membership(history, as_of) %}
    delete from {{ history }}
    where
        model_name = '{{ model.name }}'
        and as_of_date = (select as_of_date from {{ as_of }})
{% endmacro %}

{#- post-hook 2: record this segment's members for the as_of. -#}
{% macro insert_segment_membership() %}
    {%- set history = ref('fct_segment_membership_history') -%}
    {%- if execute -%}
        {{ return(adapter.dispatch('insert_segment_membership', 'saas_segments')(history, segment_meta(model))) }}
    {%- endif -%}
{% endmacro %}

{% macro default__insert_segment_membership(history, meta) %}
    insert into {{ history }} (as_of_date, segment_key, entity_type, entity_id, reason, model_name)
    select
        as_of_date,
        {{ meta.key_column if meta.get('key_column') else "'" ~ meta.key ~ "'" }},
        '{{ meta.grain }}',
        cast({{ meta.grain }}_id as {{ dbt.type_string() }}),
        reason,
        '{{ model.name }}'
    from {{ this }}
{% endmacro %}

{#- A stable hash of a segment's definition: its SQL, the SQL of the project macros it
    calls directly (e.g. nps_category_segment), its meta and the values of the thresholds
    it names. -#}
{% macro segment_definition_hash(node) %}
    {%- set meta = segment_meta(node) -%}
    {%- set values = [] -%}
    {%- for name in meta.get('thresholds', []) -%}
        {%- do values.append(name ~ '=' ~ var(name)) -%}
    {%- endfor -%}
    {%- set macros = [] -%}
    {%- for macro_id in node.depends_on.macros | sort -%}
        {%- if macro_id.startswith('macro.' ~ project_name ~ '.') -%}
            {%- do macros.append(context[macro_id.split('.')[-1]].macro.macro_sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(local_md5(node.raw_code ~ '|' ~ macros | join('|') ~ '|' ~ (meta | tojson) ~ '|' ~ values | join(';'))) }}
{% endmacro %}
