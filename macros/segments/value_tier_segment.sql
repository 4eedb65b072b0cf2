{#- The whole SQL of a value-tier segment (seg_value_tier_high / medium / low):
    paying accounts whose value tier (int_account_value_tiers, 80/20 on ARR) is
    `tier` (high | medium | low), with their ARR, rank and shares. A segment model is
    one call: {{ value_tier_segment('high') }}. -#}
{% macro value_tier_segment(tier) -%}
{%- if tier not in ['high', 'medium', 'low'] -%}
    {{ exceptions.raise_compiler_error("value_tier_segment: tier must be high, medium or low, not '" ~ tier ~ "'") }}
{%- endif -%}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

tiers as (
    select
        account_id,
        value_tier,
        arr_usd,
        arr_rank,
        total_arr_usd,
        arr_share,
        cumulative_arr_share,
        count(*) over () as paying_accounts
    from {{ ref('int_account_value_tiers') }}
),

members as (
    select
        account_id,
        value_tier,
        arr_usd,
        arr_rank,
        paying_accounts,
        total_arr_usd,
        arr_share,
        cumulative_arr_share
    from tiers
    where value_tier = '{{ tier }}'
)

select
    members.account_id,
    as_of.as_of_date,
    members.value_tier,
    members.arr_usd,
    members.arr_rank,
    members.paying_accounts,
    members.total_arr_usd,
    members.arr_share,
    members.cumulative_arr_share,
    {{ dbt.concat([
        "'" ~ tier ~ " value tier: ARR $'",
        "cast(cast(members.arr_usd as decimal(18, 0)) as " ~ dbt.type_string() ~ ")",
        "', rank '",
        "cast(members.arr_rank as " ~ dbt.type_string() ~ ")",
        "' of '",
        "cast(members.paying_accounts as " ~ dbt.type_string() ~ ")",
        "' paying accounts, '",
        "cast(cast(100 * members.arr_share as decimal(9, 1)) as " ~ dbt.type_string() ~ ")",
        "'% of total ARR, top accounts to here hold '",
        "cast(cast(100 * members.cumulative_arr_share as decimal(9, 1)) as " ~ dbt.type_string() ~ ")",
        "'%'",
    ]) }} as reason
from members
cross join as_of
{%- endmacro %}
