{%- set text = dbt.type_string() -%}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

revenue as (
    select
        account_id,
        mrr_usd
    from {{ ref('int_account_revenue') }}
    where is_paying
),

tiers as (
    select
        account_id,
        value_tier
    from {{ ref('int_account_value_tiers') }}
),

support as (
    select
        account_id,
        tickets_maintenance_window,
        handle_minutes_maintenance_window
    from {{ ref('int_account_support') }}
),

ratios as (
    select
        revenue.account_id,
        revenue.mrr_usd,
        tiers.value_tier,
        coalesce(support.tickets_maintenance_window, 0) as tickets_maintenance_window,
        coalesce(support.handle_minutes_maintenance_window, 0) as handle_minutes_maintenance_window,
        cast(coalesce(support.handle_minutes_maintenance_window, 0) as {{ type_double() }})
        / revenue.mrr_usd as minutes_per_mrr_usd
    from revenue
    left join tiers on revenue.account_id = tiers.account_id
    left join support on revenue.account_id = support.account_id
    where revenue.mrr_usd > 0
),

ranked as (
    select
        account_id,
        mrr_usd,
        value_tier,
        tickets_maintenance_window,
        handle_minutes_maintenance_window,
        minutes_per_mrr_usd,
        percent_rank() over (order by minutes_per_mrr_usd) as maintenance_percentile,
        count(*) over () as ranked_accounts
    from ratios
),

members as (
    select
        account_id,
        mrr_usd,
        value_tier,
        tickets_maintenance_window,
        handle_minutes_maintenance_window,
        minutes_per_mrr_usd,
        maintenance_percentile,
        ranked_accounts
    from ranked
    where
        value_tier = 'low'
        and maintenance_percentile >= {{ var('maintenance_top_quantile') }}
)

select
    members.account_id,
    as_of.as_of_date,
    members.value_tier,
    members.mrr_usd,
    members.tickets_maintenance_window,
    members.handle_minutes_maintenance_window,
    members.minutes_per_mrr_usd,
    members.maintenance_percentile,
    members.ranked_accounts,
    {{ dbt.concat([
        "'low value tier; '",
        "cast(members.handle_minutes_maintenance_window as " ~ text ~ ")",
        "' support minutes on '",
        "cast(members.tickets_maintenance_window as " ~ text ~ ")",
        "' tickets in last " ~ var('maintenance_window_days') ~ " days for $'",
        "cast(cast(members.mrr_usd as decimal(18, 0)) as " ~ text ~ ")",
        "' MRR = '",
        "cast(cast(members.minutes_per_mrr_usd as decimal(18, 2)) as " ~ text ~ ")",
        "' min per USD, percentile '",
        "cast(cast(100 * members.maintenance_percentile as decimal(9, 1)) as " ~ text ~ ")",
        "' of '",
        "cast(members.ranked_accounts as " ~ text ~ ")",
        "' paying accounts'",
    ]) }} as reason
from members
cross join as_of
