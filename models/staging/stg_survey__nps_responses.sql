with

staged as (
    select
        response_id,
        user_id,
        account_id,
        responded_at,
        score,
        comment,
        survey_id
    from {{ ref('base_survey__nps_responses') }}
    where _row_status = 'staged'
)

select
    response_id,
    user_id,
    account_id,
    responded_at,
    cast(score as integer) as score,
    comment,
    survey_id
from staged
