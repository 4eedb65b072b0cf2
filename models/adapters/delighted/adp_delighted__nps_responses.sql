{#- survey.nps_responses from Delighted: one row per survey response. Identity: the
    respondent is the seed vendor_identity_map's row (vendor delighted, object
    person), else the person_properties user_id, else the product user with the
    person's email (case-insensitive; an email of several users matches none); the account is the seed's, else the
    properties' account_id, else that user's account. A respondent matched by none
    is quarantined (missing_required); a score outside 0-10 or not whole flows
    through and staging quarantines it (invalid_score). -#}
{#- built only when NPS responses come from Delighted (people is read only then) -#}
{{ config(enabled=raw_table_vendor('survey', 'nps_responses') == 'delighted') }}
with

responses as (
    select
        cast(id as {{ dbt.type_string() }}) as response_id,
        cast(person as {{ dbt.type_string() }}) as person_id,
        cast(survey_type as {{ dbt.type_string() }}) as survey_id,
        score,
        comment,
        {{ vendor_timestamp('created_at') }} as responded_at,
        {{ vendor_json_text('person_properties', 'user_id') }} as property_user_id,
        {{ vendor_json_text('person_properties', 'account_id') }} as property_account_id
    from {{ source('delighted', 'survey_responses') }}
),

people as (
    select
        cast(id as {{ dbt.type_string() }}) as person_id,
        lower(trim(cast(email as {{ dbt.type_string() }}))) as email
    from {{ source('delighted', 'people') }}
),

users_by_email as (
    {#- an email shared by several users matches none -#}
    select
        lower(email) as email,
        min(user_id) as user_id
    from {{ ref('stg_app__users') }}
    where email is not null
    group by lower(email)
    having count(*) = 1
),

overrides as (
    {{ vendor_identity_overrides('delighted', 'person') }}
),

identified as (
    select
        responses.response_id,
        responses.survey_id,
        responses.score,
        responses.comment,
        responses.responded_at,
        coalesce(overrides.user_id, responses.property_user_id, users_by_email.user_id) as user_id,
        coalesce(overrides.account_id, responses.property_account_id) as stated_account_id
    from responses
    left join people
        on responses.person_id = people.person_id
    left join users_by_email
        on people.email = users_by_email.email
    left join overrides
        on responses.person_id = overrides.vendor_id
),

final as (
    select
        identified.response_id,
        identified.user_id,
        identified.responded_at,
        identified.score,
        identified.comment,
        identified.survey_id,
        coalesce(identified.stated_account_id, user_accounts.account_id) as account_id
    from identified
    left join {{ ref('stg_app__users') }} as user_accounts
        on identified.user_id = user_accounts.user_id
)

select
    response_id,
    user_id,
    account_id,
    responded_at,
    score,
    comment,
    survey_id
from final
