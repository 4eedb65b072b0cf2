{#- Per account created by as_of: its descriptive traits, one column each, with
    `unknown` for a missing value so every trait is exhaustive over accounts.
    size_band from employee_count: 1-10 (<= 10), 11-50, 51-200, 201-1000, 1000+
    (> 1000). revenue_band is int_account_revenue_bands' band by ARR on as_of (`high`
    from revenue_band_high_min_arr, `medium` from revenue_band_medium_min_arr, `low`
    below) for a paying account, and `none` for an account not paying on as_of (it
    has no revenue to band; int_account_revenue_bands would call it `low`). -#}
with

accounts as (
    select
        account_id,
        industry,
        employee_count,
        region,
        location_type,
        primary_need
    from {{ ref('int_accounts_as_of') }}
),

revenue_bands as (
    select
        account_id,
        is_paying,
        arr_usd,
        revenue_band
    from {{ ref('int_account_revenue_bands') }}
)

select
    accounts.account_id,
    accounts.employee_count,
    accounts.primary_need,
    coalesce(revenue_bands.is_paying, false) as is_paying,
    coalesce(revenue_bands.arr_usd, 0) as arr_usd,
    coalesce(accounts.industry, 'unknown') as industry,
    case
        when accounts.employee_count is null then 'unknown'
        when accounts.employee_count <= 10 then '1-10'
        when accounts.employee_count <= 50 then '11-50'
        when accounts.employee_count <= 200 then '51-200'
        when accounts.employee_count <= 1000 then '201-1000'
        else '1000+'
    end as size_band,
    coalesce(accounts.region, 'unknown') as region,
    coalesce(accounts.location_type, 'unknown') as location_type,
    case
        when coalesce(revenue_bands.is_paying, false) then revenue_bands.revenue_band
        else 'none'
    end as revenue_band
from accounts
left join revenue_bands on accounts.account_id = revenue_bands.account_id
