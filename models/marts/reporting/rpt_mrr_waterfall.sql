{{ config(materialized='view') }}

{#- For every as_of in the membership history, the last MRR month measured on or
    before it (fct_mrr_monthly): start, the five movements and end, the waterfall. -#}
with

history as (
    select distinct as_of_date
    from {{ ref('fct_segment_membership_history') }}
),

months as (
    select
        mrr_month,
        measured_on_date,
        starting_mrr,
        new_mrr,
        expansion_mrr,
        contraction_mrr,
        churned_mrr,
        reactivation_mrr,
        ending_mrr
    from {{ ref('fct_mrr_monthly') }}
),

ranked as (
    select
        history.as_of_date,
        months.mrr_month,
        months.measured_on_date,
        months.starting_mrr,
        months.new_mrr,
        months.expansion_mrr,
        months.contraction_mrr,
        months.churned_mrr,
        months.reactivation_mrr,
        months.ending_mrr,
        row_number() over (partition by history.as_of_date order by months.mrr_month desc) as month_recency
    from history
    inner join months on history.as_of_date >= months.measured_on_date
)

select
    as_of_date,
    mrr_month,
    measured_on_date,
    starting_mrr,
    new_mrr,
    expansion_mrr,
    contraction_mrr,
    churned_mrr,
    reactivation_mrr,
    ending_mrr
from ranked
where month_recency = 1
