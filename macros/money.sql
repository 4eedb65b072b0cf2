{#- A sum of USD amounts, decimal(38, 4) on every engine: DuckDB sums a decimal into
    decimal(38, s) and PostgreSQL into numeric, but Spark widens the sum of a
    decimal(p, s) by only 10 digits (decimal(18, 4) sums to decimal(28, 4)), which the
    marts' contracts would refuse. -#}
{% macro sum_money(expression) -%}
    cast(sum({{ expression }}) as decimal(38, 4))
{%- endmacro %}
