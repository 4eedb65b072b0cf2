{#- Model hooks (pre: enabled=true, post: false) for a query whose every hash join must
    build on the side written as the join's right side or `in` list: DuckDB otherwise
    picks the side it estimates smaller, and a filter it cannot estimate (a window of
    new rows among all history) can make it build on the large side. -#}
{% macro hash_join_sides_as_written(enabled=true) %}
    {{ return(adapter.dispatch('hash_join_sides_as_written', 'saas_segments')(enabled)) }}
{% endmacro %}

{% macro default__hash_join_sides_as_written(enabled) %}{% endmacro %}

{% macro duckdb__hash_join_sides_as_written(enabled) -%}
    {{ "set disabled_optimizers = 'build_side_probe_side'" if enabled else 'reset disabled_optimizers' }}
{%- endmacro %}
