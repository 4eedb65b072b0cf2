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
),

numbered as (
    select
        feature_key,
        cast(row_number() over (order by feature_key) - 1 as integer) as feature_bit
    from staged
)

select
    staged.feature_key,
    staged.feature_name,
    staged.category,
    staged.is_most_valuable,
    staged.is_activation,
    staged.released_at,
    numbered.feature_bit,
    (staged.category = 'core') as is_core
from staged
inner join numbered on staged.feature_key = numbered.feature_key
