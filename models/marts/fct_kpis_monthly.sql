{#- Company KPIs by calendar month up to as_of (segments.md, "KPIs"):
    trial conversion (trials whose scheduled end fell in the month that converted by
    as_of), activation (users who signed up in the month and used an activation
    feature within activation_window_days of signup), onboarding completion (accounts
    whose first paid month it is that completed every onboarding milestone by as_of),
    logo churn, gross MRR churn and NRR (fct_mrr_monthly) and NPS (fct_nps_monthly). A
    month whose cohorts have not had their full window by as_of is flagged. -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

trials as (
    select
        trial_id,
        trial_end_date,
        converted_at
    from {{ ref('int_trials') }}
),

users as (
    select
        user_id,
        signup_date,
        activation_date
    from {{ ref('int_user_engagement') }}
),

onboarding as (
    select
        first_paid_month,
        is_onboarded
    from {{ ref('int_account_onboarding') }}
),

mrr as (
    select
        mrr_month,
        logo_churn_rate,
        gross_mrr_churn_rate,
        nrr
    from {{ ref('fct_mrr_monthly') }}
),

nps as (
    select
        month as nps_month,  -- noqa: RF04
        nps
    from {{ ref('fct_nps_monthly') }}
    where dimension = 'overall'
),

trial_months as (
    select
        cast({{ dbt.date_trunc('month', 'trials.trial_end_date') }} as date) as kpi_month,
        count(*) as trials_ended,
        {{ count_where("trials.converted_at is not null") }} as trials_converted
    from trials
    inner join as_of on trials.trial_end_date <= as_of.as_of_date
    group by cast({{ dbt.date_trunc('month', 'trials.trial_end_date') }} as date)
),

activation_months as (
    select
        cast({{ dbt.date_trunc('month', 'users.signup_date') }} as date) as kpi_month,
        count(*) as signups,
        cast(sum(
            case
                when users.activation_date
                    <= cast({{ dbt.dateadd('day', var('activation_window_days'), 'users.signup_date') }} as date)
                    then 1
                else 0
            end
        ) as bigint) as activated_signups,
        max(cast({{ dbt.dateadd('day', var('activation_window_days'), 'users.signup_date') }} as date))
        <= max(as_of.as_of_date) as is_activation_window_complete
    from users
    cross join as_of
    group by cast({{ dbt.date_trunc('month', 'users.signup_date') }} as date)
),

onboarding_months as (
    select
        first_paid_month as kpi_month,
        count(*) as new_paying_accounts,
        {{ count_where("is_onboarded") }} as onboarded_accounts
    from onboarding
    group by first_paid_month
),

months as (
    select kpi_month from trial_months
    union
    select kpi_month from activation_months
    union
    select kpi_month from onboarding_months
    union
    select mrr_month as kpi_month from mrr
)

select
    months.kpi_month,
    trial_months.trials_ended,
    trial_months.trials_converted,
    activation_months.signups,
    activation_months.activated_signups,
    activation_months.is_activation_window_complete,
    onboarding_months.new_paying_accounts,
    onboarding_months.onboarded_accounts,
    mrr.logo_churn_rate,
    mrr.gross_mrr_churn_rate,
    mrr.nrr,
    nps.nps,
    cast(trial_months.trials_converted as {{ type_double() }}) / nullif(trial_months.trials_ended, 0)
        as trial_conversion_rate,
    cast(activation_months.activated_signups as {{ type_double() }}) / nullif(activation_months.signups, 0)
        as activation_rate,
    cast(onboarding_months.onboarded_accounts as {{ type_double() }})
    / nullif(onboarding_months.new_paying_accounts, 0) as onboarding_completion_rate
from months
left join trial_months on months.kpi_month = trial_months.kpi_month
left join activation_months on months.kpi_month = activation_months.kpi_month
left join onboarding_months on months.kpi_month = onboarding_months.kpi_month
left join mrr on months.kpi_month = mrr.mrr_month
left join nps on months.kpi_month = nps.nps_month
