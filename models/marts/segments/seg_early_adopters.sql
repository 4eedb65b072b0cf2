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

early_uses as (
    select
        user_id,
        count(*) as early_features,
        min(feature_key) as first_early_feature
    from {{ ref('int_user_feature_usage') }}
    where
        first_used_date >= released_at
        and first_used_date
        <= cast({{ dbt.dateadd('day', var('early_adopter_window_days'), 'released_at') }} as date)
    group by user_id
),

members as (
    select
        users.user_id,
        users.account_id,
        users.is_beta_user,
        early_uses.first_early_feature,
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
    {{ dbt.concat([
        "case when members.is_beta_user then 'beta user; ' else '' end",
        "case when members.is_beta_program then 'account in the beta program; ' else '' end",
        "case when members.early_features > 0 then " ~ dbt.concat([
            "'among the first users of '",
            "cast(members.early_features as " ~ dbt.type_string() ~ ")",
            "' feature(s), e.g. '",
            "members.first_early_feature",
        ]) ~ " else '' end",
    ]) }} as reason
from members
cross join as_of
