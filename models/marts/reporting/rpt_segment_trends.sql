{{ config(materialized='view') }}

{#- Members per segment on every as_of in the membership history, trait and need keys
    left out: the report charts the as_of dates up to its own, one panel per family. -#}
with

catalogue as (
    select
        model_name,
        family
    from {{ ref('dim_segments') }}
),

history as (
    select
        as_of_date,
        segment_key,
        model_name
    from {{ ref('fct_segment_membership_history') }}
    where segment_key not like '%:%'
),

counted as (
    select
        as_of_date,
        segment_key,
        model_name,
        count(*) as members
    from history
    group by as_of_date, segment_key, model_name
)

select
    counted.as_of_date,
    counted.segment_key,
    counted.members,
    coalesce(catalogue.family, 'other') as family  -- noqa: RF04
from counted
left join catalogue on counted.model_name = catalogue.model_name
