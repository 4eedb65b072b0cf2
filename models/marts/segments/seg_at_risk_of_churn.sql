{%- set text = dbt.type_string() -%}
with

as_of as (
    select
        as_of_date,
        cast({{ dbt.dateadd('day', 1 - var('at_risk_contraction_window_days'), 'as_of_date') }} as date)
            as contraction_window_start_date
    from {{ ref('int_as_of_date') }}
),

revenue as (
    select
        account_id,
        mrr_usd,
        billing_interval,
        current_period_end
    from {{ ref('int_account_revenue') }}
    where is_paying
),

engagement as (
    select
        account_id,
        is_usage_dropped,
        active_users_recent,
        active_users_baseline,
        active_days_recent,
        active_days_baseline
    from {{ ref('int_account_engagement') }}
),

nps as (
    select
        account_id,
        account_latest_score,
        account_nps_category
    from {{ ref('int_nps_latest') }}
    group by account_id, account_latest_score, account_nps_category
),

periods as (
    select
        account_id,
        plan_id,
        seats,
        period_start,
        period_end,
        mrr_usd
    from {{ ref('int_subscription_periods') }}
),

support as (
    select
        account_id,
        urgent_tickets_ticket_window
    from {{ ref('int_account_support') }}
),

period_changes as (
    select
        account_id,
        plan_id,
        seats,
        period_start,
        mrr_usd,
        lag(plan_id) over (partition by account_id order by period_start) as previous_plan_id,
        lag(seats) over (partition by account_id order by period_start) as previous_seats,
        lag(period_end) over (partition by account_id order by period_start) as previous_period_end,
        lag(mrr_usd) over (partition by account_id order by period_start) as previous_mrr_usd
    from periods
),

contractions as (
    select
        period_changes.account_id,
        period_changes.period_start as contraction_date,
        period_changes.previous_mrr_usd as mrr_before_contraction,
        period_changes.mrr_usd as mrr_after_contraction,
        row_number() over (
            partition by period_changes.account_id order by period_changes.period_start desc
        ) as contraction_recency
    from period_changes
    inner join as_of
        on
            period_changes.period_start >= as_of.contraction_window_start_date
            and period_changes.period_start <= as_of.as_of_date
    where
        period_changes.previous_period_end = period_changes.period_start
        and period_changes.mrr_usd < period_changes.previous_mrr_usd
        and (
            period_changes.plan_id != period_changes.previous_plan_id
            or period_changes.seats != period_changes.previous_seats
        )
),

latest_contraction as (
    select
        account_id,
        contraction_date,
        mrr_before_contraction,
        mrr_after_contraction
    from contractions
    where contraction_recency = 1
),

signals as (
    select
        revenue.account_id,
        revenue.mrr_usd,
        coalesce(engagement.active_users_recent, 0) as active_users_recent,
        coalesce(engagement.active_users_baseline, 0) as active_users_baseline,
        coalesce(engagement.active_days_recent, 0) as active_days_recent,
        coalesce(engagement.active_days_baseline, 0) as active_days_baseline,
        nps.account_latest_score,
        latest_contraction.contraction_date,
        latest_contraction.mrr_before_contraction,
        latest_contraction.mrr_after_contraction,
        coalesce(support.urgent_tickets_ticket_window, 0) as urgent_tickets_recent,
        case
            when revenue.billing_interval = 'year' and revenue.current_period_end is not null
                then {{ dbt.datediff('as_of.as_of_date', 'revenue.current_period_end', 'day') }}
        end as days_to_renewal,
        coalesce(engagement.is_usage_dropped, true) as is_inactive,
        coalesce(nps.account_nps_category = 'detractor', false) as is_nps_detractor,
        (latest_contraction.account_id is not null) as has_recent_contraction,
        coalesce(support.urgent_tickets_ticket_window, 0) >= {{ var('at_risk_min_urgent_tickets') }}
            as has_urgent_tickets,
        (
            coalesce(engagement.active_days_recent, 0) * {{ var('baseline_window_days') }}
            < {{ var('at_risk_falling_usage_ratio') }} * coalesce(engagement.active_days_baseline, 0)
            * {{ var('recent_window_days') }}
        ) as is_usage_falling
    from revenue
    cross join as_of
    left join engagement on revenue.account_id = engagement.account_id
    left join nps on revenue.account_id = nps.account_id
    left join latest_contraction on revenue.account_id = latest_contraction.account_id
    left join support on revenue.account_id = support.account_id
),

