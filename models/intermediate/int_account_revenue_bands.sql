{#- Revenue band of every account created by as_of, by ARR in USD on as_of:
    `high` >= revenue_band_high_min_arr, `medium` >= revenue_band_medium_min_arr,
    else `low`. A non-paying account (free, trial or churned) has ARR 0 and is
    therefore `low`; is_paying lets a consumer leave those out. -#}
with

revenue as (
    select
        account_id,
        is_paying,
        mrr_usd,
        arr_usd
    from {{ ref('int_account_revenue') }}
)

select
    account_id,
    is_paying,
    mrr_usd,
    arr_usd,
    case
        when arr_usd >= {{ var('revenue_band_high_min_arr') }} then 'high'
        when arr_usd >= {{ var('revenue_band_medium_min_arr') }} then 'medium'
        else 'low'
    end as revenue_band
from revenue
