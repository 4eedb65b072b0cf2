{#- One row per user and feature ever used up to as_of: first and last use, and the
    days it was used in the recent window. -#}
with

as_of as (
    select
        as_of_end_date,
        recent_start_date
    from {{ ref('int_as_of_date') }}
),

events as (
    select
        user_id,
        account_id,
        event_date,
        feature_key
    from {{ ref('stg_app__events') }}
    where event_type = 'feature_used'
),

features as (
    select
        feature_key,
        is_core,
        is_most_valuable,
        is_activation,
        released_at
    from {{ ref('stg_app__features') }}
),

usage as (
    select
        events.user_id,
        events.feature_key,
        min(events.account_id) as account_id,
        min(events.event_date) as first_used_date,
        max(events.event_date) as last_used_date,
        count(*) as uses,
        count(distinct case when events.event_date >= as_of.recent_start_date then events.event_date end)
            as use_days_recent
    from events
    inner join as_of on events.event_date < as_of.as_of_end_date
    group by events.user_id, events.feature_key
)

select
    usage.user_id,
    usage.account_id,
    usage.feature_key,
    usage.first_used_date,
    usage.last_used_date,
    usage.uses,
    usage.use_days_recent,
    features.is_core,
    features.is_most_valuable,
    features.is_activation,
    features.released_at
from usage
inner join features on usage.feature_key = features.feature_key
