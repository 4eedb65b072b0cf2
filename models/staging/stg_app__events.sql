{#- Staged by file (DuckDB reading raw files), base_app__events stores the ids as keys
    (macros/staging/event_keys.sql); elsewhere it keeps the text ids and the keys are
    computed here. -#}
with

staged as (
    select
        {{ event_key_columns(staged_by_file('app', 'events')) }},
        occurred_at,
        event_type,
        feature_key
    from {{ ref('base_app__events') }}
    where _row_status = 'staged'
)

select
    event_key,
    user_key,
    account_key,
    session_key,
    occurred_at,
    cast(occurred_at as date) as event_date,
    event_type,
    feature_key
from staged
