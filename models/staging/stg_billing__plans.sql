with

staged as (
    select
        plan_id,
        plan_name,
        plan_rank,
        list_price_monthly,
        is_paid
    from {{ ref('base_billing__plans') }}
    where _row_status = 'staged'
)

select
    plan_id,
    plan_name,
    cast(plan_rank as integer) as plan_rank,
    list_price_monthly as list_price_monthly_usd,
    is_paid
from staged
