{{ config(materialized='view') }}

{#- Members of every segment key on every as_of in the membership history, with the
    members on the previous recorded as_of (null when that as_of had none). A key
    recorded on the previous as_of only shows 0 members. A view, like every reader of
    the membership history (the segment models' post-hooks fill it). -#}
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
        entity_type,
        model_name
    from {{ ref('fct_segment_membership_history') }}
),

recorded_dates as (
    select distinct as_of_date
    from history
),

as_of_dates as (
    select
        as_of_date,
        lag(as_of_date) over (order by as_of_date) as previous_as_of_date
    from recorded_dates
),

counted as (
    select
        as_of_date,
        segment_key,
        entity_type,
        model_name,
        count(*) as members
    from history
    group by as_of_date, segment_key, entity_type, model_name
),

on_previous as (
    select
        as_of_dates.as_of_date,
        counted.segment_key,
        counted.entity_type,
        counted.model_name,
        counted.members
    from counted
    inner join as_of_dates on counted.as_of_date = as_of_dates.previous_as_of_date
),

sizes as (
    select
        on_previous.members as previous_members,
        coalesce(counted.as_of_date, on_previous.as_of_date) as as_of_date,
        coalesce(counted.segment_key, on_previous.segment_key) as segment_key,
        coalesce(counted.entity_type, on_previous.entity_type) as entity_type,
        coalesce(counted.model_name, on_previous.model_name) as model_name,
        coalesce(counted.members, 0) as members
    from counted
    full outer join on_previous
        on
            counted.as_of_date = on_previous.as_of_date
            and counted.segment_key = on_previous.segment_key
            and counted.entity_type = on_previous.entity_type
)

select
    sizes.as_of_date,
    sizes.segment_key,
    sizes.entity_type,
    sizes.members,
    sizes.previous_members,
    coalesce(catalogue.family, 'other') as family,  -- noqa: RF04
    sizes.segment_key like '%:%' as is_trait_or_need
from sizes
left join catalogue on sizes.model_name = catalogue.model_name
