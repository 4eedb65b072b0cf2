{{ config(materialized='view') }}

{#- Members of every segment on the current as_of: one row per segment and entity,
    with the reason. A view over the history, so it always shows what the segment
    models recorded in this build, whatever order they ran in. -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

history as (
    select
        as_of_date,
        segment_key,
        entity_type,
        entity_id,
        reason
    from {{ ref('fct_segment_membership_history') }}
)

select
    history.as_of_date,
    history.segment_key,
    history.entity_type,
    history.entity_id,
    history.reason
from history
inner join as_of on history.as_of_date = as_of.as_of_date
