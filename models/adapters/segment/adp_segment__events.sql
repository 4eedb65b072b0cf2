{#- app.events from Segment track calls: one event per call. The event name maps to
    an event type and feature key through the seed segment_event_map; a name not
    listed passes through as the event type and staging quarantines it
    (unknown_enum). Identity: the user is the seed vendor_identity_map's row (vendor
    segment, object user) for the call's userId, else the userId itself; the account
    is that user's (stg_app__users). An anonymous call (no userId) is quarantined
    (missing_required). Segment has no session id: session_id is null. -#}
with

tracks as (
    select
        cast(id as {{ dbt.type_string() }}) as event_id,
        cast(user_id as {{ dbt.type_string() }}) as segment_user_id,
        cast(event_text as {{ dbt.type_string() }}) as event_name,
        {{ adapter.quote('timestamp') }} as occurred_at
    from {{ source('segment', 'tracks') }}
),

event_map as (
    select
        event,
        event_type,
        feature_key
    from {{ ref('segment_event_map') }}
),

overrides as (
    {{ vendor_identity_overrides('segment', 'user') }}
),

identified as (
    select
        tracks.event_id,
        tracks.occurred_at,
        event_map.feature_key,
        coalesce(overrides.user_id, tracks.segment_user_id) as user_id,
        coalesce(event_map.event_type, tracks.event_name) as event_type
    from tracks
    left join event_map
        on tracks.event_name = event_map.event
    left join overrides
        on tracks.segment_user_id = overrides.vendor_id
),

final as (
    select
        identified.event_id,
        identified.user_id,
        user_accounts.account_id,
        identified.occurred_at,
        identified.event_type,
        identified.feature_key,
        cast(null as {{ dbt.type_string() }}) as session_id
    from identified
    left join {{ ref('stg_app__users') }} as user_accounts
        on identified.user_id = user_accounts.user_id
)

select
    event_id,
    user_id,
    account_id,
    occurred_at,
    event_type,
    feature_key,
    session_id
from final
