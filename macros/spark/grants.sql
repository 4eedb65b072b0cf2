{#- Apache Spark's own catalog has no privileges (GRANT is refused): the marts' select
    grants are not applied on Spark, as on DuckDB. A cluster that enforces access does
    it in its catalog (Unity Catalog, Ranger, Lake Formation), configured there. -#}
{% macro spark__apply_grants(relation, grant_config, should_revoke=True) %}
{% endmacro %}
