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
        active_days_baseline,
        active_day_rate_recent,
        active_day_rate_baseline,
        last_active_date
    from {{ ref('int_user_engagement') }}
    where not is_deleted
),

members as (
    select
        user_id,
        account_id,
        active_days_recent,
        active_days_baseline,
        active_day_rate_recent,
        active_day_rate_baseline,
        last_active_date,
        active_day_rate_recent / active_day_rate_baseline as rate_ratio
    from engagement
    where
        active_days_baseline >= {{ var('inactive_min_baseline_days') }}
        -- recent/30 <= ratio x baseline/60, in whole days so the threshold is exact
        and active_days_recent * {{ var('baseline_window_days') }}
        <= {{ var('inactive_max_rate_ratio') }} * active_days_baseline * {{ var('recent_window_days') }}
)

select
    members.user_id,
    members.account_id,
    as_of.as_of_date,
    members.active_days_recent,
    members.active_days_baseline,
    members.active_day_rate_recent,
    members.active_day_rate_baseline,
    members.rate_ratio,
    members.last_active_date,
    {{ dbt.concat([
        "'active on '",
        "cast(cast(100 * members.active_day_rate_recent as decimal(10, 1)) as " ~ dbt.type_string() ~ ")",
        "'% of the last 30 days vs '",
        "cast(cast(100 * members.active_day_rate_baseline as decimal(10, 1)) as " ~ dbt.type_string() ~ ")",
        "'% of the 60 days before ('",
        "cast(members.active_days_recent as " ~ dbt.type_string() ~ ")",
        "' vs '",
        "cast(members.active_days_baseline as " ~ dbt.type_string() ~ ")",
        "' active days)'",
    ]) }} as reason
from members
cross join as_of
