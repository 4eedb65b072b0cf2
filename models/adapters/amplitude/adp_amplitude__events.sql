{#- app.events from Amplitude: one event per row of Fivetran's `event` table, its id
    Amplitude's `uuid` (macros/adapters/vendor_product_events.sql maps the event type
    and the user, vendor amplitude in the identity seed). A device-only event (no
    user_id) is quarantined (missing_required). The session is Amplitude's session_id
    (the session's start in epoch milliseconds) as text; -1 (an event outside any
    session) is no session. -#}
with

vendor_events as (
    select
        cast(uuid as {{ dbt.type_string() }}) as event_id,
        cast(user_id as {{ dbt.type_string() }}) as vendor_user_id,
        cast(event_type as {{ dbt.type_string() }}) as event_name,
        event_time as occurred_at,
        nullif(cast(session_id as {{ dbt.type_string() }}), '-1') as session_id
    from {{ source('amplitude', 'event') }}
),

{{ vendor_product_events('amplitude') }}
