with

staged as (
    select
        ticket_id,
        account_id,
        user_id,
        created_at,
        resolved_at,
        priority,
        handle_minutes
    from {{ ref('base_helpdesk__tickets') }}
    where _row_status = 'staged'
)

select
    ticket_id,
    account_id,
    user_id,
    created_at,
    resolved_at,
    priority,
    cast(handle_minutes as integer) as handle_minutes
from staged
