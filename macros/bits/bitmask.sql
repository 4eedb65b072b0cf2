{#- Bit sets in a bigint on every engine: `bit_flag(n)` is 2^n (0 <= n <= 62),
    `bit_or` (an aggregate on DuckDB, PostgreSQL and Spark alike) unions them and
    `bit_set_size(mask)` counts the bits set (a distinct count without a distinct
    aggregate). Models call `distinct_bit_count` (one macro on every engine, so a
    segment's definition hash is the same everywhere). -#}

{#- Aggregate: how many distinct `position`s (0..62) the group's rows where
    `condition` holds name; 0 when none. -#}
{% macro distinct_bit_count(position, condition) -%}
    coalesce({{ bit_set_size('bit_or(case when ' ~ condition ~ ' then ' ~ bit_flag(position) ~ ' end)') }}, 0)
{%- endmacro %}
{% macro bit_flag(position) -%}
    {{- adapter.dispatch('bit_flag', 'saas_segments')(position) -}}
{%- endmacro %}

{% macro default__bit_flag(position) -%}
    (cast(1 as {{ dbt.type_bigint() }}) << cast({{ position }} as integer))
{%- endmacro %}

{% macro spark__bit_flag(position) -%}
    shiftleft(cast(1 as bigint), cast({{ position }} as int))
{%- endmacro %}

{% macro bit_set_size(mask) -%}
    {{- adapter.dispatch('bit_set_size', 'saas_segments')(mask) -}}
{%- endmacro %}

{% macro default__bit_set_size(mask) -%}
    cast(bit_count({{ mask }}) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro postgres__bit_set_size(mask) -%}
    cast(bit_count(cast({{ mask }} as bit(64))) as bigint)
{%- endmacro %}

{#- The most positions a bigint bit set holds (bit 63 is the sign). -#}
{% macro bit_set_capacity() -%}63{%- endmacro %}
