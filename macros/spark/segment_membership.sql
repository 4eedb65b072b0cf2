{#- The membership history on Spark is a Parquet table partitioned by model_name and
    as_of_date (dbt_project.yml). Parquet tables take no DELETE, and segments run in
    parallel threads must not share a write directory, so:
      post-hook 1 drops the segment's partition for the as_of (a segment with no
        members this time keeps none from an earlier run);
      post-hook 2 writes its members with a dynamic-partition insert overwrite, which
        stages each write in its own directory and replaces only that partition. -#}
{% macro spark__delete_segment_membership(history, as_of) %}
    {%- set as_of_date = run_query('select cast(as_of_date as string) from ' ~ as_of).columns[0].values()[0] -%}
    alter table {{ history }} drop if exists partition (model_name = '{{ model.name }}', as_of_date = '{{ as_of_date }}')
{% endmacro %}

{#- Columns by position: the table's own columns, then its partition columns. -#}
{% macro spark__insert_segment_membership(history, meta) %}
    insert overwrite table {{ history }} partition (model_name, as_of_date)
    select
        {{ meta.key_column if meta.get('key_column') else "'" ~ meta.key ~ "'" }} as segment_key,
        '{{ meta.grain }}' as entity_type,
        cast({{ meta.grain }}_id as {{ dbt.type_string() }}) as entity_id,
        reason,
        '{{ model.name }}' as model_name,
        as_of_date
    from {{ this }}
{% endmacro %}
