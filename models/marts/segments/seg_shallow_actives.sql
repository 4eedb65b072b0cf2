with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

engagement as (
    select
        user_id,
        account_id,
        login_days_recent,
        active_days_recent,
        features_used_recent
    from {{ ref('int_user_engagement') }}
    where not is_deleted
),

members as (
    select
        user_id,
        account_id,
        login_days_recent,
        active_days_recent,
        features_used_recent
    from engagement
    where
        login_days_recent >= {{ var('shallow_min_login_days') }}
        and features_used_recent <= {{ var('shallow_max_features') }}
)

select
    members.user_id,
    members.account_id,
    as_of.as_of_date,
    members.login_days_recent,
    members.active_days_recent,
    members.features_used_recent,
    {{ dbt.concat([
        "cast(members.login_days_recent as " ~ dbt.type_string() ~ ")",
        "' login days in last 30 but only '",
        "cast(members.features_used_recent as " ~ dbt.type_string() ~ ")",
        "' distinct feature(s) used: logs in, does not really use the product'",
    ]) }} as reason
from members
cross join as_of
