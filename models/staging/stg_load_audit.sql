{{ config(materialized='table') }}

{#- Per raw table: rows read, and where each went. raw_rows = staged_rows +
    quarantined_rows + collapsed_rows is tested; nothing is dropped silently. -#}
with

audited as (
    {%- for entry in raw_staging_tables() %}
        select
            '{{ entry.table }}' as source_table,
            '{{ entry.model }}' as staging_model,
            (select count(*) from {{ source(entry.source, entry.table) }}) as raw_rows,
            (select count(*) from {{ ref(entry.model) }}) as staged_rows,
            sum(case when base._row_status = 'quarantined' then 1 else 0 end) as quarantined_rows,
            sum(case when base._row_status = 'collapsed' then 1 else 0 end) as collapsed_rows,
            sum(case when base._enum_mapped then 1 else 0 end) as mapped_to_other_rows
        from {{ ref('base_' ~ entry.model[4:]) }} as base
        {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select
    source_table,
    staging_model,
    cast(raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
    cast(staged_rows as {{ dbt.type_bigint() }}) as staged_rows,
    cast(coalesce(quarantined_rows, 0) as {{ dbt.type_bigint() }}) as quarantined_rows,
    cast(coalesce(collapsed_rows, 0) as {{ dbt.type_bigint() }}) as collapsed_rows,
    cast(coalesce(mapped_to_other_rows, 0) as {{ dbt.type_bigint() }}) as mapped_to_other_rows,
    coalesce(raw_rows = staged_rows + coalesce(quarantined_rows, 0) + coalesce(collapsed_rows, 0), false)
        as is_reconciled
from audited
