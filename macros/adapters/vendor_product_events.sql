{#- The rest of a product analytics adapter (Segment, Amplitude) after its import CTE
    `vendor_events` (event_id, vendor_user_id, event_name, occurred_at, session_id):
    the CTEs that make contract events of them and the final select. The event name
    maps to an event type and feature key through the seed event_name_map; a name not
    listed passes through as the event type and staging quarantines it (unknown_enum).
    The user is the seed vendor_identity_map's row (`vendor`, object user) for the
    vendor's user id, else that id; the account is that user's (stg_app__users). -#}
{% macro vendor_product_events(vendor) -%}
event_map as (
    select
        event,
        event_type,
        feature_key
    from {{ ref('event_name_map') }}
),

overrides as (
    {{ vendor_identity_overrides(vendor, 'user') }}
),

user_accounts as (
    select
        user_id,
        account_id
    from {{ ref('stg_app__users') }}
),

identified as (
    select
        vendor_events.event_id,
        vendor_events.occurred_at,
        event_map.feature_key,
        vendor_events.session_id,
        coalesce(overrides.user_id, vendor_events.vendor_user_id) as user_id,
        coalesce(event_map.event_type, vendor_events.event_name) as event_type
    from vendor_events
    left join event_map
        on vendor_events.event_name = event_map.event
    left join overrides
        on vendor_events.vendor_user_id = overrides.vendor_id
)

select
    identified.event_id,
    identified.user_id,
    user_accounts.account_id,
    identified.occurred_at,
    identified.event_type,
    identified.feature_key,
    identified.session_id
from identified
left join user_accounts
    on identified.user_id = user_accounts.user_id
{%- endmacro %}
