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

{#- A stable hash of a segment's definition: the SQL of the segment model and of every
    model upstream of it, the SQL of the project macros they call directly (e.g.
    nps_category_segment), its meta (without the quality gate's inputs,
    reconciliations and flag, which do not change who is a member) and the values of
    every var that SQL reads and of the thresholds it names. Vars that select the run
    rather than define the rule (definition_hash_run_vars) are left out, so an
    unchanged definition keeps its hash across as_of dates and raw dirs, and a change
    anywhere upstream gives a new hash. -#}
{% macro definition_hash_run_vars() %}
    {{ return([
        'as_of', 'raw_dir', 'raw_schema', 'data_test_scope', 'quality_profile', 'incremental_lookback_days',
        'restage_history',
    ]) }}
{% endmacro %}

{% macro segment_definition_hash(node) %}
    {%- set meta = segment_meta(node) -%}
    {%- set rule = {} -%}
    {%- for name, value in meta.items() if name not in ['inputs', 'reconciliations', 'flag'] -%}
        {%- do rule.update({name: value}) -%}
    {%- endfor -%}
    {%- set models = [node.unique_id] -%}
    {%- set frontier = [node.unique_id] -%}
    {%- for _ in range(1000) if frontier -%}
        {%- set upstream = [] -%}
        {%- for unique_id in frontier -%}
            {%- for parent in graph.nodes[unique_id].depends_on.nodes
                if parent.startswith('model.') and parent not in models and parent not in upstream -%}
                {%- do upstream.append(parent) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- do models.extend(upstream) -%}
        {%- do frontier.clear() -%}
        {%- do frontier.extend(upstream) -%}
    {%- endfor -%}
    {%- set codes = [] -%}
    {%- set macro_ids = [] -%}
    {%- for unique_id in models | sort -%}
        {%- do codes.append(unique_id ~ '=' ~ graph.nodes[unique_id].raw_code) -%}
        {%- for macro_id in graph.nodes[unique_id].depends_on.macros
            if macro_id.startswith('macro.' ~ project_name ~ '.') and macro_id not in macro_ids -%}
            {%- do macro_ids.append(macro_id) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set macros = [] -%}
    {%- for macro_id in macro_ids | sort -%}
        {%- do macros.append(context[macro_id.split('.')[-1]].macro.macro_sql) -%}
    {%- endfor -%}
    {%- set names = meta.get('thresholds', []) | list -%}
    {%- for code in codes + macros -%}
        {%- for name in modules.re.findall("var\\(\\s*['\"](\\w+)['\"]", code) if name not in names -%}
            {%- do names.append(name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set values = [] -%}
    {%- for name in names | unique | sort if name not in definition_hash_run_vars() -%}
        {%- do values.append(name ~ '=' ~ (var(name, none) | tojson)) -%}
    {%- endfor -%}
    {{ return(local_md5(codes | join('|') ~ '|' ~ macros | join('|') ~ '|' ~ (rule | tojson) ~ '|' ~ values | join(';'))) }}
{% endmacro %}
