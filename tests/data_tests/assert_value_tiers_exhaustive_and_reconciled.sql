{#- Fails on any paying account that is in no value tier segment or in more than
    one, any tier member that is not a paying account, and on a difference of more
    than 0.01 USD between the tiers' ARR sum and the paying accounts' total ARR. -#}
with

paying as (
    select
        account_id,
        arr_usd
    from {{ ref('int_account_revenue') }}
    where is_paying
),

tier_members as (
    select
        account_id,
        arr_usd,
        value_tier
    from {{ ref('seg_value_tier_high') }}
    union all
    select
        account_id,
        arr_usd,
        value_tier
    from {{ ref('seg_value_tier_medium') }}
    union all
    select
        account_id,
        arr_usd,
        value_tier
    from {{ ref('seg_value_tier_low') }}
),

memberships as (
    select
        coalesce(paying.account_id, tier_members.account_id) as account_id,
        count(tier_members.account_id) as tiers,
        max(case when paying.account_id is null then 1 else 0 end) as is_not_paying
    from paying
    full outer join tier_members on paying.account_id = tier_members.account_id
    group by coalesce(paying.account_id, tier_members.account_id)
),

membership_failures as (
    select
        account_id,
        case when is_not_paying = 1 then 'tier member is not a paying account' else 'paying account in tiers' end
            as failure,
        cast(tiers as {{ dbt.type_numeric() }}) as observed,
        cast(1 as {{ dbt.type_numeric() }}) as expected
    from memberships
    where tiers != 1 or is_not_paying = 1
),

totals as (
    select
        (select coalesce(sum(arr_usd), 0) from tier_members) as tier_arr_usd,
        (select coalesce(sum(arr_usd), 0) from paying) as total_arr_usd
),

reconciliation_failures as (
    select
        cast(null as {{ dbt.type_string() }}) as account_id,
        'tier ARR sum differs from total ARR' as failure,
        cast(tier_arr_usd as {{ dbt.type_numeric() }}) as observed,
        cast(total_arr_usd as {{ dbt.type_numeric() }}) as expected
    from totals
    where abs(tier_arr_usd - total_arr_usd) > 0.01
)

select
    account_id,
    failure,
    observed,
    expected
from membership_failures
union all
select
    account_id,
    failure,
    observed,
    expected
from reconciliation_failures
