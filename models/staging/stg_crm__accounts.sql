with

staged as (
    select
        account_id,
        account_name,
        industry,
        employee_count,
        region,
        location_type,
        created_at,
        acquisition_channel,
        potential_arr,
        is_beta_program,
        primary_need
    from {{ ref('base_crm__accounts') }}
    where _row_status = 'staged'
)

select
    account_id,
    account_name,
    industry,
    cast(employee_count as integer) as employee_count,
    region,
    location_type,
    created_at,
    acquisition_channel,
    potential_arr as potential_arr_usd,
    is_beta_program,
    primary_need
from staged
