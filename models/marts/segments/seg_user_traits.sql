with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

users as (
    select
        user_id,
        account_id,
        coalesce(role, 'unknown') as user_role
    from {{ ref('int_users_as_of') }}
    where not is_deleted
)

select
    users.user_id,
    users.account_id,
    {{ dbt.concat(["'trait:role='", "users.user_role"]) }} as segment_key,
    as_of.as_of_date,
    'role' as trait_name,
    users.user_role as trait_value,
    {{ dbt.concat(["'role is '", "users.user_role"]) }} as reason
from users
cross join as_of
