with

staged as (
    select
        touch_id,
        anonymous_id,
        user_id,
        occurred_at,
        touch_type,
        url
    from {{ ref('base_web__touches') }}
    where _row_status = 'staged'
)

select
    touch_id,
    anonymous_id,
    user_id,
    occurred_at,
    touch_type,
    url
from staged
