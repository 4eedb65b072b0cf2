with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

users as (
    select
        user_id,
        account_id,
        is_beta_user
    from {{ ref('int_users_as_of') }}
    where not is_deleted
),

accounts as (
    select
        account_id,
        is_beta_program
    from {{ ref('int_accounts_as_of') }}
),

feature_uses as (
    select
        user_id,
        feature_key,
        {{ days_between('released_at', 'first_used_date') }} as days_from_release
    from {{ ref('int_user_feature_usage') }}
    where first_used_date >= released_at
),

early_uses as (
    select
        user_id,
        count(*) as early_features,
        min(feature_key) as first_early_feature,
        min(days_from_release) as days_from_release_to_first_use
    from feature_uses
    where days_from_release <= {{ var('early_adopter_window_days') }}
    group by user_id
),

members as (
    select
        users.user_id,
        users.account_id,
        users.is_beta_user,
        early_uses.first_early_feature,
        early_uses.days_from_release_to_first_use,
        coalesce(accounts.is_beta_program, false) as is_beta_program,
        coalesce(early_uses.early_features, 0) as early_features
    from users
    left join accounts on users.account_id = accounts.account_id
    left join early_uses on users.user_id = early_uses.user_id
    where
        users.is_beta_user
        or accounts.is_beta_program
        or early_uses.user_id is not null
)

select
    members.user_id,
    members.account_id,
    as_of.as_of_date,
    members.is_beta_user,
    members.is_beta_program,
    members.early_features,
    members.first_early_feature,
    members.days_from_release_to_first_use,
    {{ dbt.concat([
        "case when members.is_beta_user then 'beta user; ' else '' end",
        "case when members.is_beta_program then 'account in the beta program; ' else '' end",
        "case when members.early_features > 0 then " ~ dbt.concat([
            "'among the first users of '",
            "cast(members.early_features as " ~ dbt.type_string() ~ ")",
            "' feature(s), e.g. '",
            "members.first_early_feature",
            "'; soonest first use '",
            "cast(members.days_from_release_to_first_use as " ~ dbt.type_string() ~ ")",
            "' day(s) after a release'",
        ]) ~ " else '' end",
    ]) }} as reason
from members
cross join as_of
