{#- Accounts created by as_of. -#}
with

as_of as (
    select
        as_of_date,
        as_of_end_date
    from {{ ref('int_as_of_date') }}
),

accounts as (
    select
        account_id,
        account_name,
        industry,
        employee_count,
        region,
        location_type,
        created_at,
        acquisition_channel,
        potential_arr_usd,
        is_beta_program,
        primary_need
    from {{ ref('stg_crm__accounts') }}
)

select
    accounts.account_id,
    accounts.account_name,
    accounts.industry,
    accounts.employee_count,
    accounts.region,
    accounts.location_type,
    accounts.created_at,
    accounts.acquisition_channel,
    accounts.potential_arr_usd,
    accounts.is_beta_program,
    accounts.primary_need,
    {{ days_between('cast(accounts.created_at as date)', 'as_of.as_of_date') }} as account_age_days
from accounts
inner join as_of on accounts.created_at < as_of.as_of_end_date
