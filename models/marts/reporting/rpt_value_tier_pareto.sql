{{ config(materialized='view') }}

{#- Paying accounts ranked by ARR with their value tier, the share of accounts up to
    each rank and the cumulative ARR share: the Pareto chart. Value tiers exist for the
    warehouse's as_of only. -#}
with

tiers as (
    select
        as_of_date,
        value_tier,
        arr_rank,
        paying_accounts,
        cumulative_arr_share,
        arr_usd
    from {{ ref('seg_value_tier_high') }}
    union all
    select
        as_of_date,
        value_tier,
        arr_rank,
        paying_accounts,
        cumulative_arr_share,
        arr_usd
    from {{ ref('seg_value_tier_medium') }}
    union all
    select
        as_of_date,
        value_tier,
        arr_rank,
        paying_accounts,
        cumulative_arr_share,
        arr_usd
    from {{ ref('seg_value_tier_low') }}
)

select
    as_of_date,
    value_tier,
    arr_rank,
    cast(arr_rank as {{ type_double() }}) / paying_accounts as account_share,
    cumulative_arr_share,
    arr_usd
from tiers
