{#- app.users with `app.users: segment+hubspot`: the Segment users
    (adp_segment__users) enriched by the HubSpot contact with the user's email
    (case-insensitive; an email shared by several users or contacts matches none).
    The contact's job title (lower case) is the role and its hs_email_optout the
    email opt-in (opted out = false) when set; its associated company's account is the
    account when neither the identity seed nor Segment gives one. A contact whose
    email is no user's is a lead, not a user, and is not read; a contact without email
    passes through, one row each, for staging to quarantine (null_key). -#}
with

segment_users as (
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
    from {{ ref('adp_segment__users') }}
),

contacts as (
    select
        lower({{ as_text('property_email') }}) as email,
        lower({{ as_text('property_jobtitle') }}) as role,  -- noqa: RF04
        cast(property_associatedcompanyid as {{ dbt.type_string() }}) as company_id,
        case {{ vendor_bool('property_hs_email_optout') }}
            when true then 'false'
            when false then 'true'
        end as email_opt_in
    from {{ source('hubspot', 'contact') }}
),

contacts_by_email as (
    {#- an email shared by several contacts matches none -#}
    select
        contacts.email,
        min(contacts.role) as role,  -- noqa: RF04
        min(contacts.email_opt_in) as email_opt_in,
        min(companies.account_id) as account_id
    from contacts
    left join {{ ref('adp_hubspot__accounts') }} as companies
        on contacts.company_id = companies.company_id
    where contacts.email is not null
    group by contacts.email
    having count(*) = 1
),

users_by_email as (
    {#- an email shared by several users matches none -#}
    select
        lower(email) as email,
        min(user_id) as user_id
    from segment_users
    where user_id is not null and email is not null
    group by lower(email)
    having count(*) = 1
),

user_contacts as (
    select
        users_by_email.user_id,
        contacts_by_email.role,
        contacts_by_email.email_opt_in,
        contacts_by_email.account_id
    from users_by_email
    inner join contacts_by_email
        on users_by_email.email = contacts_by_email.email
),

enriched as (
    select
        segment_users.user_id,
        segment_users.email,
        segment_users.created_at,
        segment_users.in_app_enabled,
        segment_users.is_beta_user,
        segment_users.deleted_at,
        coalesce(segment_users.account_id, user_contacts.account_id) as account_id,
        coalesce(user_contacts.role, segment_users.role) as role,  -- noqa: RF04
        coalesce(user_contacts.email_opt_in, segment_users.email_opt_in) as email_opt_in
    from segment_users
    left join user_contacts
        on segment_users.user_id = user_contacts.user_id
),

contacts_without_email as (
    select
        cast(null as {{ dbt.type_string() }}) as user_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(null as {{ dbt.type_string() }}) as email,
        role,
        cast(null as {{ dbt.type_string() }}) as created_at,
        email_opt_in,
        cast(null as {{ dbt.type_string() }}) as in_app_enabled,
        cast(null as {{ dbt.type_string() }}) as is_beta_user,
        cast(null as {{ dbt.type_string() }}) as deleted_at
    from contacts
    where email is null
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
    from enriched
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
    from contacts_without_email
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
