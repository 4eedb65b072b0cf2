with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

engagement as (
    select
        user_id,
        account_id,
        active_days_recent,
        core_features_used_recent,
        core_features_available,
        core_share_recent,
        features_used_recent
    from {{ ref('int_user_engagement') }}
    where not is_deleted
),

nps as (
    select
        user_id,
        nps_category
    from {{ ref('int_nps_latest') }}
),

members as (
    select
        engagement.user_id,
        engagement.account_id,
        engagement.active_days_recent,
        engagement.core_features_used_recent,
        engagement.core_features_available,
        engagement.core_share_recent,
        coalesce(nps.nps_category = 'promoter', false) as is_advocate
    from engagement
    left join nps on engagement.user_id = nps.user_id
    where
        engagement.active_days_recent >= {{ var('power_min_active_days') }}
        and engagement.core_features_used_recent >= {{ var('power_core_share') }} * engagement.core_features_available
        and engagement.features_used_recent > {{ var('shallow_max_features') }}
)

select
    members.user_id,
    members.account_id,
    as_of.as_of_date,
    members.active_days_recent,
    members.core_features_used_recent,
    members.core_features_available,
    members.core_share_recent,
    members.is_advocate,
    {{ dbt.concat([
        "cast(members.active_days_recent as " ~ dbt.type_string() ~ ")",
        "' active days in last 30, '",
        "cast(members.core_features_used_recent as " ~ dbt.type_string() ~ ")",
        "'/'",
        "cast(members.core_features_available as " ~ dbt.type_string() ~ ")",
        "' core features'",
        "case when members.is_advocate then ', NPS promoter (advocate)' else '' end",
    ]) }} as reason
from members
cross join as_of
