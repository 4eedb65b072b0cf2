with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

accounts as (
    select
        account_id,
        potential_arr_usd
    from {{ ref('int_accounts_as_of') }}
),

revenue as (
    select
        account_id,
        is_paying,
        arr_usd
    from {{ ref('int_account_revenue') }}
),

running_trials as (
    select account_id
    from {{ ref('int_trials') }}
    where is_running
    group by account_id
),

candidates as (
    select
        accounts.account_id,
        accounts.potential_arr_usd,
        coalesce(revenue.is_paying, false) as is_paying,
        (running_trials.account_id is not null) as has_running_trial,
        coalesce(revenue.arr_usd, 0) as arr_usd
    from accounts
    left join revenue on accounts.account_id = revenue.account_id
    left join running_trials on accounts.account_id = running_trials.account_id
    where
        accounts.potential_arr_usd is not null
        and (coalesce(revenue.is_paying, false) or running_trials.account_id is not null)
),

whitespace as (
    select
        account_id,
        potential_arr_usd,
        is_paying,
        has_running_trial,
        arr_usd,
        case when potential_arr_usd > arr_usd then potential_arr_usd - arr_usd else 0 end as whitespace_arr_usd
    from candidates
),

ranked as (
    select
        account_id,
        potential_arr_usd,
        is_paying,
        has_running_trial,
        arr_usd,
        whitespace_arr_usd,
        cast(row_number() over (order by whitespace_arr_usd desc, account_id asc) as bigint) as whitespace_rank,
        count(*) over () as ranked_accounts
    from whitespace
),

with_cutoff as (
    select
        account_id,
        potential_arr_usd,
        is_paying,
        has_running_trial,
        arr_usd,
        whitespace_arr_usd,
        whitespace_rank,
        ranked_accounts,
        cast(
            ceiling(cast({{ var('highest_potential_share') }} as decimal(9, 6)) * ranked_accounts) as integer
        ) as member_cutoff_rank
    from ranked
),

members as (
    select
        account_id,
        potential_arr_usd,
        is_paying,
        has_running_trial,
        arr_usd,
        whitespace_arr_usd,
        whitespace_rank,
        ranked_accounts,
        member_cutoff_rank
    from with_cutoff
    where whitespace_rank <= member_cutoff_rank
)

select
    members.account_id,
    as_of.as_of_date,
    members.is_paying,
    members.has_running_trial,
    members.arr_usd,
    members.potential_arr_usd,
    members.whitespace_arr_usd,
    members.whitespace_rank,
    members.ranked_accounts,
    members.member_cutoff_rank,
    {{ dbt.concat([
        "'whitespace ARR $'",
        "cast(cast(members.whitespace_arr_usd as decimal(18, 0)) as " ~ dbt.type_string() ~ ")",
        "' (potential $'",
        "cast(cast(members.potential_arr_usd as decimal(18, 0)) as " ~ dbt.type_string() ~ ")",
        "' - ARR $'",
        "cast(cast(members.arr_usd as decimal(18, 0)) as " ~ dbt.type_string() ~ ")",
        "'), rank '",
        "cast(members.whitespace_rank as " ~ dbt.type_string() ~ ")",
        "' of '",
        "cast(members.ranked_accounts as " ~ dbt.type_string() ~ ")",
        "' paying or trialling accounts (top '",
        "cast(members.member_cutoff_rank as " ~ dbt.type_string() ~ ")",
        "'), '",
        "case when members.is_paying and members.has_running_trial then 'paying, trial running'"
        ~ " when members.is_paying then 'paying' else 'trial running' end",
    ]) }} as reason
from members
cross join as_of
