{#- helpdesk.support_tickets from Zendesk: one row per ticket. resolved_at = the ticket
    metrics' solved_at; handle_minutes = its business minutes to full resolution
    (Zendesk records no agent handle time; this is the working time the ticket was
    open). An unset priority counts as `normal`; any value outside the contract is
    quarantined (unknown_enum). Identity: the account is the seed
    vendor_identity_map's (vendor zendesk, object organization), else the
    organization's external_id; the requester is the seed's (object user), else the
    Zendesk user's external_id, else the product user with that email (an email
    shared by several users matches none). A ticket without an account is
    quarantined (missing_required). -#}
with

tickets as (
    select
        cast(id as {{ dbt.type_string() }}) as ticket_id,
        created_at,
        lower(cast(priority as {{ dbt.type_string() }})) as priority,
        cast(requester_id as {{ dbt.type_string() }}) as requester_id,
        cast(organization_id as {{ dbt.type_string() }}) as organization_id
    from {{ source('zendesk', 'tickets') }}
),

metrics as (
    select
        cast(ticket_id as {{ dbt.type_string() }}) as ticket_id,
        solved_at,
        {{ vendor_json_text('full_resolution_time_in_minutes', 'business') }} as resolution_business_minutes
    from {{ source('zendesk', 'ticket_metrics') }}
),

organization_overrides as (
    {{ vendor_identity_overrides('zendesk', 'organization') }}
),

user_overrides as (
    {{ vendor_identity_overrides('zendesk', 'user') }}
),

organizations as (
    select
        cast(organizations.id as {{ dbt.type_string() }}) as organization_id,
        coalesce(overrides.account_id, cast(organizations.external_id as {{ dbt.type_string() }})) as account_id
    from {{ source('zendesk', 'organizations') }} as organizations
    left join organization_overrides as overrides
        on cast(organizations.id as {{ dbt.type_string() }}) = overrides.vendor_id
),

users_by_email as (
    select
        lower(email) as email,
        min(user_id) as user_id
    from {{ ref('stg_app__users') }}
    where email is not null
    group by lower(email)
    having count(*) = 1
),

requesters as (
    select
        cast(zendesk_users.id as {{ dbt.type_string() }}) as requester_id,
        coalesce(
            overrides.user_id, cast(zendesk_users.external_id as {{ dbt.type_string() }}), users_by_email.user_id
        ) as user_id
    from {{ source('zendesk', 'users') }} as zendesk_users
    left join user_overrides as overrides
        on cast(zendesk_users.id as {{ dbt.type_string() }}) = overrides.vendor_id
    left join users_by_email
        on lower(trim(cast(zendesk_users.email as {{ dbt.type_string() }}))) = users_by_email.email
),

final as (
    select
        tickets.ticket_id,
        organizations.account_id,
        requesters.user_id,
        tickets.created_at,
        metrics.solved_at as resolved_at,
        metrics.resolution_business_minutes as handle_minutes,
        coalesce(tickets.priority, 'normal') as priority
    from tickets
    left join metrics
        on tickets.ticket_id = metrics.ticket_id
    left join organizations
        on tickets.organization_id = organizations.organization_id
    left join requesters
        on tickets.requester_id = requesters.requester_id
)

select
    ticket_id,
    account_id,
    user_id,
    created_at,
    resolved_at,
    priority,
    handle_minutes
from final
