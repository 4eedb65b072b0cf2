{#- One row per user signed up by as_of (deleted users included, flagged): role,
    reachability, activity, latest NPS, and the account's traits, value tier,
    revenue band and lifecycle stage from dim_accounts. -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

users as (
    select
        user_id,
        account_id,
        role,
        created_at,
        signup_date,
        days_since_signup,
        is_deleted,
        email_opt_in,
        in_app_enabled,
        is_reachable,
        is_beta_user
    from {{ ref('int_users_as_of') }}
),

engagement as (
    select
        user_id,
        active_days_recent,
        active_days_baseline,
        last_active_date
    from {{ ref('int_user_engagement') }}
),

accounts as (
    select
        account_id,
        industry,
        size_band,
        region,
        location_type,
        value_tier,
        revenue_band,
        lifecycle_stage,
        is_paying,
        plan_name
    from {{ ref('dim_accounts') }}
),

nps as (
    select
        user_id,
        score,
        responded_at,
        nps_category
    from {{ ref('int_nps_latest') }}
)

select
    users.user_id,
    users.account_id,
    as_of.as_of_date,
    users.role,
    users.created_at,
    users.signup_date,
    users.days_since_signup,
    users.is_deleted,
    users.email_opt_in,
    users.in_app_enabled,
    users.is_beta_user,
    accounts.industry as account_industry,
    accounts.size_band as account_size_band,
    accounts.region as account_region,
    accounts.location_type as account_location_type,
    accounts.value_tier as account_value_tier,
    accounts.revenue_band as account_revenue_band,
    accounts.lifecycle_stage as account_lifecycle_stage,
    accounts.is_paying as account_is_paying,
    accounts.plan_name as account_plan_name,
    engagement.last_active_date,
    nps.score as latest_nps_score,
    nps.responded_at as latest_nps_responded_at,
    nps.nps_category as latest_nps_category,
    (users.is_reachable and not users.is_deleted) as is_reachable,
    coalesce(engagement.active_days_recent, 0) as active_days_recent,
    coalesce(engagement.active_days_baseline, 0) as active_days_baseline
from users
cross join as_of
left join accounts on users.account_id = accounts.account_id
left join engagement on users.user_id = engagement.user_id
left join nps on users.user_id = nps.user_id
