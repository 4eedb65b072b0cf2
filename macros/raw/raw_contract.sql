{#- The raw source contract as data, read from the sources' YAML (see
    models/staging/_sources.yml). Returns a list of tables:
    {source_name, name, identifier, required_nonempty, columns: [{name, type, key,
    nullable, enum, on_unknown}]} in declaration order. Execution time only. -#}
{% macro raw_contract_tables() %}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values() if node.package_name == project_name -%}
        {%- set table_meta = node.config.get('meta', {}) or node.get('meta', {}) -%}
        {%- set columns = [] -%}
        {%- for column in node.columns.values() -%}
            {%- do columns.append(raw_contract_column(column)) -%}
        {%- endfor -%}
        {%- do tables.append({
            'source_name': node.source_name,
            'name': node.name,
            'identifier': node.identifier,
            'required_nonempty': table_meta.get('required_nonempty', false),
            'columns': columns,
        }) -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}

{% macro raw_contract_column(column) %}
    {%- set meta = (column.get('config', {}) or {}).get('meta', {}) or column.get('meta', {}) -%}
    {{ return({
        'name': column.name,
        'type': meta.get('type', 'text'),
        'key': meta.get('key', false),
        'nullable': meta.get('nullable', false),
        'enum': meta.get('enum', []),
        'on_unknown': meta.get('on_unknown', 'quarantine'),
        'range_check': meta.get('range_check', meta.get('type', 'text') == 'timestamp'),
    }) }}
{% endmacro %}

{#- One contract table by source and table name. -#}
{% macro raw_contract_table(source_name, table_name) %}
    {%- for table in raw_contract_tables() -%}
        {%- if table.source_name == source_name and table.name == table_name -%}
            {{ return(table) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("no raw contract for source " ~ source_name ~ "." ~ table_name) }}
{% endmacro %}
