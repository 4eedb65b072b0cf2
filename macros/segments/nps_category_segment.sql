{#- The whole SQL of an NPS segment (seg_nps_promoters / passives / detractors):
    users whose latest NPS answer within nps_window_days (int_nps_latest) falls in
    `category` (promoter | passive | detractor, see nps_category). A segment model is
    one call: {{ nps_category_segment('promoter') }}. -#}
{% macro nps_category_segment(category) -%}
{%- if category not in ['promoter', 'passive', 'detractor'] -%}
    {{ exceptions.raise_compiler_error("nps_category_segment: category must be promoter, passive or detractor, not '" ~ category ~ "'") }}
{%- endif -%}
with

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

latest_responses as (
    select
        user_id,
        account_id,
        responded_at,
        score
    from {{ ref('int_nps_latest') }}
),

scored as (
    select
        latest_responses.user_id,
        latest_responses.account_id,
        latest_responses.responded_at,
        latest_responses.score,
        {{ nps_category('latest_responses.score') }} as nps_category,
        {{ dbt.datediff('cast(latest_responses.responded_at as date)', 'as_of.as_of_date', 'day') }}
            as days_since_response
    from latest_responses
    cross join as_of
),

members as (
    select
        user_id,
        account_id,
        responded_at,
        score,
        days_since_response
    from scored
    where
        nps_category = '{{ category }}'
        -- int_nps_latest already keeps only the window; repeated so the whole rule reads here
        and days_since_response < {{ var('nps_window_days') }}
)

select
    members.user_id,
    members.account_id,
    as_of.as_of_date,
    members.score,
    members.responded_at,
    {{ dbt.concat([
        "'latest NPS answer '",
        "cast(members.score as " ~ dbt.type_string() ~ ")",
        "'/10 (" ~ category ~ ") on '",
        "cast(cast(members.responded_at as date) as " ~ dbt.type_string() ~ ")",
        "', '",
        "cast(members.days_since_response as " ~ dbt.type_string() ~ ")",
        "' days ago'",
    ]) }} as reason
from members
cross join as_of
{%- endmacro %}
