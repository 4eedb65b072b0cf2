{#- Project-wide post-hook: on PostgreSQL, a table a model has just written gets its
    planner statistics at once (ANALYZE samples it). Autovacuum would analyze it only
    later, and a plan made before that estimates a new table at a few rows: at scale s
    quality_reconciliations then chose nested loops over the invoices and ran 955 s
    instead of under a second. Views have no statistics; other engines need nothing. -#}
{% macro analyze_for_planner() %}
    {%- if target.type == 'postgres' and config.get('materialized') in ['table', 'incremental'] -%}
        analyze {{ this }}
    {%- endif -%}
{% endmacro %}
