with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

revenue as (
    select
        account_id,
        mrr_usd
    from {{ ref('int_account_revenue') }}
    where is_paying
),

engagement as (
    select
        account_id,
        active_users_recent,
        active_users_baseline,
        is_usage_dropped
    from {{ ref('int_account_engagement') }}
),

members as (
    select
        revenue.account_id,
        revenue.mrr_usd,
        engagement.active_users_recent,
        engagement.active_users_baseline
    from revenue
    inner join engagement on revenue.account_id = engagement.account_id
    where engagement.is_usage_dropped
)

select
    members.account_id,
    as_of.as_of_date,
    members.active_users_recent,
    members.active_users_baseline,
    members.mrr_usd,
    case
        when members.active_users_recent = 0 then 'paying account with no active user in the last 30 days'
        else {{ dbt.concat([
            "cast(members.active_users_recent as " ~ dbt.type_string() ~ ")",
            "' active user(s) in the last 30 days vs '",
            "cast(members.active_users_baseline as " ~ dbt.type_string() ~ ")",
            "' in the 60 days before'",
        ]) }}
    end as reason
from members
cross join as_of
