{#- app.events from Segment track calls: one event per call (macros/adapters/
    vendor_product_events.sql maps the event name and the user, vendor segment in the
    identity seed). An anonymous call (no userId) is quarantined (missing_required).
    Segment has no session id: session_id is null. -#}
with

vendor_events as (
    select
        cast(id as {{ dbt.type_string() }}) as event_id,
        cast(user_id as {{ dbt.type_string() }}) as vendor_user_id,
        cast(event_text as {{ dbt.type_string() }}) as event_name,
        {{ adapter.quote('timestamp') }} as occurred_at,
        cast(null as {{ dbt.type_string() }}) as session_id
    from {{ source('segment', 'tracks') }}
),

{{ vendor_product_events('segment') }}
