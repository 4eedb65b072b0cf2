{{ config(materialized='view') }}

{#- KPIs per segment on the current as_of: size, the member accounts (a user
    segment counts its members' accounts), their paying share, MRR and ARR, the NPS
    of member users with a response in the window (user segments) or of the member
    accounts' latest responses (account segments), activation of member users within
    activation_window_days of signup, and the share of member accounts that are
    churned. A view over fct_segment_membership, like every reader of membership. -#}
with

membership as (
    select
        as_of_date,
        segment_key,
        entity_type,
        entity_id
    from {{ ref('fct_segment_membership') }}
),

users as (
    select
        user_id,
        account_id,
        signup_date,
        latest_nps_category
    from {{ ref('dim_users') }}
),

accounts as (
    select
        account_id,
        is_paying,
        mrr_usd,
        arr_usd,
        lifecycle_stage,
        latest_nps_category
    from {{ ref('dim_accounts') }}
),

activation as (
    select
        user_id,
        activation_date
    from {{ ref('int_user_engagement') }}
),

member_users as (
    select
        membership.as_of_date,
        membership.segment_key,
        users.user_id,
        users.account_id,
        users.latest_nps_category,
        coalesce(
            activation.activation_date
            <= cast({{ dbt.dateadd('day', var('activation_window_days'), 'users.signup_date') }} as date),
            false
        ) as is_activated
    from membership
    inner join users on membership.entity_id = users.user_id
    left join activation on users.user_id = activation.user_id
    where membership.entity_type = 'user'
),

member_accounts as (
    select distinct
        membership.as_of_date,
        membership.segment_key,
        coalesce(member_users.account_id, membership.entity_id) as account_id
    from membership
    left join member_users
        on
            membership.entity_type = 'user'
            and membership.segment_key = member_users.segment_key
            and membership.entity_id = member_users.user_id
),

sizes as (
    select
        as_of_date,
        segment_key,
        max(entity_type) as entity_type,
        count(*) as members
    from membership
    group by as_of_date, segment_key
),

user_kpis as (
    select
        segment_key,
        {{ count_where("latest_nps_category is not null") }} as nps_respondents,
        {{ count_where("latest_nps_category = 'promoter'") }} as promoters,
        {{ count_where("latest_nps_category = 'detractor'") }} as detractors,
        avg(case when is_activated then cast(1 as {{ type_double() }}) else 0 end) as activation_rate
    from member_users
    group by segment_key
),

account_kpis as (
    select
        member_accounts.segment_key,
        count(*) as member_accounts,
        {{ count_where("accounts.is_paying") }} as paying_accounts,
        {{ sum_money('accounts.mrr_usd') }} as mrr_usd,
        {{ sum_money('accounts.arr_usd') }} as arr_usd,
        {{ count_where("accounts.lifecycle_stage = 'churned'") }} as churned_accounts,
        {{ count_where("accounts.latest_nps_category is not null") }} as account_nps_respondents,
        {{ count_where("accounts.latest_nps_category = 'promoter'") }} as account_promoters,
        {{ count_where("accounts.latest_nps_category = 'detractor'") }} as account_detractors
    from member_accounts
    inner join accounts on member_accounts.account_id = accounts.account_id
    group by member_accounts.segment_key
)

select
    sizes.as_of_date,
    sizes.segment_key,
    sizes.entity_type,
    sizes.members,
    account_kpis.member_accounts,
    account_kpis.paying_accounts,
    account_kpis.mrr_usd,
    account_kpis.arr_usd,
    user_kpis.activation_rate,
    cast(account_kpis.churned_accounts as {{ type_double() }}) / nullif(account_kpis.member_accounts, 0)
        as churned_account_share,
    case
        when sizes.entity_type = 'user'
            then
                cast(100 * (user_kpis.promoters - user_kpis.detractors) as {{ type_double() }})
                / nullif(user_kpis.nps_respondents, 0)
        else
            cast(100 * (account_kpis.account_promoters - account_kpis.account_detractors) as {{ type_double() }})
            / nullif(account_kpis.account_nps_respondents, 0)
    end as nps
from sizes
left join user_kpis on sizes.segment_key = user_kpis.segment_key
left join account_kpis on sizes.segment_key = account_kpis.segment_key
