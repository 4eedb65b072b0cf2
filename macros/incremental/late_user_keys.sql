{#- `window_recompute_keys` of the per-user rollups of stg_app__events (replace_window),
    which key users by `user_key` (the events' `hash_key(user_id)`): the users the table has no row
    of whose staged events (passing `event_filter`, on `events`) start before the
    window, i.e. users arriving late, whose earlier events base_app__events staged once
    they arrived.
    `counted` is the table's expression whose sum over its rows is the number of staged
    events (passing `event_filter`) they were built from, `date_column` its day. Staged
    events dated before the window are never removed, and only arrive there as a late
    user's events (a re-delivered copy is `collapsed`), so when the staged events
    before the window number what the table counts before it, no user is late:
    `changed` compares the two counts (one column scan each) and the search for late
    users, a distinct over every row of the table, runs only when they differ. -#}
{% macro late_user_keys(counted, event_filter='true', date_column='activity_date') %}
    {{ return({
        'column': 'user_key',
        'changed': "select (select count(*) from {stg_app__events} as events"
            ~ " where events.event_date < {window_start} and " ~ event_filter ~ ")"
            ~ " <> (select coalesce(sum(" ~ counted ~ "), 0) from {relation}"
            ~ " where " ~ date_column ~ " < {window_start})",
        'query': "select events.user_key from {stg_app__events} as events"
            ~ " where events.event_date < {window_start} and " ~ event_filter
            ~ " and events.user_key in (select " ~ hash_key('users.user_id') ~ " from {stg_app__users} as users"
            ~ " left join (select distinct user_key from {relation}) as built on "
            ~ hash_key('users.user_id') ~ " = built.user_key"
            ~ " where built.user_key is null)",
    }) }}
{% endmacro %}
