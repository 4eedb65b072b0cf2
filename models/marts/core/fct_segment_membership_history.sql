{{ config(materialized='incremental', full_refresh=false, on_schema_change='append_new_columns') }}

{#- Every segment's members for every as_of built. Filled by the segment models'
    post-hooks (delete + insert per model and as_of, so a re-run of a date replaces
    its rows); this model only creates the table and never rewrites history. -#}
select
    cast(null as date) as as_of_date,
    cast(null as {{ dbt.type_string() }}) as segment_key,
    cast(null as {{ dbt.type_string() }}) as entity_type,
    cast(null as {{ dbt.type_string() }}) as entity_id,
    cast(null as {{ dbt.type_string() }}) as reason,
    cast(null as {{ dbt.type_string() }}) as model_name
where 1 = 0
