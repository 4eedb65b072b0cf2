{#- crm.accounts from HubSpot: one account per company. Identity: the account id is
    the seed vendor_identity_map's row (vendor hubspot, object company), else the
    custom property account_id; a company with neither is quarantined (null_key).
    Industry and acquisition channel are HubSpot's values in lower case; region and
    location type outside the contract become `other` (counted), as for raw files.
    company_id (not a contract column) lets adp_segment_hubspot__users find a contact's
    account. -#}
with

companies as (
    select
        cast(id as {{ dbt.type_string() }}) as company_id,
        property_name as account_name,
        lower(cast(property_industry as {{ dbt.type_string() }})) as industry,
        property_numberofemployees as employee_count,
        property_region as region,
        property_location_type as location_type,
        property_createdate as created_at,
        lower(cast(property_hs_analytics_source as {{ dbt.type_string() }})) as acquisition_channel,
        property_potential_arr as potential_arr,
        property_beta_program as is_beta_program,
        property_primary_need as primary_need,
        cast(property_account_id as {{ dbt.type_string() }}) as property_account_id
    from {{ source('hubspot', 'company') }}
),

overrides as (
    {{ vendor_identity_overrides('hubspot', 'company') }}
),

final as (
    select
        companies.account_name,
        companies.industry,
        companies.employee_count,
        companies.region,
        companies.location_type,
        companies.created_at,
        companies.acquisition_channel,
        companies.potential_arr,
        companies.is_beta_program,
        companies.primary_need,
        companies.company_id,
        coalesce(overrides.account_id, companies.property_account_id) as account_id
    from companies
    left join overrides
        on companies.company_id = overrides.vendor_id
)

select
    account_id,
    account_name,
    industry,
    employee_count,
    region,
    location_type,
    created_at,
    acquisition_channel,
    potential_arr,
    is_beta_program,
    primary_need,
    company_id
from final
