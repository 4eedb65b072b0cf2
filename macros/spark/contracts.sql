{#- Model contracts on Spark. The marts' YAML declares portable type names (text,
    double precision, ...; tests/test_contracts.py keeps them portable), which DuckDB
    and PostgreSQL accept as they are. Spark names two of them differently, so the
    declared columns are translated before dbt compares them with what the model
    returns: contracts stay enforced, from the same YAML, on every engine. -#}

{#- The Spark name of a portable type name. `float` is what dbt.type_float() gives,
    an 8-byte double on Spark (as on PostgreSQL). -#}
{% macro spark_type_name(data_type) -%}
    {%- set names = {'text': 'string', 'double precision': 'double', 'float': 'double'} -%}
    {{- return(names.get(data_type | lower | trim, data_type)) -}}
{%- endmacro %}

{#- dbt casts null to each declared type to learn the contract's column types. -#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set translated = {} -%}
    {%- for name, column in columns.items() -%}
        {%- set spark_column = {} -%}
        {%- do spark_column.update(column) -%}
        {%- if column.get('data_type') -%}
            {%- do spark_column.update({'data_type': spark_type_name(column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: spark_column}) -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(translated)) }}
{% endmacro %}
