{#- Quality gates of the segments (segments.md "Segment quality gates"). -#}

{#- Every segment model with what segment_quality reads from it: its relation (none
    when the table does not exist yet), the SQL expression of its segment key, the
    rule inputs it needs (`meta.segment.inputs`, names from quality_input_names(); at
    least one) and the reconciliations it relies on (`meta.segment.reconciliations`,
    check names of quality_reconciliations). Relations come from the graph, not ref(),
    so segment_quality needs no edge to each segment model. -#}
{% macro segment_quality_sources() %}
    {%- set sources = [] -%}
    {%- for node in segment_nodes() -%}
        {%- set meta = segment_meta(node) -%}
        {%- set inputs = meta.get('inputs') or [] -%}
        {%- if not inputs -%}
            {{ exceptions.raise_compiler_error("segment model '" ~ node.name ~ "': meta.segment.inputs must name the rule's inputs (one or more of " ~ quality_input_names() | join(', ') ~ ")") }}
        {%- endif -%}
        {%- for name in inputs if name not in quality_input_names() -%}
            {{ exceptions.raise_compiler_error("segment model '" ~ node.name ~ "': unknown input '" ~ name ~ "' in meta.segment.inputs; known: " ~ quality_input_names() | join(', ')) }}
        {%- endfor -%}
        {%- do sources.append({
            'model_name': node.name,
            'relation': adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias),
            'inputs': inputs,
            'reconciliations': meta.get('reconciliations') or [],
            'flag': meta.get('flag'),
        }) -%}
    {%- endfor -%}
    {{ return(sources) }}
{% endmacro %}

{#- A relation of (model_name, <name_column>) rows, one per pair of ``pairs`` (text
    columns); no rows when ``pairs`` is empty. -#}
{% macro model_name_pairs(pairs, name_column) %}
    {%- set text = dbt.type_string() -%}
    {%- for model_name, name in pairs %}
        select
            cast('{{ model_name }}' as {{ text }}) as model_name,
            cast('{{ name }}' as {{ text }}) as {{ name_column }}
        {%- if not loop.last %}
        union all
        {%- endif %}
    {%- else %}
        select
            cast(null as {{ text }}) as model_name,
            cast(null as {{ text }}) as {{ name_column }}
        where 1 = 0
    {%- endfor %}
{%- endmacro %}

{#- The minimum member count in force: the demo floor when quality_profile is demo. -#}
{% macro min_segment_size() %}
    {{- return(var('min_segment_size_demo') if var('quality_profile') == 'demo' else var('min_segment_size')) -}}
{% endmacro %}

{#- run-operation, after a build passed its audit: append segment_quality's rows to
    segment_quality_history (replacing rows of the same run, so a retry cannot
    duplicate them). Columns are matched by name. -#}
{% macro record_segment_quality() %}
    {%- set history = ref('segment_quality_history') -%}
    {%- set quality = ref('segment_quality') -%}
    {#- columns of both (a history table created by an earlier version keeps columns
        segment_quality no longer has; they stay null for new runs) -#}
    {%- set produced = adapter.get_columns_in_relation(quality) | map(attribute='name') | list -%}
    {%- set columns = [] -%}
    {%- for name in adapter.get_columns_in_relation(history) | map(attribute='name')
        if name in produced or name == 'recorded_at' -%}
        {%- do columns.append(name) -%}
    {%- endfor -%}
    {%- set values = [] -%}
    {%- for name in columns -%}
        {%- do values.append(dbt.current_timestamp() ~ ' as recorded_at' if name == 'recorded_at' else name) -%}
    {%- endfor -%}
    {%- set insert = 'insert into ' ~ history ~ ' (' ~ columns | join(', ') ~ ') select ' ~ values | join(', ') ~ ' from ' ~ quality -%}
    {%- set count = 'select count(*) from ' ~ history ~ ' where run_id in (select run_id from ' ~ quality ~ ')' -%}
    {%- if target.type == 'spark' -%}
        {#- one statement per call; Parquet tables take no DELETE, and a Spark refresh
            records once per run, into the run's own copy of the history -#}
        {%- do run_query(insert) -%}
        {%- set recorded = run_query(count).columns[0].values()[0] -%}
    {%- else -%}
        {%- call statement('record', fetch_result=True) -%}
            delete from {{ history }} where run_id in (select run_id from {{ quality }});
            {{ insert }};
            {{ count }}
        {%- endcall -%}
        {%- do adapter.commit() -%}
        {%- set recorded = load_result('record').table.columns[0].values()[0] -%}
    {%- endif -%}
    {{ log('recorded ' ~ recorded ~ ' segment quality rows', info=True) }}
{% endmacro %}
