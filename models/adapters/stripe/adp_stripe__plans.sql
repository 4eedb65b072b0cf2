{#- billing.plans from Stripe: one plan per product. plan_name = the product's name
    (Free, Starter, Pro, Business, Enterprise; any other is quarantined as
    unknown_enum); list_price_monthly = its active monthly USD price per seat (the
    newest if several; none = null, quarantined as missing_required); plan_rank =
    the rank of that price (cheapest = 1); paid = a price above zero. -#}
with

products as (
    select
        cast(id as {{ dbt.type_string() }}) as plan_id,
        cast(name as {{ dbt.type_string() }}) as plan_name
    from {{ source('stripe', 'product') }}
),

monthly_prices as (
    select
        cast(product_id as {{ dbt.type_string() }}) as plan_id,
        {{ vendor_minor_amount('unit_amount', '2') }} as list_price_monthly,
        row_number() over (
            partition by cast(product_id as {{ dbt.type_string() }})
            order by {{ vendor_timestamp('created') }} desc, cast(id as {{ dbt.type_string() }})
        ) as price_rank
    from {{ source('stripe', 'price') }}
    where
        {{ vendor_bool('active') }}
        and lower(cast(currency as {{ dbt.type_string() }})) = 'usd'
        and lower(cast(recurring_interval as {{ dbt.type_string() }})) = 'month'
        and {{ try_cast_as('recurring_interval_count', 'decimal(38, 6)') }} = 1
),

priced as (
    select
        products.plan_id,
        products.plan_name,
        monthly_prices.list_price_monthly
    from products
    left join monthly_prices
        on products.plan_id = monthly_prices.plan_id and monthly_prices.price_rank = 1
),

final as (
    select
        plan_id,
        plan_name,
        list_price_monthly,
        case
            when list_price_monthly is not null
                then dense_rank() over (partition by list_price_monthly is null order by list_price_monthly)
        end as plan_rank,
        list_price_monthly > 0 as is_paid
    from priced
)

select
    plan_id,
    plan_name,
    plan_rank,
    list_price_monthly,
    is_paid
from final
