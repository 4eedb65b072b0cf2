{#- Per account as of as_of: the running subscription period (if any), whether the
    account is paying (a running period on a paid plan), MRR/ARR in USD, and when it
    first paid. Periods of one account never overlap (staging quarantines overlaps),
    so at most one period runs on a day. -#}
with

accounts as (
    select account_id
    from {{ ref('int_accounts_as_of') }}
),

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

periods as (
    select
        account_id,
        plan_id,
        plan_name,
        plan_rank,
        is_paid,
        period_start,
        period_end,
        billing_interval,
        seats,
        mrr_usd
    from {{ ref('int_subscription_periods') }}
),

running as (
    select
        periods.account_id,
        periods.plan_id,
        periods.plan_name,
        periods.plan_rank,
        periods.is_paid,
        periods.period_start,
        periods.period_end,
        periods.billing_interval,
        periods.seats,
        periods.mrr_usd
    from periods
    inner join as_of
        on
            periods.period_start <= as_of.as_of_date
            and (periods.period_end is null or periods.period_end > as_of.as_of_date)
),

paid_history as (
    select
        account_id,
        min(period_start) as first_paid_date,
        max(coalesce(period_end, cast('9999-12-31' as date))) as last_paid_end_date
    from periods
    where is_paid
    group by account_id
)

select
    accounts.account_id,
    running.plan_id,
    running.plan_name,
    running.plan_rank,
    running.billing_interval,
    running.seats,
    running.period_start as current_period_start,
    running.period_end as current_period_end,
    paid_history.first_paid_date,
    coalesce(running.is_paid, false) as is_paying,
    coalesce(running.mrr_usd, 0) as mrr_usd,
    coalesce(cast(running.mrr_usd * 12 as decimal(18, 4)), 0) as arr_usd,
    (paid_history.first_paid_date is not null) as has_ever_paid
from accounts
left join running on accounts.account_id = running.account_id
left join paid_history on accounts.account_id = paid_history.account_id
