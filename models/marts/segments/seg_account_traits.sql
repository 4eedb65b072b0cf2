with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

traits as (
    select
        account_id,
        employee_count,
        arr_usd,
        industry,
        size_band,
        region,
        location_type,
        revenue_band
    from {{ ref('int_account_traits') }}
),

trait_rows as (
    select
        account_id,
        'industry' as trait_name,
        industry as trait_value,
        {{ dbt.concat(["'industry is '", "industry"]) }} as trait_reason
    from traits
    union all
    select
        account_id,
        'size_band' as trait_name,
        size_band as trait_value,
        case
            when employee_count is null then 'company size unknown (no employee count)'
            else {{ dbt.concat([
                "'company size '",
                "size_band",
                "' employees ('",
                "cast(employee_count as " ~ dbt.type_string() ~ ")",
                "')'",
            ]) }}
        end as trait_reason
    from traits
    union all
    select
        account_id,
        'region' as trait_name,
        region as trait_value,
        {{ dbt.concat(["'region is '", "region"]) }} as trait_reason
    from traits
    union all
    select
        account_id,
        'location_type' as trait_name,
        location_type as trait_value,
        {{ dbt.concat(["'location type is '", "location_type"]) }} as trait_reason
    from traits
    union all
    select
        account_id,
        'revenue_band' as trait_name,
        revenue_band as trait_value,
        case
            when revenue_band = 'none' then 'revenue band none (not paying)'
            else {{ dbt.concat([
                "'revenue band '",
                "revenue_band",
                "' (ARR '",
                "cast(cast(arr_usd as decimal(18, 0)) as " ~ dbt.type_string() ~ ")",
                "' USD)'",
            ]) }}
        end as trait_reason
    from traits
)

select
    trait_rows.account_id,
    {{ dbt.concat(["'trait:'", "trait_rows.trait_name", "'='", "trait_rows.trait_value"]) }} as segment_key,
    as_of.as_of_date,
    trait_rows.trait_name,
    trait_rows.trait_value,
    trait_rows.trait_reason as reason
from trait_rows
cross join as_of
