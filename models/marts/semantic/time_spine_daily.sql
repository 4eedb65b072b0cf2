{#- One row per calendar day for MetricFlow (the semantic layer's time spine): from
    raw_min_timestamp, before which staging accepts no timestamp, to
    time_spine_end_date. dbt.date_spine is dbt's cross-database day series. -#}
with

days as (
    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('raw_min_timestamp') ~ "' as date)",
        "cast('" ~ var('time_spine_end_date') ~ "' as date)"
    ) }}
)

select cast(date_day as date) as date_day
from days
