with

staged as (
    select
        event_id,
        user_id,
        account_id,
        occurred_at,
        event_type,
        feature_key,
        session_id
    from {{ ref('base_app__events') }}
    where _row_status = 'staged'
)

select
    event_id,
    user_id,
    account_id,
    occurred_at,
    cast(occurred_at as date) as event_date,
    event_type,
    feature_key,
    session_id
from staged
