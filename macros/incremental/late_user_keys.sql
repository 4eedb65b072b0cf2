{#- `window_recompute_keys` of the per-user rollups of stg_app__events (replace_window):
    the users the table has no row of whose staged events (passing `event_filter`, on
    `events`) start before the window, i.e. users arriving late, whose earlier events
    base_app__events staged once they arrived. A usual daily run finds none. With
    `hashed`, the table keys users by `user_key` (`hash_key(user_id)`). -#}
{% macro late_user_keys(event_filter='true', hashed=false) %}
    {%- set column = 'user_key' if hashed else 'user_id' -%}
    {%- set event_key = hash_key('events.user_id') if hashed else 'events.user_id' -%}
    {%- set user_key = hash_key('users.user_id') if hashed else 'users.user_id' -%}
    {{ return({
        'column': column,
        'query': "select " ~ event_key ~ " as " ~ column ~ " from {stg_app__events} as events"
            ~ " where events.event_date < {window_start} and " ~ event_filter
            ~ " and events.user_id in (select users.user_id from {stg_app__users} as users"
            ~ " left join (select distinct " ~ column ~ " from {relation}) as built on "
            ~ user_key ~ " = built." ~ column
            ~ " where built." ~ column ~ " is null)",
    }) }}
{% endmacro %}
