{#- One row per account created by as_of: traits, revenue, value tier, lifecycle
    stage, users and the latest account NPS. Lifecycle stage, first match wins:
    `onboarding` paying and first paid at most onboarding_window_days before as_of;
    `customer` paying; `churned` paid before, not paying on as_of; `trial` a trial
    running on as_of (never paid); `free` a running subscription on a free plan;
    `prospect` otherwise. -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

accounts as (
    select
        account_id,
        account_name,
        created_at,
        account_age_days,
        acquisition_channel,
        potential_arr_usd,
        is_beta_program
    from {{ ref('int_accounts_as_of') }}
),

traits as (
    select
        account_id,
        industry,
        employee_count,
        size_band,
        region,
        location_type,
        revenue_band,
        primary_need
    from {{ ref('int_account_traits') }}
),

revenue as (
    select
        account_id,
        plan_id,
        plan_name,
        billing_interval,
        is_paying,
        mrr_usd,
        arr_usd,
        first_paid_date,
        has_ever_paid
    from {{ ref('int_account_revenue') }}
),

tiers as (
    select
        account_id,
        value_tier
    from {{ ref('int_account_value_tiers') }}
),

running_trials as (
    select distinct account_id
    from {{ ref('int_trials') }}
    where is_running
),

engagement as (
    select
        account_id,
        user_count,
        reachable_users,
        is_reachable,
        active_users_recent
    from {{ ref('int_account_engagement') }}
),

account_nps as (
    select distinct
        account_id,
        account_latest_score,
        account_nps_category
    from {{ ref('int_nps_latest') }}
),

joined as (
    select
        accounts.account_id,
        accounts.account_name,
        accounts.created_at,
        accounts.account_age_days,
        accounts.acquisition_channel,
        accounts.potential_arr_usd,
        accounts.is_beta_program,
        traits.industry,
        traits.employee_count,
        traits.size_band,
        traits.region,
        traits.location_type,
        traits.revenue_band,
        traits.primary_need,
        revenue.plan_name,
        revenue.billing_interval,
        revenue.first_paid_date,
        tiers.value_tier,
        account_nps.account_latest_score as latest_nps_score,
        account_nps.account_nps_category as latest_nps_category,
        coalesce(revenue.is_paying, false) as is_paying,
        coalesce(revenue.mrr_usd, 0) as mrr_usd,
        coalesce(revenue.arr_usd, 0) as arr_usd,
        coalesce(revenue.has_ever_paid, false) as has_ever_paid,
        revenue.plan_id is not null as has_running_subscription,
        running_trials.account_id is not null as has_running_trial,
        coalesce(engagement.user_count, 0) as user_count,
        coalesce(engagement.reachable_users, 0) as reachable_users,
        coalesce(engagement.is_reachable, false) as is_reachable,
        coalesce(engagement.active_users_recent, 0) as active_users_recent,
        case
            when revenue.first_paid_date is not null
                then {{ dbt.datediff('revenue.first_paid_date', 'as_of.as_of_date', 'day') }}
        end as days_since_first_paid,
        as_of.as_of_date
    from accounts
    cross join as_of
    left join traits on accounts.account_id = traits.account_id
    left join revenue on accounts.account_id = revenue.account_id
    left join tiers on accounts.account_id = tiers.account_id
    left join running_trials on accounts.account_id = running_trials.account_id
    left join engagement on accounts.account_id = engagement.account_id
    left join account_nps on accounts.account_id = account_nps.account_id
)

select
    account_id,
    as_of_date,
    account_name,
    created_at,
    account_age_days,
    acquisition_channel,
    is_beta_program,
    potential_arr_usd,
    industry,
    employee_count,
    size_band,
    region,
    location_type,
    primary_need,
    revenue_band,
    value_tier,
    is_paying,
    plan_name,
    billing_interval,
    mrr_usd,
    arr_usd,
    first_paid_date,
    days_since_first_paid,
    has_ever_paid,
    has_running_trial,
    has_running_subscription,
    case
        when is_paying and days_since_first_paid <= {{ var('onboarding_window_days') }} then 'onboarding'
        when is_paying then 'customer'
        when has_ever_paid then 'churned'
        when has_running_trial then 'trial'
        when has_running_subscription then 'free'
        else 'prospect'
    end as lifecycle_stage,
    user_count,
    reachable_users,
    is_reachable,
    active_users_recent,
    latest_nps_score,
    latest_nps_category
from joined
