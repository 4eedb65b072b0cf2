{#- Value tiers over paying accounts by ARR (the 80/20 rule): `high` is the smallest
    set of top accounts holding value_tier_high_share of total ARR (the account that
    crosses the line is in), `medium` the next value_tier_medium_share, `low` the rest.
    Ties in ARR are broken by account_id so tiers are deterministic. -#}
with

paying as (
    select
        account_id,
        arr_usd
    from {{ ref('int_account_revenue') }}
    where is_paying
),

ranked as (
    select
        account_id,
        arr_usd,
        cast(row_number() over (order by arr_usd desc, account_id asc) as bigint) as arr_rank,
        cast(sum(arr_usd) over () as decimal(38, 4)) as total_arr_usd,
        coalesce(
            sum(arr_usd) over (order by arr_usd desc, account_id asc rows between unbounded preceding and 1 preceding),
            0
        ) as arr_before_usd
    from paying
)

select
    account_id,
    arr_usd,
    arr_rank,
    total_arr_usd,
    arr_before_usd,
    case
        when total_arr_usd > 0 then cast(arr_usd as {{ type_double() }}) / cast(total_arr_usd as {{ type_double() }})
        else 0
    end as arr_share,
    case
        when total_arr_usd > 0
            then cast(arr_before_usd + arr_usd as {{ type_double() }}) / cast(total_arr_usd as {{ type_double() }})
        else 1
    end as cumulative_arr_share,
    case
        when total_arr_usd > 0 and arr_before_usd < {{ var('value_tier_high_share') }} * total_arr_usd then 'high'
        when
            total_arr_usd > 0
            and arr_before_usd
            < ({{ var('value_tier_high_share') }} + {{ var('value_tier_medium_share') }}) * total_arr_usd
            then 'medium'
        else 'low'
    end as value_tier
from ranked
