{#- Apache Spark versions of the portable casts and date arithmetic (macros/casting.sql
    dispatches to them). The session time zone must be UTC (profiles.yml sets it;
    spark__prepare_raw_sources checks it): Spark timestamps are instants shown and cut
    into dates in that zone. -#}

{#- Raw text values pass the same format checks as PostgreSQL's safe casts
    (macros/postgres/cast_functions.sql), which mirror DuckDB's try_cast, before Spark's
    try_cast reads them: on its own Spark reads more (a date followed by any text, a bare
    year) and less (`/` between date parts, `_` between digits) than DuckDB. Typed raw
    values (Parquet) are cast directly. -#}
{% macro spark__try_cast_as(expression, sql_type) -%}
    {%- set normalized = sql_type | lower | replace(' ', '') -%}
    {%- set text = 'cast(' ~ expression ~ ' as string)' -%}
    {%- set target_type = 'timestamp' if normalized == 'timestamptz' else sql_type -%}
    case
        when typeof({{ expression }}) <> 'string' then try_cast({{ expression }} as {{ target_type }})
    {%- if normalized.startswith('decimal(') or normalized.startswith('numeric(') %}
        when {{ text }} rlike r'{{ spark_number_pattern() }}'
            then try_cast(regexp_replace({{ text }}, r'[ \t\r\n_]', '') as {{ sql_type }})
    {%- elif normalized == 'date' %}
        {%- set pattern = spark_date_pattern() %}
        when
            {{ text }} rlike r'{{ pattern }}'
            and (
                regexp_extract({{ text }}, r'{{ pattern }}', 3) = ''
                or try_cast(concat('2000-01-01 ', regexp_extract({{ text }}, r'{{ pattern }}', 3)) as timestamp) is not null
            )
            then try_cast(replace(regexp_extract({{ text }}, r'{{ pattern }}', 1), '/', '-') as date)
    {%- elif normalized == 'timestamptz' %}
        when {{ text }} rlike r'{{ spark_timestamp_pattern() }}'
            then try_cast(
                regexp_replace(
                    regexp_replace({{ text }}, r'^[ \t\r\n]+|[ \t\r\n]+$', ''),
                    r'^([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})', '$1-$2-$3'
                ) as timestamp
            )
    {%- else %}
        {{ exceptions.raise_compiler_error("spark__try_cast_as: no safe cast to '" ~ sql_type ~ "'") }}
    {%- endif %}
    end
{%- endmacro %}

{#- plain or exponent notation, digits may be grouped with `_`, blanks around -#}
{% macro spark_number_pattern() -%}
    ^[ \t\r\n]*[+-]?([0-9][0-9_]*(\.[0-9_]*)?|\.[0-9][0-9_]*)([eE][+-]?[0-9]+)?[ \t\r\n]*$
{%- endmacro %}

{#- `yyyy-m-d` or `yyyy/m/d` (group 1), optionally a time (group 3) and anything after it -#}
{% macro spark_date_pattern() -%}
    ^[ \t\r\n]*([0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2})([ T]([0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)([ \t\r\n].*|[^0-9:.].*)?)?[ \t\r\n]*$
{%- endmacro %}

{#- a date, optionally a time with an offset (Z, +hh, +hh:mm, +hhmm), UTC or a zone name -#}
{% macro spark_timestamp_pattern() -%}
    ^[ \t\r\n]*[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?| ?UTC| [A-Za-z_]+/[A-Za-z_]+(/[A-Za-z_]+)?)?[ \t\r\n]*)?$
{%- endmacro %}

{#- In a UTC session a Spark timestamp read from text with an offset is already UTC. -#}
{% macro spark__utc_timestamp(expression) -%}
    {{ try_cast_as(expression, 'timestamptz') }}
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
    cast(datediff({{ end_date }}, {{ start_date }}) as bigint)
{%- endmacro %}

{#- Calendar boundaries crossed between the dates, as bigint (DuckDB's date_diff; the
    same as postgres__datediff). dbt-spark's own version counts months from
    months_between and fails on null dates. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set first = 'cast(' ~ first_date ~ ' as date)' -%}
    {%- set second = 'cast(' ~ second_date ~ ' as date)' -%}
    {%- set years = '(year(' ~ second ~ ') - year(' ~ first ~ '))' -%}
    {%- if datepart == 'day' -%}
        cast(datediff({{ second }}, {{ first }}) as bigint)
    {%- elif datepart == 'month' -%}
        cast({{ years }} * 12 + month({{ second }}) - month({{ first }}) as bigint)
    {%- elif datepart == 'quarter' -%}
        cast({{ years }} * 4 + quarter({{ second }}) - quarter({{ first }}) as bigint)
    {%- elif datepart == 'year' -%}
        cast({{ years }} as bigint)
    {%- else -%}
        {{ exceptions.raise_compiler_error("datediff on spark: unsupported datepart " ~ datepart) }}
    {%- endif -%}
{%- endmacro %}

{#- A timestamp, like `date + interval` on DuckDB and PostgreSQL (month ends are
    clamped: Jan 31 + 1 month = Feb 28); null in, null out. dbt-spark's own version
    drops fractions of a second and fails on null input. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, cast({{ interval }} as int), {{ from_date_or_timestamp }})
{%- endmacro %}

{#- Ordered like DuckDB's and PostgreSQL's string_agg (dbt-spark ignores the order):
    the values are collected with their sort key, sorted, then joined. Supports one
    ascending or descending sort expression. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause -%}
        {%- set order = order_by_clause | trim -%}
        {%- set order = order[9:] | trim if order.lower().startswith('order by ') else order -%}
        {%- set descending = order.lower().endswith(' desc') -%}
        {%- set key = order[:-5] if descending else (order[:-4] if order.lower().endswith(' asc') else order) -%}
        {%- set collected -%}
            transform(
                array_sort(collect_list(named_struct('sort_key', {{ key }}, 'value', {{ measure }}))),
                entry -> entry.value
            )
        {%- endset -%}
        {%- set collected = 'reverse(' ~ collected ~ ')' if descending else collected -%}
    {%- else -%}
        {%- set collected = 'collect_list(' ~ measure ~ ')' -%}
    {%- endif -%}
    array_join({{ 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' if limit_num else collected }}, {{ delimiter_text }})
{%- endmacro %}

{#- dbt's type_float is `float`, a 4-byte float on Spark: an 8-byte double as on
    PostgreSQL (the contracts' `float` is translated the same way, contracts.sql). -#}
{% macro spark__type_float() -%}
    double
{%- endmacro %}
