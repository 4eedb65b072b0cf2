{{ config(materialized='view') }}

{#- How members move between segments from one recorded as_of to the next: for every
    pair of consecutive as_of dates in the membership history, the number of
    entities in segment A on the first date and in segment B on the next (A = B:
    stayed). An entity in no segment on a side counts as `(none)`. Trait and need
    memberships (keys with `:`) are left out. A view, like fct_segment_membership, so
    it reflects every segment recorded in this build. -#}
with

history as (
    select
        as_of_date,
        segment_key,
        entity_type,
        entity_id
    from {{ ref('fct_segment_membership_history') }}
    where segment_key not like '%:%'
),

dates as (
    select distinct as_of_date
    from history
),

date_pairs as (
    select
        as_of_date,
        lead(as_of_date) over (order by as_of_date) as next_as_of_date
    from dates
),

entities as (
    select distinct
        date_pairs.as_of_date,
        date_pairs.next_as_of_date,
        history.entity_type,
        history.entity_id
    from history
    inner join date_pairs
        on history.as_of_date in (date_pairs.as_of_date, date_pairs.next_as_of_date)
    where date_pairs.next_as_of_date is not null
),

moves as (
    select
        entities.as_of_date,
        entities.next_as_of_date,
        entities.entity_type,
        entities.entity_id,
        coalesce(before_state.segment_key, '(none)') as from_segment,
        coalesce(after_state.segment_key, '(none)') as to_segment
    from entities
    left join history as before_state
        on
            entities.entity_type = before_state.entity_type
            and entities.entity_id = before_state.entity_id
            and entities.as_of_date = before_state.as_of_date
    left join history as after_state
        on
            entities.entity_type = after_state.entity_type
            and entities.entity_id = after_state.entity_id
            and entities.next_as_of_date = after_state.as_of_date
)

select
    as_of_date,
    next_as_of_date,
    entity_type,
    from_segment,
    to_segment,
    {{ days_between('as_of_date', 'next_as_of_date') }} as days_apart,
    count(*) as members
from moves
group by as_of_date, next_as_of_date, entity_type, from_segment, to_segment
