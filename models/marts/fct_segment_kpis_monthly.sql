{{ config(materialized='view') }}

{#- Company KPIs (fct_kpis_monthly) per segment key and calendar month, for the
    members recorded in the membership history on the month's last recorded as_of.
    Trial conversion, activation and NPS count member users (user segments) or the
    users and trials of member accounts (account segments); onboarding completion,
    logo churn, gross MRR churn and NRR are account measures and stay null for user
    segments. Outcomes are as known on the warehouse's as_of. A view over the
    membership history, like every reader of membership. -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

history as (
    select
        as_of_date,
        segment_key,
        entity_type,
        entity_id
    from {{ ref('fct_segment_membership_history') }}
),

users as (
    select
        user_id,
        account_id,
        signup_date,
        activation_date
    from {{ ref('int_user_engagement') }}
),

trials as (
    select
        trial_id,
        account_id,
        user_id,
        trial_end_date,
        converted_at
    from {{ ref('int_trials') }}
),

-- the member entity a user or trial counts for: the user itself, and its account
entity_users as (
    select
        'user' as entity_type,
        user_id as entity_id,
        user_id
    from users
    union all
    select
        'account' as entity_type,
        account_id as entity_id,
        user_id
    from users
),

entity_trials as (
    select
        'user' as entity_type,
        user_id as entity_id,
        trial_id
    from trials
    union all
    select
        'account' as entity_type,
        account_id as entity_id,
        trial_id
    from trials
),

onboarding as (
    select
        account_id,
        first_paid_month,
        is_onboarded
    from {{ ref('int_account_onboarding') }}
),

movements as (
    select
        account_id,
        mrr_month,
        movement,
        previous_mrr,
        expansion_mrr,
        contraction_mrr,
        churned_mrr
    from {{ ref('fct_mrr_movements') }}
),

responses as (
    select
        user_id,
        response_month,
        nps_category
    from {{ ref('int_nps_responses_deduplicated_to_user_months') }}
),

month_as_of as (
    select
        cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as kpi_month,
        max(as_of_date) as as_of_date
    from history
    group by cast({{ dbt.date_trunc('month', 'as_of_date') }} as date)
),

cohort as (
    select
        month_as_of.kpi_month,
        month_as_of.as_of_date,
        history.segment_key,
        history.entity_type,
        history.entity_id
    from history
    inner join month_as_of on history.as_of_date = month_as_of.as_of_date
),

sizes as (
    select
        kpi_month,
        as_of_date,
        segment_key,
        entity_type,
        count(*) as members
    from cohort
    group by kpi_month, as_of_date, segment_key, entity_type
),

cohort_users as (
    select
        cohort.kpi_month,
        cohort.segment_key,
        cohort.entity_type,
        users.user_id,
        users.signup_date,
        users.activation_date
    from cohort
    inner join entity_users
        on
            cohort.entity_type = entity_users.entity_type
            and cohort.entity_id = entity_users.entity_id
    inner join users on entity_users.user_id = users.user_id
),

cohort_trials as (
    select
        cohort.kpi_month,
        cohort.segment_key,
        cohort.entity_type,
        trials.trial_id,
        trials.trial_end_date,
        trials.converted_at
    from cohort
    inner join entity_trials
        on
            cohort.entity_type = entity_trials.entity_type
            and cohort.entity_id = entity_trials.entity_id
    inner join trials on entity_trials.trial_id = trials.trial_id
),

trial_kpis as (
    select
        cohort_trials.kpi_month,
        cohort_trials.segment_key,
        cohort_trials.entity_type,
        count(*) as trials_ended,
        {{ count_where("cohort_trials.converted_at is not null") }} as trials_converted
    from cohort_trials
    inner join as_of on cohort_trials.trial_end_date <= as_of.as_of_date
    where cast({{ dbt.date_trunc('month', 'cohort_trials.trial_end_date') }} as date) = cohort_trials.kpi_month
    group by cohort_trials.kpi_month, cohort_trials.segment_key, cohort_trials.entity_type
),

activation_kpis as (
    select
        kpi_month,
        segment_key,
        entity_type,
        count(*) as signups,
        {{ count_where(
            "activation_date <= cast(" ~ dbt.dateadd('day', var('activation_window_days'), 'signup_date') ~ " as date)"
        ) }} as activated_signups
    from cohort_users
    where cast({{ dbt.date_trunc('month', 'signup_date') }} as date) = kpi_month
    group by kpi_month, segment_key, entity_type
),

nps_kpis as (
    select
        cohort_users.kpi_month,
        cohort_users.segment_key,
        cohort_users.entity_type,
        count(*) as nps_responses,
        {{ count_where("responses.nps_category = 'promoter'") }} as nps_promoters,
        {{ count_where("responses.nps_category = 'detractor'") }} as nps_detractors
    from cohort_users
    inner join responses
        on
            cohort_users.user_id = responses.user_id
            and cohort_users.kpi_month = responses.response_month
    group by cohort_users.kpi_month, cohort_users.segment_key, cohort_users.entity_type
),

cohort_accounts as (
    select
        kpi_month,
        segment_key,
        entity_type,
        entity_id as account_id
    from cohort
    where entity_type = 'account'
),

onboarding_kpis as (
    select
        cohort_accounts.kpi_month,
        cohort_accounts.segment_key,
        cohort_accounts.entity_type,
        count(*) as new_paying_accounts,
        {{ count_where("onboarding.is_onboarded") }} as onboarded_accounts
    from cohort_accounts
    inner join onboarding
        on
            cohort_accounts.account_id = onboarding.account_id
            and cohort_accounts.kpi_month = onboarding.first_paid_month
    group by cohort_accounts.kpi_month, cohort_accounts.segment_key, cohort_accounts.entity_type
),

mrr_kpis as (
    select
        cohort_accounts.kpi_month,
        cohort_accounts.segment_key,
        cohort_accounts.entity_type,
        sum(movements.previous_mrr) as starting_mrr,
        sum(movements.expansion_mrr) as expansion_mrr,
        sum(movements.contraction_mrr) as contraction_mrr,
        sum(movements.churned_mrr) as churned_mrr,
        {{ count_where("movements.previous_mrr > 0") }} as starting_customers,
        {{ count_where("movements.movement = 'churn'") }} as churned_customers
    from cohort_accounts
    inner join movements
        on
            cohort_accounts.account_id = movements.account_id
            and cohort_accounts.kpi_month = movements.mrr_month
    group by cohort_accounts.kpi_month, cohort_accounts.segment_key, cohort_accounts.entity_type
),

counts as (
    select
        sizes.kpi_month,
        sizes.as_of_date,
        sizes.segment_key,
        sizes.entity_type,
        sizes.members,
        coalesce(trial_kpis.trials_ended, 0) as trials_ended,
        coalesce(trial_kpis.trials_converted, 0) as trials_converted,
        coalesce(activation_kpis.signups, 0) as signups,
        coalesce(activation_kpis.activated_signups, 0) as activated_signups,
        coalesce(nps_kpis.nps_responses, 0) as nps_responses,
        coalesce(nps_kpis.nps_promoters, 0) as nps_promoters,
        coalesce(nps_kpis.nps_detractors, 0) as nps_detractors,
        case when sizes.entity_type = 'account' then coalesce(onboarding_kpis.new_paying_accounts, 0) end
            as new_paying_accounts,
        case when sizes.entity_type = 'account' then coalesce(onboarding_kpis.onboarded_accounts, 0) end
            as onboarded_accounts,
        case when sizes.entity_type = 'account' then coalesce(mrr_kpis.starting_customers, 0) end
            as starting_customers,
        case when sizes.entity_type = 'account' then coalesce(mrr_kpis.churned_customers, 0) end
            as churned_customers,
        case when sizes.entity_type = 'account' then cast(coalesce(mrr_kpis.starting_mrr, 0) as decimal(38, 4)) end
            as starting_mrr,
        case when sizes.entity_type = 'account' then cast(coalesce(mrr_kpis.expansion_mrr, 0) as decimal(38, 4)) end
            as expansion_mrr,
        case
            when sizes.entity_type = 'account' then cast(coalesce(mrr_kpis.contraction_mrr, 0) as decimal(38, 4))
        end as contraction_mrr,
        case when sizes.entity_type = 'account' then cast(coalesce(mrr_kpis.churned_mrr, 0) as decimal(38, 4)) end
            as churned_mrr
    from sizes
    left join trial_kpis
        on
            sizes.kpi_month = trial_kpis.kpi_month
            and sizes.segment_key = trial_kpis.segment_key
            and sizes.entity_type = trial_kpis.entity_type
    left join activation_kpis
        on
            sizes.kpi_month = activation_kpis.kpi_month
            and sizes.segment_key = activation_kpis.segment_key
            and sizes.entity_type = activation_kpis.entity_type
    left join nps_kpis
        on
            sizes.kpi_month = nps_kpis.kpi_month
            and sizes.segment_key = nps_kpis.segment_key
            and sizes.entity_type = nps_kpis.entity_type
    left join onboarding_kpis
        on
            sizes.kpi_month = onboarding_kpis.kpi_month
            and sizes.segment_key = onboarding_kpis.segment_key
            and sizes.entity_type = onboarding_kpis.entity_type
    left join mrr_kpis
        on
            sizes.kpi_month = mrr_kpis.kpi_month
            and sizes.segment_key = mrr_kpis.segment_key
            and sizes.entity_type = mrr_kpis.entity_type
)

select
    kpi_month,
    as_of_date,
    segment_key,
    entity_type,
    members,
    trials_ended,
    trials_converted,
    signups,
    activated_signups,
    new_paying_accounts,
    onboarded_accounts,
    starting_customers,
    churned_customers,
    starting_mrr,
    expansion_mrr,
    contraction_mrr,
    churned_mrr,
    nps_responses,
    nps_promoters,
    nps_detractors,
    cast(trials_converted as {{ type_double() }}) / nullif(trials_ended, 0) as trial_conversion_rate,
    cast(activated_signups as {{ type_double() }}) / nullif(signups, 0) as activation_rate,
    cast(onboarded_accounts as {{ type_double() }}) / nullif(new_paying_accounts, 0) as onboarding_completion_rate,
    cast(churned_customers as {{ type_double() }}) / nullif(starting_customers, 0) as logo_churn_rate,
    cast(contraction_mrr + churned_mrr as {{ type_double() }}) / nullif(starting_mrr, 0) as gross_mrr_churn_rate,
    cast(starting_mrr + expansion_mrr - contraction_mrr - churned_mrr as {{ type_double() }})
    / nullif(starting_mrr, 0) as nrr,
    cast(100 * (nps_promoters - nps_detractors) as {{ type_double() }}) / nullif(nps_responses, 0) as nps
from counts
