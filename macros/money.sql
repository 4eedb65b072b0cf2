{#- A sum of USD amounts, decimal(38, 4) on every engine: DuckDB sums a decimal into
    decimal(38, s) and PostgreSQL into numeric, but Spark widens the sum of a
    decimal(p, s) by only 10 digits (decimal(18, 4) sums to decimal(28, 4)), which the
    marts' contracts would refuse. -#}
{% macro sum_money(expression) -%}
    cast(sum({{ expression }}) as decimal(38, 4))
{%- endmacro %}

{#- A money amount with at most 8 decimals divided by a positive whole number, rounded
    half away from zero to decimal(18, 4) exactly on every engine. PostgreSQL and Spark
    divide decimals exactly; DuckDB divides them as doubles, so a quotient that ends in
    a 5 at the fifth decimal (1465.97825) could round down there and up elsewhere. -#}
{% macro divide_money(amount, divisor) -%}
    {{ return(adapter.dispatch('divide_money', 'saas_segments')(amount, divisor)) }}
{%- endmacro %}

{% macro default__divide_money(amount, divisor) -%}
    cast(({{ amount }}) / ({{ divisor }}) as decimal(18, 4))
{%- endmacro %}

{#- In whole units of 10^-8 (exact for 8 decimals), integer division by divisor x 10^4
    with half the divisor added: the quotient in units of 10^-4, rounded. -#}
{% macro duckdb__divide_money(amount, divisor) -%}
    cast(
        cast(
            sign({{ amount }})
            * ((abs(cast(cast({{ amount }} as decimal(38, 8)) * 100000000 as hugeint)) + 5000 * ({{ divisor }})) // (10000 * ({{ divisor }})))
            as decimal(18, 0)
        ) * cast(0.0001 as decimal(5, 4))
        as decimal(18, 4)
    )
{%- endmacro %}
