{#- One row per trait segment (trait, value) on as_of: its member accounts and users,
    paying accounts, ARR, NPS of its users and their average active days in the
    recent window. Account traits (industry, size_band, region, location_type,
    revenue_band) count the member accounts and their non-deleted users; the user
    trait role counts the member users and the distinct accounts they belong to. -#}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

account_memberships as (
    select
        account_id,
        segment_key,
        trait_name,
        trait_value
    from {{ ref('seg_account_traits') }}
),

user_memberships as (
    select
        user_id,
        account_id,
        segment_key,
        trait_name,
        trait_value
    from {{ ref('seg_user_traits') }}
),

accounts as (
    select
        account_id,
        is_paying,
        arr_usd
    from {{ ref('int_account_traits') }}
),

users as (
    select
        user_id,
        account_id,
        active_days_recent
    from {{ ref('int_user_engagement') }}
    where not is_deleted
),

nps as (
    select
        user_id,
        nps_category
    from {{ ref('int_nps_latest') }}
),

trait_accounts as (
    select
        segment_key,
        trait_name,
        trait_value,
        'account' as member_grain,
        account_id
    from account_memberships
    union all
    select distinct
        segment_key,
        trait_name,
        trait_value,
        'user' as member_grain,
        account_id
    from user_memberships
),

trait_users as (
    select
        account_memberships.segment_key,
        users.user_id,
        users.active_days_recent
    from account_memberships
    inner join users on account_memberships.account_id = users.account_id
    union all
    select
        user_memberships.segment_key,
        users.user_id,
        users.active_days_recent
    from user_memberships
    inner join users on user_memberships.user_id = users.user_id
),

account_stats as (
    select
        trait_accounts.segment_key,
        trait_accounts.trait_name,
        trait_accounts.trait_value,
        trait_accounts.member_grain,
        count(*) as member_accounts,
        {{ count_where("accounts.is_paying") }} as paying_accounts,
        {{ sum_money('case when accounts.is_paying then accounts.arr_usd else 0 end') }} as arr_usd
    from trait_accounts
    inner join accounts on trait_accounts.account_id = accounts.account_id
    group by
        trait_accounts.segment_key,
        trait_accounts.trait_name,
        trait_accounts.trait_value,
        trait_accounts.member_grain
),

user_stats as (
    select
        trait_users.segment_key,
        count(*) as member_users,
        avg(cast(trait_users.active_days_recent as {{ type_double() }})) as avg_active_days_recent,
        count(nps.user_id) as nps_respondents,
        {{ count_where("nps.nps_category = 'promoter'") }} as promoters,
        {{ count_where("nps.nps_category = 'passive'") }} as passives,
        {{ count_where("nps.nps_category = 'detractor'") }} as detractors
    from trait_users
    left join nps on trait_users.user_id = nps.user_id
    group by trait_users.segment_key
)

select
    account_stats.segment_key,
    account_stats.trait_name,
    account_stats.trait_value,
    account_stats.member_grain,
    as_of.as_of_date,
    account_stats.member_accounts,
    account_stats.paying_accounts,
    account_stats.arr_usd,
    user_stats.avg_active_days_recent,
    coalesce(user_stats.member_users, 0) as member_users,
    coalesce(user_stats.nps_respondents, 0) as nps_respondents,
    coalesce(user_stats.promoters, 0) as promoters,
    coalesce(user_stats.passives, 0) as passives,
    coalesce(user_stats.detractors, 0) as detractors,
    case
        when user_stats.nps_respondents > 0
            then
                cast(100 * (user_stats.promoters - user_stats.detractors) as {{ type_double() }})
                / user_stats.nps_respondents
    end as nps
from account_stats
cross join as_of
left join user_stats on account_stats.segment_key = user_stats.segment_key
