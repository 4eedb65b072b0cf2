with

staged as (
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
    from {{ ref('base_app__users') }}
    where _row_status = 'staged'
)

select
    user_id,
    account_id,
    role,
    created_at,
    email_opt_in,
    in_app_enabled,
    is_beta_user,
    deleted_at,
    lower(email) as email
from staged