scored as (
    select
        account_id,
        mrr_usd,
        active_users_recent,
        active_users_baseline,
        active_days_recent,
        active_days_baseline,
        account_latest_score,
        contraction_date,
        mrr_before_contraction,
        mrr_after_contraction,
        urgent_tickets_recent,
        days_to_renewal,
        is_inactive,
        is_nps_detractor,
        has_recent_contraction,
        has_urgent_tickets,
        coalesce(days_to_renewal <= {{ var('at_risk_renewal_window_days') }}, false) and is_usage_falling
            as is_renewal_with_falling_usage
    from signals
),

members as (
    select
        account_id,
        mrr_usd,
        active_users_recent,
        active_users_baseline,
        active_days_recent,
        active_days_baseline,
        account_latest_score,
        contraction_date,
        mrr_before_contraction,
        mrr_after_contraction,
        urgent_tickets_recent,
        days_to_renewal,
        is_inactive,
        is_nps_detractor,
        has_recent_contraction,
        has_urgent_tickets,
        is_renewal_with_falling_usage,
        case when is_inactive then 1 else 0 end
        + case when is_nps_detractor then 1 else 0 end
        + case when has_recent_contraction then 1 else 0 end
        + case when has_urgent_tickets then 1 else 0 end
        + case when is_renewal_with_falling_usage then 1 else 0 end as risk_score
    from scored
),

described as (
    select
        account_id,
        mrr_usd,
        active_users_recent,
        active_users_baseline,
        active_days_recent,
        active_days_baseline,
        account_latest_score,
        contraction_date,
        mrr_before_contraction,
        mrr_after_contraction,
        urgent_tickets_recent,
        days_to_renewal,
        is_inactive,
        is_nps_detractor,
        has_recent_contraction,
        has_urgent_tickets,
        is_renewal_with_falling_usage,
        risk_score,
        {{ dbt.concat([
            "case when is_inactive then " ~ dbt.concat([
                "'; inactive account ('",
                "cast(active_users_recent as " ~ text ~ ")",
                "' active users in last " ~ var('recent_window_days') ~ " days vs '",
                "cast(active_users_baseline as " ~ text ~ ")",
                "' in the " ~ var('baseline_window_days') ~ " before)'",
            ]) ~ " else '' end",
            "case when is_nps_detractor then " ~ dbt.concat([
                "'; NPS detractor (latest score '",
                "cast(account_latest_score as " ~ text ~ ")",
                "')'",
            ]) ~ " else '' end",
            "case when has_recent_contraction then " ~ dbt.concat([
                "'; MRR cut from $'",
                "cast(cast(mrr_before_contraction as decimal(18, 0)) as " ~ text ~ ")",
                "' to $'",
                "cast(cast(mrr_after_contraction as decimal(18, 0)) as " ~ text ~ ")",
                "' on '",
                "cast(contraction_date as " ~ text ~ ")",
            ]) ~ " else '' end",
            "case when has_urgent_tickets then " ~ dbt.concat([
                "'; '",
                "cast(urgent_tickets_recent as " ~ text ~ ")",
                "' high/urgent tickets in last " ~ var('at_risk_ticket_window_days') ~ " days'",
            ]) ~ " else '' end",
            "case when is_renewal_with_falling_usage then " ~ dbt.concat([
                "'; annual renewal in '",
                "cast(days_to_renewal as " ~ text ~ ")",
                "' days with falling usage ('",
                "cast(active_days_recent as " ~ text ~ ")",
                "' active days in last " ~ var('recent_window_days') ~ " vs '",
                "cast(active_days_baseline as " ~ text ~ ")",
                "' in the " ~ var('baseline_window_days') ~ " before)'",
            ]) ~ " else '' end",
        ]) }} as signal_list
    from members
    where risk_score >= {{ var('at_risk_min_score') }}
)

select
    described.account_id,
    as_of.as_of_date,
    described.mrr_usd,
    described.is_inactive,
    described.is_nps_detractor,
    described.has_recent_contraction,
    described.has_urgent_tickets,
    described.is_renewal_with_falling_usage,
    described.risk_score,
    described.active_users_recent,
    described.active_users_baseline,
    described.active_days_recent,
    described.active_days_baseline,
    described.account_latest_score,
    described.contraction_date,
    described.mrr_before_contraction,
    described.mrr_after_contraction,
    described.urgent_tickets_recent,
    described.days_to_renewal,
    {{ dbt.concat([
        "'risk score '",
        "cast(described.risk_score as " ~ text ~ ")",
        "'/5: '",
        dbt.right('described.signal_list', dbt.length('described.signal_list') ~ ' - 2'),
    ]) }} as reason
from described
cross join as_of
