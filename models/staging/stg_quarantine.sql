{{ config(materialized='table') }}

{#- Every raw row that staging refused, with the rule it broke and its raw values. -#}
with

rejected as (
    {%- for entry in raw_staging_tables() %}
        select
            '{{ entry.table }}' as source_table,
            _record_key as record_key,
            _quarantine_rule as rule,
            _raw_record as raw_record
        from {{ ref('base_' ~ entry.model[4:]) }}
        where _row_status = 'quarantined'
        {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select
    source_table,
    record_key,
    rule,
    raw_record
from rejected
