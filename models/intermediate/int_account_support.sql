{#- Support load per account as of as_of: tickets, high/urgent tickets and agent
    handle minutes created in the last at_risk_ticket_window_days and the last
    maintenance_window_days (each window = the N days ending on as_of, by the
    ticket's creation day; tickets created after as_of are ignored). A ticket without
    handle_minutes counts as 0 minutes. Every account created by as_of has a row. -#}
with

as_of as (
    select
        as_of_date,
        as_of_end_date,
        cast({{ dbt.dateadd('day', 1 - var('at_risk_ticket_window_days'), 'as_of_date') }} as date)
            as ticket_window_start_date,
        cast({{ dbt.dateadd('day', 1 - var('maintenance_window_days'), 'as_of_date') }} as date)
            as maintenance_window_start_date
    from {{ ref('int_as_of_date') }}
),

accounts as (
    select account_id
    from {{ ref('int_accounts_as_of') }}
),

tickets as (
    select
        account_id,
        created_at,
        priority,
        handle_minutes
    from {{ ref('stg_helpdesk__tickets') }}
),

tickets_as_of as (
    select
        tickets.account_id,
        tickets.priority,
        coalesce(tickets.handle_minutes, 0) as handle_minutes,
        cast(tickets.created_at as date) >= as_of.ticket_window_start_date as is_in_ticket_window,
        cast(tickets.created_at as date) >= as_of.maintenance_window_start_date as is_in_maintenance_window
    from tickets
    inner join as_of on tickets.created_at < as_of.as_of_end_date
),

ticket_rollup as (
    select
        account_id,
        {{ count_where("is_in_ticket_window") }} as tickets_ticket_window,
        {{ count_where("is_in_ticket_window and priority in ('high', 'urgent')") }}
            as urgent_tickets_ticket_window,
        {{ count_where("is_in_maintenance_window") }} as tickets_maintenance_window,
        cast(sum(case when is_in_maintenance_window then handle_minutes else 0 end) as bigint)
            as handle_minutes_maintenance_window,
        count(*) as tickets_ever
    from tickets_as_of
    group by account_id
)

select
    accounts.account_id,
    coalesce(ticket_rollup.tickets_ticket_window, 0) as tickets_ticket_window,
    coalesce(ticket_rollup.urgent_tickets_ticket_window, 0) as urgent_tickets_ticket_window,
    coalesce(ticket_rollup.tickets_maintenance_window, 0) as tickets_maintenance_window,
    coalesce(ticket_rollup.handle_minutes_maintenance_window, 0) as handle_minutes_maintenance_window,
    coalesce(ticket_rollup.tickets_ever, 0) as tickets_ever
from accounts
left join ticket_rollup on accounts.account_id = ticket_rollup.account_id
