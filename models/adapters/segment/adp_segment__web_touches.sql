{#- web.web_touches from Segment page calls: one touch per call. The touch type comes
    from the path: /blog → blog_view, /pricing → pricing_page, /features →
    features_page, /faq or /help → faq_page, /ebooks → ebook_download, /webinars →
    webinar_attended; any other path passes through and staging maps it to `other`
    (counted). The user is the identity seed's row for the call's userId, else the
    userId (null while anonymous). -#}
with

pages as (
    select
        cast(id as {{ dbt.type_string() }}) as touch_id,
        cast(anonymous_id as {{ dbt.type_string() }}) as anonymous_id,
        cast(user_id as {{ dbt.type_string() }}) as segment_user_id,
        {{ adapter.quote('timestamp') }} as occurred_at,
        lower(cast(path as {{ dbt.type_string() }})) as url_path,
        url
    from {{ source('segment', 'pages') }}
),

overrides as (
    {{ vendor_identity_overrides('segment', 'user') }}
),

final as (
    select
        pages.touch_id,
        pages.anonymous_id,
        pages.occurred_at,
        pages.url,
        coalesce(overrides.user_id, pages.segment_user_id) as user_id,
        case
            when pages.url_path like '/blog%' then 'blog_view'
            when pages.url_path like '/pricing%' then 'pricing_page'
            when pages.url_path like '/features%' then 'features_page'
            when pages.url_path like '/faq%' or pages.url_path like '/help%' then 'faq_page'
            when pages.url_path like '/ebooks%' then 'ebook_download'
            when pages.url_path like '/webinars%' then 'webinar_attended'
            else pages.url_path
        end as touch_type
    from pages
    left join overrides
        on pages.segment_user_id = overrides.vendor_id
)

select
    touch_id,
    anonymous_id,
    user_id,
    occurred_at,
    touch_type,
    url
from final
