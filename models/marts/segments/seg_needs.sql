with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

accounts as (
    select
        account_id,
        primary_need
    from {{ ref('int_accounts_as_of') }}
    where primary_need is not null
)

select
    accounts.account_id,
    {{ dbt.concat(["'need:'", "accounts.primary_need"]) }} as segment_key,
    as_of.as_of_date,
    accounts.primary_need,
    {{ dbt.concat(["'primary need is '", "accounts.primary_need"]) }} as reason
from accounts
cross join as_of
