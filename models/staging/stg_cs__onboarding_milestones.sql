with

staged as (
    select
        account_id,
        milestone_key,
        completed_at
    from {{ ref('base_cs__onboarding_milestones') }}
    where _row_status = 'staged'
)

select
    account_id,
    milestone_key,
    completed_at
from staged
