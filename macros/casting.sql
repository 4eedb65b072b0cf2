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

{#- DuckDB: a finite instant's UTC wall time is its epoch microseconds (integer
    arithmetic; timezone() goes through ICU, about six times the CPU over a raw event
    table); infinity keeps timezone()'s value, so the result is the default's. -#}
{% macro duckdb__utc_timestamp(expression) -%}
    {%- set instant = try_cast_as(expression, 'timestamptz') -%}
    case
        when isfinite({{ instant }}) then make_timestamp(epoch_us({{ instant }}))
        else timezone('UTC', {{ instant }})
    end
{%- endmacro %}

{% macro as_text(expression) -%}
    nullif({{ trim_spaces('cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')') }}, '')
{%- endmacro %}

{#- A text value without its leading and trailing ASCII spaces, the same on every
    engine: PostgreSQL's and Spark's trim() strip only the space, DuckDB's trim() Unicode
    spaces too (NBSP, U+3000 ...), so the characters are named. A value padded with
    another space character keeps it (an id so padded matches no key: quarantined as an
    orphan on every engine). -#}
{% macro trim_spaces(expression) -%}
    {{ return(adapter.dispatch('trim_spaces', 'saas_segments')(expression)) }}
{%- endmacro %}

{% macro default__trim_spaces(expression) -%}
    trim(both ' ' from {{ expression }})
{%- endmacro %}

{#- DuckDB: trim() copies every value; a value without a space is its own trim, and
    checking for that costs half the copy over a raw event table. -#}
{% macro duckdb__trim_spaces(expression) -%}
    case
        when contains({{ expression }}, ' ') then trim({{ expression }}, ' ')
        else {{ expression }}
    end
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

{#- Whole days from one date to another (end - start). -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'saas_segments')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    ({{ end_date }} - {{ start_date }})
{%- endmacro %}

{#- PostgreSQL has no try_cast: raw text goes through the safe-cast functions that
    on-run-start creates (create_cast_functions). They return null for what DuckDB's
    try_cast refuses (checked by a format pattern first, then cast inside an exception
    block), so staging quarantines the same rows on both engines. -#}
{% macro postgres__try_cast_as(expression, sql_type) -%}
    {%- set normalized = sql_type | lower | replace(' ', '') -%}
    {%- set text = 'cast(' ~ expression ~ ' as text)' -%}
    {%- if normalized.startswith('decimal(') or normalized.startswith('numeric(') -%}
        {%- set precision, scale = normalized.split('(')[1].rstrip(')').split(',') -%}
        {{ cast_function_schema() }}.saas_try_numeric({{ text }}, {{ precision }}, {{ scale }})
    {%- elif normalized == 'date' -%}
        {{ cast_function_schema() }}.saas_try_date({{ text }})
    {%- elif normalized == 'timestamptz' -%}
        {{ cast_function_schema() }}.saas_try_timestamptz({{ text }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("postgres__try_cast_as: no safe cast to '" ~ sql_type ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#- timestamptz to timestamp at UTC, independent of the session time zone. -#}
{% macro postgres__utc_timestamp(expression) -%}
    ({{ try_cast_as(expression, 'timestamptz') }} at time zone 'UTC')
{%- endmacro %}

{#- Date differences are bigint on every engine (DuckDB's date_diff and date - date
    are bigint; PostgreSQL's are integer, or double precision for months and years). -#}
{% macro postgres__days_between(start_date, end_date) -%}
    cast(({{ end_date }} - {{ start_date }}) as bigint)
{%- endmacro %}

{% macro postgres__datediff(first_date, second_date, datepart) -%}
    {%- set first = '(' ~ first_date ~ ')::date' -%}
    {%- set second = '(' ~ second_date ~ ')::date' -%}
    {%- set years = "(date_part('year', " ~ second ~ ") - date_part('year', " ~ first ~ "))" -%}
    {%- if datepart == 'day' -%}
        cast(({{ second }} - {{ first }}) as bigint)
    {%- elif datepart == 'month' -%}
        cast({{ years }} * 12 + date_part('month', {{ second }}) - date_part('month', {{ first }}) as bigint)
    {%- elif datepart == 'quarter' -%}
        cast({{ years }} * 4 + date_part('quarter', {{ second }}) - date_part('quarter', {{ first }}) as bigint)
    {%- elif datepart == 'year' -%}
        cast({{ years }} as bigint)
    {%- else -%}
        {{ exceptions.raise_compiler_error("datediff on postgres: unsupported datepart " ~ datepart) }}
    {%- endif -%}
{%- endmacro %}

{#- Rows of the group where `condition` is true, as a bigint on every engine
    (count_if is DuckDB-only; sum(case ... 1 else 0) is HUGEINT there and numeric over
    bigints on PostgreSQL). For grouped selects: an empty input counts 0, not null. -#}
{% macro count_where(condition) -%}
    count(case when {{ condition }} then 1 end)
{%- endmacro %}

{#- Keyword for the typed raw rows a staging model reads in several branches:
    PostgreSQL computes them once (inlined, it would re-evaluate each typed column, a
    safe-cast function call, at every reference); DuckDB inlines them into each branch,
    which filters them in its scan (materialized, a wide table spills); Spark always
    inlines. -#}
{% macro typed_rows_cte() -%}
    {{- adapter.dispatch('typed_rows_cte', 'saas_segments')() -}}
{%- endmacro %}

{% macro default__typed_rows_cte() -%}{%- endmacro %}

{% macro duckdb__typed_rows_cte() -%}not materialized{%- endmacro %}

{% macro postgres__typed_rows_cte() -%}materialized{%- endmacro %}

{#- Keyword making a CTE referenced twice be inlined into each reference: DuckDB
    materializes such a CTE by default, which spills for a wide table. PostgreSQL
    keeps its default (computed once); Spark always inlines. -#}
{% macro inlined_cte() -%}
    {{- adapter.dispatch('inlined_cte', 'saas_segments')() -}}
{%- endmacro %}

{% macro default__inlined_cte() -%}{%- endmacro %}

{% macro duckdb__inlined_cte() -%}not materialized{%- endmacro %}
