with

staged as (
    select
        currency,
        rate_date,
        usd_per_unit
    from {{ ref('base_billing__fx_rates') }}
    where _row_status = 'staged'
)

select
    currency,
    rate_date,
    usd_per_unit,
    lead(rate_date) over (partition by currency order by rate_date) as valid_to
from staged
