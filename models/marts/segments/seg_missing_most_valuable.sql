with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

revenue as (
    select
        account_id,
        plan_name,
        mrr_usd
    from {{ ref('int_account_revenue') }}
    where is_paying
),

accounts as (
    select
        account_id,
        account_age_days
    from {{ ref('int_accounts_as_of') }}
),

engagement as (
    select
        account_id,
        user_count,
        has_used_most_valuable
    from {{ ref('int_account_engagement') }}
),

members as (
    select
        revenue.account_id,
        revenue.plan_name,
        revenue.mrr_usd,
        accounts.account_age_days,
        engagement.user_count
    from revenue
    inner join accounts on revenue.account_id = accounts.account_id
    inner join engagement on revenue.account_id = engagement.account_id
    where
        accounts.account_age_days > {{ var('missing_most_valuable_min_account_days') }}
        and not engagement.has_used_most_valuable
)

select
    members.account_id,
    as_of.as_of_date,
    members.account_age_days,
    members.user_count,
    members.plan_name,
    members.mrr_usd,
    {{ dbt.concat([
        "'paying account, '",
        "cast(members.account_age_days as " ~ dbt.type_string() ~ ")",
        "' days old: none of its '",
        "cast(members.user_count as " ~ dbt.type_string() ~ ")",
        "' user(s) has ever used a most-valuable feature'",
    ]) }} as reason
from members
cross join as_of
