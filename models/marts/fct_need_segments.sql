{#- One row per need segment on as_of: member accounts (accounts with that
    primary_need) and their non-deleted users, paying accounts, ARR, logo churn and
    the NPS of the members' users. Logo churn: accounts that paid before and are not
    paying on as_of / accounts that ever paid (up to as_of). -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

memberships as (
    select
        account_id,
        segment_key,
        primary_need
    from {{ ref('seg_needs') }}
),

revenue as (
    select
        account_id,
        is_paying,
        arr_usd,
        has_ever_paid
    from {{ ref('int_account_revenue') }}
),

users as (
    select
        user_id,
        account_id
    from {{ ref('int_users_as_of') }}
    where not is_deleted
),

nps as (
    select
        user_id,
        nps_category
    from {{ ref('int_nps_latest') }}
),

account_stats as (
    select
        memberships.segment_key,
        memberships.primary_need,
        count(*) as member_accounts,
        {{ count_where("revenue.is_paying") }} as paying_accounts,
        {{ sum_money('case when revenue.is_paying then revenue.arr_usd else 0 end') }} as arr_usd,
        {{ count_where("revenue.has_ever_paid") }} as ever_paid_accounts,
        {{ count_where("revenue.has_ever_paid and not revenue.is_paying") }} as churned_accounts
    from memberships
    left join revenue on memberships.account_id = revenue.account_id
    group by memberships.segment_key, memberships.primary_need
),

user_stats as (
    select
        memberships.segment_key,
        count(*) as member_users,
        count(nps.user_id) as nps_respondents,
        {{ count_where("nps.nps_category = 'promoter'") }} as promoters,
        {{ count_where("nps.nps_category = 'passive'") }} as passives,
        {{ count_where("nps.nps_category = 'detractor'") }} as detractors
    from memberships
    inner join users on memberships.account_id = users.account_id
    left join nps on users.user_id = nps.user_id
    group by memberships.segment_key
)

select
    account_stats.segment_key,
    account_stats.primary_need,
    as_of.as_of_date,
    account_stats.member_accounts,
    account_stats.paying_accounts,
    account_stats.arr_usd,
    account_stats.ever_paid_accounts,
    account_stats.churned_accounts,
    coalesce(user_stats.member_users, 0) as member_users,
    coalesce(user_stats.nps_respondents, 0) as nps_respondents,
    coalesce(user_stats.promoters, 0) as promoters,
    coalesce(user_stats.passives, 0) as passives,
    coalesce(user_stats.detractors, 0) as detractors,
    case
        when account_stats.ever_paid_accounts > 0
            then cast(account_stats.churned_accounts as {{ type_double() }}) / account_stats.ever_paid_accounts
    end as logo_churn_rate,
    case
        when user_stats.nps_respondents > 0
            then
                cast(100 * (user_stats.promoters - user_stats.detractors) as {{ type_double() }})
                / user_stats.nps_respondents
    end as nps
from account_stats
cross join as_of
left join user_stats on account_stats.segment_key = user_stats.segment_key
