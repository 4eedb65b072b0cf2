{#- Portable typing of raw values. Raw columns arrive as text (CSV) or typed
    (Parquet); every expression here accepts both and yields null when the value
    cannot be read, so staging can quarantine it with a reason. -#}

{% macro try_cast_as(expression, sql_type) -%}
    {{ return(adapter.dispatch('try_cast_as', 'saas_segments')(expression, sql_type)) }}
{%- endmacro %}

{% macro default__try_cast_as(expression, sql_type) -%}
    try_cast({{ expression }} as {{ sql_type }})
{%- endmacro %}

{#- Timestamp with any offset (or Z) to a UTC timestamp without time zone. -#}
{% macro utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'saas_segments')(expression)) }}
{%- endmacro %}

{% macro default__utc_timestamp(expression) -%}
    timezone('UTC', {{ try_cast_as(expression, 'timestamptz') }})
{%- endmacro %}

{% macro as_text(expression) -%}
    nullif(trim(cast({{ expression }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- The typed value of a raw column for a contract type. -#}
{% macro typed_raw_value(expression, type) -%}
    {%- if type == 'text' -%}
        {{ as_text(expression) }}
    {%- elif type == 'int' -%}
        {%- set number = try_cast_as(expression, 'decimal(38, 6)') -%}
        case when {{ number }} = floor({{ number }}) then cast({{ number }} as {{ dbt.type_bigint() }}) end
    {%- elif type == 'decimal' -%}
        {{ try_cast_as(expression, 'decimal(18, 4)') }}
    {%- elif type == 'bool' -%}
        case
            when lower({{ as_text(expression) }}) in ('true', 't', '1', 'yes', 'y') then true
            when lower({{ as_text(expression) }}) in ('false', 'f', '0', 'no', 'n') then false
        end
    {%- elif type == 'date' -%}
        {{ try_cast_as(expression, 'date') }}
    {%- elif type == 'timestamp' -%}
        {{ utc_timestamp(expression) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("unknown contract type '" ~ type ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#- The rule a raw value breaks when it cannot be read as its type. -#}
{% macro unparseable_rule(type) -%}
    {{ return({
        'int': 'unparseable_number', 'decimal': 'unparseable_number', 'bool': 'unparseable_boolean',
        'date': 'unparseable_date', 'timestamp': 'unparseable_timestamp',
    }.get(type)) }}
{%- endmacro %}

{#- An 8-byte float (dbt.type_float() is 4 bytes on some engines). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'saas_segments')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{#- Whole days from one date to another (end - start). -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'saas_segments')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    ({{ end_date }} - {{ start_date }})
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
    datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}
