{{ config(materialized='table') }}

{#- Every raw row that staging refused, with the rule it broke and its raw values, and
    every CSV line the reader could not parse (`malformed_<error>`), with its file and
    line number. -#}
with

rejected_lines as (
    select
        source_table,
        file_path,
        line,
        error_type,
        csv_line
    from {{ raw_rejected_lines_relation() }}
),

rejected_rows as (
    {%- for entry in raw_staging_tables() %}
        select
            '{{ entry.table }}' as source_table,
            _record_key as record_key,
            _quarantine_rule as rule,
            _raw_record as raw_record,
            cast(null as {{ dbt.type_string() }}) as source_file,
            cast(null as {{ dbt.type_bigint() }}) as source_line
        from {{ ref('base_' ~ entry.model[4:]) }}
        where _row_status = 'quarantined'
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

malformed_lines as (
    select
        source_table,
        {{ dbt.concat(['file_path', "':'", 'cast(line as ' ~ dbt.type_string() ~ ')']) }} as record_key,
        {{ dbt.concat(["'malformed_'", "lower(replace(error_type, ' ', '_'))"]) }} as rule,
        csv_line as raw_record,
        file_path as source_file,
        cast(line as {{ dbt.type_bigint() }}) as source_line
    from rejected_lines
),

final as (
    select
        source_table,
        record_key,
        rule,
        raw_record,
        source_file,
        source_line
    from rejected_rows
    union all
    select
        source_table,
        record_key,
        rule,
        raw_record,
        source_file,
        source_line
    from malformed_lines
)

select
    source_table,
    record_key,
    rule,
    raw_record,
    source_file,
    source_line
from final
