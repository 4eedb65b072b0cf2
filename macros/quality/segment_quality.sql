{#- Quality gates of the segments (segments.md "Segment quality gates"). -#}

{#- Columns of a segment table that identify a member rather than measure it. -#}
{% macro segment_identity_columns() %}
    {{ return(['user_id', 'account_id', 'as_of_date', 'segment_key', 'trait_name', 'trait_value', 'reason']) }}
{% endmacro %}

{#- The rule's metric columns of a segment model: `meta.segment.metrics` when its YAML
    lists them; else the non-identity columns that carry a not_null test; else, when it
    tests none, every non-identity column. A segment with a column that is empty by
    design for some members (e.g. the date of a contraction that not every at-risk
    account had, the first early feature of a beta-only early adopter) lists its
    metrics, so that column is not counted. -#}
{% macro segment_metric_columns(node) %}
    {%- set meta = segment_meta(node) -%}
    {%- if meta.get('metrics') is not none -%}
        {{ return(meta.metrics) }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for name in node.columns if name not in segment_identity_columns() -%}
        {%- do columns.append(name) -%}
    {%- endfor -%}
    {%- set required = [] -%}
    {%- for test in graph.nodes.values() if test.resource_type == 'test' and test.get('attached_node') == node.unique_id -%}
        {%- if test.get('test_metadata') and test.test_metadata.name == 'not_null' and test.column_name in columns -%}
            {%- do required.append(test.column_name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return((required or columns) | unique | sort | list) }}
{% endmacro %}

{#- Every segment model with what segment_quality reads from it: its relation (none
    when the table does not exist yet), the SQL expression of its segment key and its
    metric columns. Relations come from the graph, not ref(), so segment_quality needs
    no edge to each segment model. -#}
{% macro segment_quality_sources() %}
    {%- set sources = [] -%}
    {%- for node in segment_nodes() -%}
        {%- set meta = segment_meta(node) -%}
        {%- do sources.append({
            'model_name': node.name,
            'relation': adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias),
            'key_sql': meta.key_column if meta.get('key_column') else "'" ~ meta.key ~ "'",
            'metrics': segment_metric_columns(node),
        }) -%}
    {%- endfor -%}
    {{ return(sources) }}
{% endmacro %}

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
    {%- set columns = adapter.get_columns_in_relation(history) | map(attribute='name') | list -%}
    {%- set values = [] -%}
    {%- for name in columns -%}
        {%- do values.append(dbt.current_timestamp() ~ ' as recorded_at' if name == 'recorded_at' else name) -%}
    {%- endfor -%}
    {%- call statement('record', fetch_result=True) -%}
        delete from {{ history }} where run_id in (select run_id from {{ quality }});
        insert into {{ history }} ({{ columns | join(', ') }})
        select {{ values | join(', ') }} from {{ quality }};
        select count(*) from {{ history }} where run_id in (select run_id from {{ quality }})
    {%- endcall -%}
    {%- do adapter.commit() -%}
    {{ log('recorded ' ~ load_result('record').table.columns[0].values()[0] ~ ' segment quality rows', info=True) }}
{% endmacro %}
