{#- MRR by month: starting MRR, the five movements, ending MRR, customers and the
    churn / retention rates. Every month from the first paid month to the as_of
    month has a row (int_mrr_monthly gives every account every month to as_of). -#}
with

months as (
    select distinct
        mrr_month,
        measured_on_date,
        is_month_complete
    from {{ ref('int_mrr_monthly') }}
),

movements as (
    select
        mrr_month,
        movement,
        previous_mrr,
        mrr,
        new_mrr,
        expansion_mrr,
        contraction_mrr,
        churned_mrr,
        reactivation_mrr
    from {{ ref('fct_mrr_movements') }}
),

by_month as (
    select
        mrr_month,
        sum(previous_mrr) as starting_mrr,
        sum(new_mrr) as new_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(reactivation_mrr) as reactivation_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(mrr) as ending_mrr,
        {{ count_where("previous_mrr > 0") }} as starting_customers,
        {{ count_where("mrr > 0") }} as customers,
        {{ count_where("movement = 'new'") }} as new_customers,
        {{ count_where("movement = 'reactivation'") }} as reactivated_customers,
        {{ count_where("movement = 'churn'") }} as churned_customers,
        {{ count_where("movement = 'expansion'") }} as expanded_customers,
        {{ count_where("movement = 'contraction'") }} as contracted_customers
    from movements
    group by mrr_month
),

filled as (
    select
        months.mrr_month,
        months.measured_on_date,
        months.is_month_complete,
        cast(coalesce(by_month.starting_mrr, 0) as decimal(38, 4)) as starting_mrr,
        cast(coalesce(by_month.new_mrr, 0) as decimal(38, 4)) as new_mrr,
        cast(coalesce(by_month.expansion_mrr, 0) as decimal(38, 4)) as expansion_mrr,
        cast(coalesce(by_month.reactivation_mrr, 0) as decimal(38, 4)) as reactivation_mrr,
        cast(coalesce(by_month.contraction_mrr, 0) as decimal(38, 4)) as contraction_mrr,
        cast(coalesce(by_month.churned_mrr, 0) as decimal(38, 4)) as churned_mrr,
        cast(coalesce(by_month.ending_mrr, 0) as decimal(38, 4)) as ending_mrr,
        coalesce(by_month.starting_customers, 0) as starting_customers,
        coalesce(by_month.customers, 0) as customers,
        coalesce(by_month.new_customers, 0) as new_customers,
        coalesce(by_month.reactivated_customers, 0) as reactivated_customers,
        coalesce(by_month.churned_customers, 0) as churned_customers,
        coalesce(by_month.expanded_customers, 0) as expanded_customers,
        coalesce(by_month.contracted_customers, 0) as contracted_customers
    from months
    left join by_month on months.mrr_month = by_month.mrr_month
)

select
    mrr_month,
    measured_on_date,
    is_month_complete,
    starting_mrr,
    new_mrr,
    expansion_mrr,
    reactivation_mrr,
    contraction_mrr,
    churned_mrr,
    ending_mrr,
    cast(ending_mrr - starting_mrr as decimal(38, 4)) as net_new_mrr,
    starting_customers,
    customers,
    new_customers,
    reactivated_customers,
    expanded_customers,
    contracted_customers,
    churned_customers,
    case
        when starting_mrr > 0
            then cast(contraction_mrr + churned_mrr as {{ type_double() }}) / starting_mrr
    end as gross_mrr_churn_rate,
    case
        when starting_mrr > 0
            then cast(contraction_mrr + churned_mrr - expansion_mrr as {{ type_double() }}) / starting_mrr
    end as net_mrr_churn_rate,
    case
        when starting_mrr > 0
            then
                cast(starting_mrr + expansion_mrr - contraction_mrr - churned_mrr as {{ type_double() }})
                / starting_mrr
    end as nrr,
    case
        when starting_customers > 0
            then cast(churned_customers as {{ type_double() }}) / starting_customers
    end as logo_churn_rate
from filled
