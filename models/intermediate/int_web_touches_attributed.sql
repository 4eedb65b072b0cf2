{#- Web touches up to as_of, attributed to users. A touch belongs to the user it
    carries; a touch without a user_id belongs to the user of its anonymous_id, known
    once any touch of that anonymous_id up to as_of carries a user_id (this stitches
    pre-signup touches to the user). When one anonymous_id carries several users (a
    shared browser), the anonymous touches go to the user of the anonymous_id's first
    identified touch (earliest occurred_at, then lowest touch_id), deterministically.
    Touches that carry a user_id always keep it. Touches with no known user stay with
    user_id null (attribution `none`); account_id comes from the user as of as_of.
    A content touch is any touch type in content_touch_types (not `other`). A view:
    its one reader, int_account_journeys, computes it (at scale l writing its 2.2 M
    rows cost more than computing them again). -#}
{{ config(materialized='view') }}
{%- set content_touch_types = [
    'blog_view', 'ebook_download', 'webinar_attended', 'pricing_page', 'features_page', 'faq_page'
] %}
{%- set content_touch_list = "'" ~ content_touch_types | join("', '") ~ "'" %}

with

as_of as (
    select as_of_end_date
    from {{ ref('int_as_of_date') }}
),

all_touches as (
    select
        touch_id,
        anonymous_id,
        user_id,
        occurred_at,
        touch_type
    from {{ ref('stg_web__touches') }}
),

touches as (
    select
        all_touches.touch_id,
        all_touches.anonymous_id,
        all_touches.user_id,
        all_touches.occurred_at,
        all_touches.touch_type
    from all_touches
    inner join as_of on all_touches.occurred_at < as_of.as_of_end_date
),

users as (
    select
        user_id,
        account_id
    from {{ ref('int_users_as_of') }}
),

identified as (
    select
        anonymous_id,
        user_id,
        row_number() over (partition by anonymous_id order by occurred_at, touch_id) as identified_number
    from touches
    where anonymous_id is not null and user_id is not null
),

anonymous_owner as (
    select
        anonymous_id,
        user_id
    from identified
    where identified_number = 1
),

attributed as (
    select
        touches.touch_id,
        touches.anonymous_id,
        touches.occurred_at,
        touches.touch_type,
        coalesce(touches.user_id, anonymous_owner.user_id) as user_id,
        case
            when touches.user_id is not null then 'user_id'
            when anonymous_owner.user_id is not null then 'anonymous_id'
            else 'none'
        end as attribution
    from touches
    left join anonymous_owner on touches.anonymous_id = anonymous_owner.anonymous_id
)

select
    attributed.touch_id,
    attributed.anonymous_id,
    attributed.user_id,
    users.account_id,
    attributed.occurred_at,
    cast(attributed.occurred_at as date) as touch_date,
    attributed.touch_type,
    attributed.attribution,
    coalesce(attributed.touch_type in ({{ content_touch_list }}), false) as is_content_touch
from attributed
left join users on attributed.user_id = users.user_id
