with

staged as (
    select
        feature_key,
        feature_name,
        category,
        is_most_valuable,
        is_activation,
        released_at
    from {{ ref('base_app__features') }}
    where _row_status = 'staged'
)

select
    feature_key,
    feature_name,
    category,
    is_most_valuable,
    is_activation,
    released_at,
    (category = 'core') as is_core,
    cast(row_number() over (order by feature_key) - 1 as integer) as feature_bit
from staged
