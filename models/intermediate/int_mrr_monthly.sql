{#- Account x month MRR spine in USD, from the account's first paid month to the
    as_of month. A month's MRR is the MRR of the paid period(s) running on the
    month's last day, or on as_of for the as_of month, so a mid-month change takes
    effect at the month's end and the as_of month equals int_account_revenue.mrr_usd.
    Annual billing is already spread (stg mrr_usd = amount_usd / 12) and currency is
    converted at the period's start rate, so a period's MRR never moves with fx.
    The month spine is built from digits (0-999 months, about 83 years), no packages. -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

paid_periods as (
    select
        account_id,
        period_start,
        period_end,
        mrr_usd
    from {{ ref('int_subscription_periods') }}
    where is_paid
),

first_paid as (
    select
        account_id,
        cast({{ dbt.date_trunc('month', 'min(period_start)') }} as date) as first_paid_month
    from paid_periods
    group by account_id
),

digits as (
    select 0 as digit
    union all
    select 1 as digit
    union all
    select 2 as digit
    union all
    select 3 as digit
    union all
    select 4 as digit
    union all
    select 5 as digit
    union all
    select 6 as digit
    union all
    select 7 as digit
    union all
    select 8 as digit
    union all
    select 9 as digit
),

month_offsets as (
    select ones.digit + 10 * tens.digit + 100 * hundreds.digit as month_offset
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
),

month_bounds as (
    select
        as_of.as_of_date,
        min(first_paid.first_paid_month) as first_month,
        cast({{ dbt.date_trunc('month', 'as_of.as_of_date') }} as date) as last_month
    from first_paid
    cross join as_of
    group by as_of.as_of_date
),

months as (
    select
        month_bounds.as_of_date,
        cast({{ dbt.dateadd('month', 'month_offsets.month_offset', 'month_bounds.first_month') }} as date)
            as mrr_month
    from month_bounds
    inner join month_offsets
        on
            month_offsets.month_offset
            <= {{ dbt.datediff('month_bounds.first_month', 'month_bounds.last_month', 'month') }}
),

months_measured as (
    select
        mrr_month,
        as_of_date,
        cast({{ dbt.last_day('mrr_month', 'month') }} as date) as month_end_date
    from months
),

account_months as (
    select
        first_paid.account_id,
        months_measured.mrr_month,
        months_measured.month_end_date,
        case
            when months_measured.month_end_date > months_measured.as_of_date then months_measured.as_of_date
            else months_measured.month_end_date
        end as measured_on_date
    from first_paid
    inner join months_measured on first_paid.first_paid_month <= months_measured.mrr_month
),

account_month_mrr as (
    select
        account_months.account_id,
        account_months.mrr_month,
        account_months.month_end_date,
        account_months.measured_on_date,
        count(paid_periods.account_id) as running_paid_periods,
        coalesce({{ sum_money('paid_periods.mrr_usd') }}, 0) as mrr_usd
    from account_months
    left join paid_periods
        on
            account_months.account_id = paid_periods.account_id
            and account_months.measured_on_date >= paid_periods.period_start
            and (paid_periods.period_end is null or account_months.measured_on_date < paid_periods.period_end)
    group by
        account_months.account_id,
        account_months.mrr_month,
        account_months.month_end_date,
        account_months.measured_on_date
)

select
    account_id,
    mrr_month,
    month_end_date,
    measured_on_date,
    running_paid_periods,
    mrr_usd,
    (measured_on_date = month_end_date) as is_month_complete
from account_month_mrr
