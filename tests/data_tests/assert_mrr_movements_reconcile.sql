{#- Fails on any month where starting MRR + new + expansion + reactivation -
    contraction - churn differs from ending MRR, where starting MRR differs from the
    previous month's ending MRR, or where the as_of month's ending MRR differs from
    the paying accounts' MRR in int_account_revenue (all within 0.01 USD). -#}
with

monthly as (
    select
        mrr_month,
        starting_mrr,
        new_mrr,
        expansion_mrr,
        reactivation_mrr,
        contraction_mrr,
        churned_mrr,
        ending_mrr,
        lag(ending_mrr) over (order by mrr_month) as previous_ending_mrr,
        row_number() over (order by mrr_month desc) as recency
    from {{ ref('fct_mrr_monthly') }}
),

paying as (
    select coalesce(sum(mrr_usd), 0) as paying_mrr
    from {{ ref('int_account_revenue') }}
    where is_paying
),

checks as (
    select
        monthly.mrr_month,
        monthly.starting_mrr,
        monthly.ending_mrr,
        monthly.previous_ending_mrr,
        paying.paying_mrr,
        monthly.starting_mrr + monthly.new_mrr + monthly.expansion_mrr + monthly.reactivation_mrr
        - monthly.contraction_mrr - monthly.churned_mrr - monthly.ending_mrr as movement_gap,
        monthly.starting_mrr - coalesce(monthly.previous_ending_mrr, 0) as continuity_gap,
        case when monthly.recency = 1 then monthly.ending_mrr - paying.paying_mrr else 0 end as as_of_gap
    from monthly
    cross join paying
)

select
    mrr_month,
    starting_mrr,
    ending_mrr,
    previous_ending_mrr,
    paying_mrr,
    movement_gap,
    continuity_gap,
    as_of_gap
from checks
where
    abs(movement_gap) > 0.01
    or abs(continuity_gap) > 0.01
    or abs(as_of_gap) > 0.01
