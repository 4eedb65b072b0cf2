{#- crm.accounts from HubSpot companies (adp_hubspot__accounts), with the primary need
    a customer stated in a Delighted survey where the CRM has none: the person property
    named by the var `delighted_need_property` (default primary_need) of the account's
    latest response that carries one (ties: the highest response id). The response's
    account is the identity seed's (vendor delighted, object person), else the person
    property account_id; a response with neither states no need. The CRM's value wins
    where it is set. The product users are not read here: staging checks users against
    the accounts, so accounts cannot depend on them. -#}
with

companies as (
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
    from {{ ref('adp_hubspot__accounts') }}
),

overrides as (
    {{ vendor_identity_overrides('delighted', 'person') }}
),

responses as (
    select
        cast(survey_responses.id as {{ dbt.type_string() }}) as response_id,
        {{ vendor_timestamp('survey_responses.created_at') }} as responded_at,
        coalesce(
            overrides.account_id,
            {{ vendor_json_text('survey_responses.person_properties', 'account_id') }}
        ) as account_id,
        {{ vendor_json_text('survey_responses.person_properties', var('delighted_need_property')) }} as stated_need
    from {{ source('delighted', 'survey_responses') }} as survey_responses
    left join overrides
        on cast(survey_responses.person as {{ dbt.type_string() }}) = overrides.vendor_id
),

stated_needs as (
    select
        account_id,
        stated_need,
        row_number() over (partition by account_id order by responded_at desc, response_id desc) as recency_rank
    from responses
    where account_id is not null and stated_need is not null and trim(stated_need) <> ''
),

final as (
    select
        companies.account_id,
        companies.account_name,
        companies.industry,
        companies.employee_count,
        companies.region,
        companies.location_type,
        companies.created_at,
        companies.acquisition_channel,
        companies.potential_arr,
        companies.is_beta_program,
        companies.company_id,
        coalesce(companies.primary_need, stated_needs.stated_need) as primary_need
    from companies
    left join stated_needs
        on companies.account_id = stated_needs.account_id and stated_needs.recency_rank = 1
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
