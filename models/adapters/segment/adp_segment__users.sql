{#- app.users from Segment identify calls: one user per userId. Each trait is the
    value of the user's latest call that sent it (by timestamp); created_at is the
    trait, else the time of the user's first call. Identity: the user is the seed
    vendor_identity_map's row (vendor segment, object user) for the userId, else the
    userId; the account is that row's account, else the trait account_id. An identify
    call without userId passes through, one row each, and staging quarantines it
    (null_key); a user without an account is quarantined as missing_required. With
    `app.users: segment+hubspot` staging reads adp_segment_hubspot__users, which
    enriches these rows from HubSpot contacts. -#}
{#- built only when app.users comes from Segment (identifies is read only then) -#}
{{ config(enabled=raw_table_vendor('app', 'users') in ['segment', 'segment+hubspot']) }}
with

identifies as (
    select
        cast(user_id as {{ dbt.type_string() }}) as segment_user_id,
        {{ vendor_timestamp(adapter.quote('timestamp')) }} as identified_at,
        {{ as_text('email') }} as trait_email,
        {{ as_text('role') }} as trait_role,
        {{ as_text('account_id') }} as trait_account_id,
        {{ as_text('created_at') }} as trait_created_at,
        {{ as_text('email_opt_in') }} as trait_email_opt_in,
        {{ as_text('in_app_enabled') }} as trait_in_app_enabled,
        {{ as_text('is_beta_user') }} as trait_is_beta_user,
        {{ as_text('deleted_at') }} as trait_deleted_at
    from {{ source('segment', 'identifies') }}
),

overrides as (
    {{ vendor_identity_overrides('segment', 'user') }}
),

-- per call, when the user last sent each trait
identified_calls as (
    select
        segment_user_id,
        identified_at,
        trait_email,
        trait_role,
        trait_account_id,
        trait_created_at,
        trait_email_opt_in,
        trait_in_app_enabled,
        trait_is_beta_user,
        trait_deleted_at,
        max(case when trait_email is not null then identified_at end)
            over (partition by segment_user_id) as email_at,
        max(case when trait_role is not null then identified_at end)
            over (partition by segment_user_id) as role_at,
        max(case when trait_account_id is not null then identified_at end)
            over (partition by segment_user_id) as account_id_at,
        max(case when trait_created_at is not null then identified_at end)
            over (partition by segment_user_id) as created_at_at,
        max(case when trait_email_opt_in is not null then identified_at end)
            over (partition by segment_user_id) as email_opt_in_at,
        max(case when trait_in_app_enabled is not null then identified_at end)
            over (partition by segment_user_id) as in_app_enabled_at,
        max(case when trait_is_beta_user is not null then identified_at end)
            over (partition by segment_user_id) as is_beta_user_at,
        max(case when trait_deleted_at is not null then identified_at end)
            over (partition by segment_user_id) as deleted_at_at,
        min(identified_at) over (partition by segment_user_id) as first_identified_at
    from identifies
    where segment_user_id is not null
),

segment_users as (
    select
        segment_user_id,
        max(case when identified_at = email_at then trait_email end) as email,
        max(case when identified_at = role_at then trait_role end) as role,  -- noqa: RF04
        max(case when identified_at = account_id_at then trait_account_id end) as account_id,
        max(case when identified_at = created_at_at then trait_created_at end) as created_at,
        max(case when identified_at = email_opt_in_at then trait_email_opt_in end) as email_opt_in,
        max(case when identified_at = in_app_enabled_at then trait_in_app_enabled end) as in_app_enabled,
        max(case when identified_at = is_beta_user_at then trait_is_beta_user end) as is_beta_user,
        max(case when identified_at = deleted_at_at then trait_deleted_at end) as deleted_at,
        min(first_identified_at) as first_identified_at
    from identified_calls
    group by segment_user_id
),

users as (
    select
        segment_users.email,
        segment_users.role,
        segment_users.email_opt_in,
        segment_users.in_app_enabled,
        segment_users.is_beta_user,
        segment_users.deleted_at,
        coalesce(overrides.user_id, segment_users.segment_user_id) as user_id,
        coalesce(overrides.account_id, segment_users.account_id) as account_id,
        coalesce(
            segment_users.created_at, cast(segment_users.first_identified_at as {{ dbt.type_string() }})
        ) as created_at
    from segment_users
    left join overrides
        on segment_users.segment_user_id = overrides.vendor_id
),

anonymous_calls as (
    select
        cast(null as {{ dbt.type_string() }}) as user_id,
        trait_account_id as account_id,
        trait_email as email,
        trait_role as role,  -- noqa: RF04
        coalesce(trait_created_at, cast(identified_at as {{ dbt.type_string() }})) as created_at,
        trait_email_opt_in as email_opt_in,
        trait_in_app_enabled as in_app_enabled,
        trait_is_beta_user as is_beta_user,
        trait_deleted_at as deleted_at
    from identifies
    where segment_user_id is null
),

final as (
    select
        user_id,
        account_id,
        email,
        role,
        created_at,
        email_opt_in,
        in_app_enabled,
        is_beta_user,
        deleted_at
    from users
    union all
    select
        user_id,
        account_id,
        email,
        role,
        created_at,
        email_opt_in,
        in_app_enabled,
        is_beta_user,
        deleted_at
    from anonymous_calls
)

select
    user_id,
    account_id,
    email,
    role,
    created_at,
    email_opt_in,
    in_app_enabled,
    is_beta_user,
    deleted_at
from final
