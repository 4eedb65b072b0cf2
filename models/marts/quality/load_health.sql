{{ config(materialized='table') }}

{#- Load health per raw table (segments.md "Segment quality gates"): the share of the
    raw rows staging quarantined (stg_load_audit), against the warn / error ceilings
    max_quarantine_rate_warn and max_quarantine_rate_error. A feed that quarantines a
    large share of its rows fails here, naming the table, even when every segment
    still has members. -#}
{%- set text = dbt.type_string() -%}
{%- set float = dbt.type_float() -%}

with

load_audit as (
    select
        source_table,
        raw_rows,
        staged_rows,
        quarantined_rows
    from {{ ref('stg_load_audit') }}
),

rated as (
    select
        source_table,
        raw_rows,
        staged_rows,
        quarantined_rows,
        coalesce(cast(quarantined_rows as {{ float }}) / nullif(raw_rows, 0), 0) as quarantine_rate,
        cast({{ var('max_quarantine_rate_warn') }} as {{ float }}) as max_quarantine_rate_warn,
        cast({{ var('max_quarantine_rate_error') }} as {{ float }}) as max_quarantine_rate_error
    from load_audit
),

judged as (
    select
        source_table,
        raw_rows,
        staged_rows,
        quarantined_rows,
        quarantine_rate,
        max_quarantine_rate_warn,
        max_quarantine_rate_error,
        case
            when quarantine_rate > max_quarantine_rate_error then 'fail'
            when quarantine_rate > max_quarantine_rate_warn then 'warn'
            else 'pass'
        end as load_verdict
    from rated
)

select
    cast(source_table as {{ text }}) as source_table,
    raw_rows,
    staged_rows,
    quarantined_rows,
    quarantine_rate,
    max_quarantine_rate_warn,
    max_quarantine_rate_error,
    cast(load_verdict as {{ text }}) as load_verdict,
    cast(
        {{ dbt.concat([
            "'raw table '", "source_table", "': '", "cast(quarantined_rows as " ~ text ~ ")", "' of '",
            "cast(raw_rows as " ~ text ~ ")", "' rows quarantined ('",
            "cast(cast(100 * quarantine_rate as decimal(9, 1)) as " ~ text ~ ")", "'%'",
            "case when load_verdict = 'fail' then ' > error ceiling ' when load_verdict = 'warn' "
            ~ "then ' > warn ceiling ' else ' <= ' end",
            "cast(cast(100 * case when load_verdict = 'fail' then max_quarantine_rate_error "
            ~ "else max_quarantine_rate_warn end as decimal(9, 1)) as " ~ text ~ ")", "'%)'",
        ]) }} as {{ text }}
    ) as load_reason
from judged
