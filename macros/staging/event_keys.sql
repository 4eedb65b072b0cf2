{#- The event's text ids and the 64-bit keys (hash_key) stg_app__events holds instead:
    the event table is by far the largest, and its readers (the user-day and
    feature-day rollups) group and join on integer keys. A user's and an account's key
    is the one their own rows hash to (hash_key_is_unique on stg_app__users and
    stg_crm__accounts), so a reader joins users and accounts on `hash_key` of their id.
    base_app__events stores these keys when staged by file (stage_raw_table's
    `keyed_columns`). -#}
{% macro event_keys() %}
    {{ return({'event_id': 'event_key', 'user_id': 'user_key', 'account_id': 'account_key', 'session_id': 'session_key'}) }}
{% endmacro %}

{#- stg_app__events' key columns from base_app__events: stored there (`stored`), or
    computed from the text ids. -#}
{% macro event_key_columns(stored) -%}
    {%- set columns = [] -%}
    {%- for column, key in event_keys().items() -%}
        {%- do columns.append(key if stored else nullable_hash_key(column) ~ ' as ' ~ key) -%}
    {%- endfor -%}
    {{ columns | join(',\n        ') }}
{%- endmacro %}
