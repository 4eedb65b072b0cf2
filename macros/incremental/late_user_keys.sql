{#- `window_recompute_keys` of the per-user rollups of stg_app__events (replace_window):
    the users the table has no row of whose staged events (passing `event_filter`, on
    `events`) start before the window, i.e. users arriving late, whose earlier events
    base_app__events staged once they arrived. A usual daily run finds none. -#}
{% macro late_user_keys(event_filter='true') %}
    {{ return({
        'column': 'user_id',
        'query': "select events.user_id from {stg_app__events} as events"
            ~ " where events.event_date < {window_start} and " ~ event_filter
            ~ " and events.user_id in (select users.user_id from {stg_app__users} as users"
            ~ " left join (select distinct user_id from {relation}) as built on users.user_id = built.user_id"
            ~ " where built.user_id is null)",
    }) }}
{% endmacro %}
