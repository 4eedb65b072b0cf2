{#- The one date every model is computed as of, and its windows. as_of is the one
    given to the run (the var `as_of` or SAAS_AS_OF: macros/run_inputs.sql), read when
    the run starts, else the last full UTC day present in events (a day is full once
    the load started after it ended). -#}
{%- set as_of = run_as_of() if execute else none %}
with

event_days as (
    select max(event_date) as last_event_date
    from {{ ref('stg_app__events') }}
),

resolved as (
    select
        {%- if as_of %}
        cast('{{ as_of }}' as date) as as_of_date
        {%- else %}
            case
                when last_event_date >= cast('{{ run_started_at.strftime("%Y-%m-%d") }}' as date)
                    then cast({{ dbt.dateadd('day', -1, 'last_event_date') }} as date)
                else last_event_date
            end as as_of_date
        {%- endif %}
    from event_days
)

select
    as_of_date,
    cast({{ dbt.dateadd('day', 1 - var('recent_window_days'), 'as_of_date') }} as date) as recent_start_date,
    cast({{ dbt.dateadd('day', -var('recent_window_days'), 'as_of_date') }} as date) as baseline_end_date,
    cast(
        {{ dbt.dateadd('day', 1 - var('recent_window_days') - var('baseline_window_days'), 'as_of_date') }} as date
    ) as baseline_start_date,
    cast({{ dbt.dateadd('day', 1, 'as_of_date') }} as date) as as_of_end_date
from resolved
