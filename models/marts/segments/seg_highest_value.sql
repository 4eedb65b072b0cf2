{#- The 80/20 accounts: the high value tier (seg_value_tier_high), read as "who pays most". -#}
with

high_tier as (
    select
        account_id,
        as_of_date,
        arr_usd,
        arr_rank,
        paying_accounts,
        total_arr_usd,
        arr_share,
        cumulative_arr_share
    from {{ ref('seg_value_tier_high') }}
)

select
    account_id,
    as_of_date,
    arr_usd,
    arr_rank,
    paying_accounts,
    total_arr_usd,
    arr_share,
    cumulative_arr_share,
    {{ dbt.concat([
        "'ARR rank '",
        "cast(arr_rank as " ~ dbt.type_string() ~ ")",
        "' of '",
        "cast(paying_accounts as " ~ dbt.type_string() ~ ")",
        "' paying accounts: ARR $'",
        "cast(cast(arr_usd as decimal(18, 0)) as " ~ dbt.type_string() ~ ")",
        "' = '",
        "cast(cast(100 * arr_share as decimal(9, 1)) as " ~ dbt.type_string() ~ ")",
        "'% of total ARR (within the top accounts holding '",
        "cast(cast(100 * " ~ var('value_tier_high_share') ~ " as decimal(9, 1)) as " ~ dbt.type_string() ~ ")",
        "'% of ARR)'",
    ]) }} as reason
from high_tier
