{#- Every respondent in int_nps_latest is in exactly one of seg_nps_promoters,
    seg_nps_passives and seg_nps_detractors, and every member is a respondent.
    Returns the offending users. -#}
with

respondents as (
    select user_id
    from {{ ref('int_nps_latest') }}
),

memberships as (
    select user_id
    from {{ ref('seg_nps_promoters') }}
    union all
    select user_id
    from {{ ref('seg_nps_passives') }}
    union all
    select user_id
    from {{ ref('seg_nps_detractors') }}
),

membership_counts as (
    select
        user_id,
        count(*) as segments
    from memberships
    group by user_id
),

respondents_not_in_one as (
    select
        respondents.user_id,
        'respondent not in exactly one NPS segment' as problem,
        coalesce(membership_counts.segments, 0) as segments
    from respondents
    left join membership_counts on respondents.user_id = membership_counts.user_id
    where coalesce(membership_counts.segments, 0) != 1
),

members_not_respondents as (
    select
        membership_counts.user_id,
        'NPS segment member without a latest response' as problem,
        membership_counts.segments
    from membership_counts
    left join respondents on membership_counts.user_id = respondents.user_id
    where respondents.user_id is null
)

select
    user_id,
    problem,
    segments
from respondents_not_in_one
union all
select
    user_id,
    problem,
    segments
from members_not_respondents
