{#- The raw source contract as data, read from the sources' YAML (see
    models/staging/_sources.yml). Returns a list of tables:
    {source_name, name, identifier, required_nonempty, columns: [{name, type, key,
    nullable, enum, on_unknown}]} in declaration order. Execution time only. Vendor
    sources (source meta `vendor`, read by models/adapters) are not contract tables:
    `vendor` lists that vendor's tables instead (their columns are the ones its
    adapter reads), with the `schema` they are read from. -#}
{% macro raw_contract_tables(vendor=none) %}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values() if node.package_name == project_name and node.source_meta.get('vendor') == vendor -%}
        {%- set table_meta = node.config.get('meta', {}) or node.get('meta', {}) -%}
        {%- set columns = [] -%}
        {%- for column in node.columns.values() -%}
            {%- do columns.append(raw_contract_column(column)) -%}
        {%- endfor -%}
        {%- do tables.append({
            'source_name': node.source_name,
            'name': node.name,
            'identifier': node.identifier,
            'schema': node.schema,
            'required_nonempty': table_meta.get('required_nonempty', false),
            'feeds': table_meta.get('feeds', []),
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

{#- The contract tables read from the raw files: all but those the var
    `raw_table_sources` switches to a vendor adapter (macros/adapters/raw_relation.sql). -#}
{% macro raw_file_tables() %}
    {%- set tables = [] -%}
    {%- for table in raw_contract_tables() if raw_table_vendor(table.source_name, table.name) == 'files' -%}
        {%- do tables.append(table) -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}
