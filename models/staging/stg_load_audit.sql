{{ config(materialized='table') }}

{#- Per raw table: rows read, and where each went. raw_rows = staged_rows +
    quarantined_rows + collapsed_rows is tested; nothing is dropped silently. A CSV
    line the reader could not parse counts as a raw row and as a quarantined one
    (malformed_rows). -#}
with

rejected_lines as (
    select
        source_table,
        count(*) as malformed_rows
    from {{ raw_rejected_lines_relation() }}
    group by source_table
),

audited as (
    {%- for entry in raw_staging_tables() %}
        select
            '{{ entry.table }}' as source_table,
            '{{ entry.model }}' as staging_model,
            (select count(*) from {{ raw_relation(entry.source, entry.table) }}) as read_rows,
            (select count(*) from {{ ref(entry.model) }}) as staged_rows,
            sum(case when base._row_status = 'quarantined' then 1 else 0 end) as quarantined_rows,
            sum(case when base._row_status = 'collapsed' then 1 else 0 end) as collapsed_rows,
            sum(case when base._enum_mapped then 1 else 0 end) as mapped_to_other_rows
        from {{ ref('base_' ~ entry.model[4:]) }} as base
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

counted as (
    select
        audited.source_table,
        audited.staging_model,
        audited.staged_rows,
        audited.read_rows + coalesce(rejected_lines.malformed_rows, 0) as raw_rows,
        coalesce(audited.quarantined_rows, 0) + coalesce(rejected_lines.malformed_rows, 0) as quarantined_rows,
        coalesce(audited.collapsed_rows, 0) as collapsed_rows,
        coalesce(rejected_lines.malformed_rows, 0) as malformed_rows,
        coalesce(audited.mapped_to_other_rows, 0) as mapped_to_other_rows
    from audited
    left join rejected_lines
        on audited.source_table = rejected_lines.source_table
)

select
    source_table,
    staging_model,
    cast(raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
    cast(staged_rows as {{ dbt.type_bigint() }}) as staged_rows,
    cast(quarantined_rows as {{ dbt.type_bigint() }}) as quarantined_rows,
    cast(collapsed_rows as {{ dbt.type_bigint() }}) as collapsed_rows,
    cast(malformed_rows as {{ dbt.type_bigint() }}) as malformed_rows,
    cast(mapped_to_other_rows as {{ dbt.type_bigint() }}) as mapped_to_other_rows,
    coalesce(raw_rows = staged_rows + quarantined_rows + collapsed_rows, false) as is_reconciled
from counted
