with

staged as (
    select
        trial_id,
        account_id,
        user_id,
        plan_id,
        started_at,
        ends_at,
        converted_at,
        cancelled_at
    from {{ ref('base_billing__trials') }}
    where _row_status = 'staged'
)

select
    trial_id,
    account_id,
    user_id,
    plan_id,
    started_at,
    ends_at,
    converted_at,
    cancelled_at
from staged
