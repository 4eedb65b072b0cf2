{#- Users who had signed up by as_of, with their state on that day. -#}
with

as_of as (
    select
        as_of_date,
        as_of_end_date
    from {{ ref('int_as_of_date') }}
),

users as (
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
    from {{ ref('stg_app__users') }}
)

select
    users.user_id,
    users.account_id,
    users.email,
    users.role,
    users.created_at,
    users.email_opt_in,
    users.in_app_enabled,
    users.is_beta_user,
    cast(users.created_at as date) as signup_date,
    coalesce(users.deleted_at < as_of.as_of_end_date, false) as is_deleted,
    (users.email_opt_in or users.in_app_enabled) as is_reachable,
    {{ days_between('cast(users.created_at as date)', 'as_of.as_of_date') }} as days_since_signup
from users
inner join as_of on users.created_at < as_of.as_of_end_date
