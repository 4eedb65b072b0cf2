{#- MRR movements per account and month (mrr-playbook: spine -> lag -> classify).
    Months with zero MRR both before and after are dropped, so every row is a month
    the account paid, or the month it churned. -#}
with

monthly as (
    select
        account_id,
        mrr_month,
        measured_on_date,
        is_month_complete,
        mrr_usd
    from {{ ref('int_mrr_monthly') }}
),

with_previous as (
    select
        account_id,
        mrr_month,
        measured_on_date,
        is_month_complete,
        mrr_usd as mrr,
        coalesce(lag(mrr_usd) over (partition by account_id order by mrr_month), 0) as previous_mrr,
        coalesce(
            max(case when mrr_usd > 0 then 1 else 0 end) over (
                partition by account_id order by mrr_month rows between unbounded preceding and 1 preceding
            ),
            0
        ) as had_mrr_before
    from monthly
),

classified as (
    select
        account_id,
        mrr_month,
        measured_on_date,
        is_month_complete,
        previous_mrr,
        mrr,
        case
            when previous_mrr = 0 and had_mrr_before = 0 then 'new'
            when previous_mrr = 0 then 'reactivation'
            when mrr = 0 then 'churn'
            when mrr > previous_mrr then 'expansion'
            when mrr < previous_mrr then 'contraction'
            else 'retained'
        end as movement
    from with_previous
    where previous_mrr > 0 or mrr > 0
)

select
    {{ dbt.concat(['account_id', "'|'", 'cast(mrr_month as ' ~ dbt.type_string() ~ ')']) }} as account_month_id,
    account_id,
    mrr_month,
    measured_on_date,
    is_month_complete,
    previous_mrr,
    mrr,
    mrr - previous_mrr as mrr_change,
    movement,
    case when movement = 'new' then mrr else 0 end as new_mrr,
    case when movement = 'expansion' then mrr - previous_mrr else 0 end as expansion_mrr,
    case when movement = 'contraction' then previous_mrr - mrr else 0 end as contraction_mrr,
    case when movement = 'churn' then previous_mrr else 0 end as churned_mrr,
    case when movement = 'reactivation' then mrr else 0 end as reactivation_mrr,
    case when mrr < previous_mrr then mrr else previous_mrr end as retained_mrr
from classified
