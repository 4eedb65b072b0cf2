{#- Incremental strategy `replace_window` for the event-heavy models: an incremental run
    recomputes the last `incremental_lookback_days` days before the newest day already
    built (late-arriving events land there), then replaces exactly those days in the
    table: delete the target's rows from the window start on (and rows whose window
    column is null, which the model always recomputes), insert the new rows — in the
    model's transaction.

    Model config:
      materialized='incremental', incremental_strategy='replace_window',
      window_column='<date or timestamp column>',
      window_filter='<optional condition picking the rows whose newest day counts>'
    In the model SQL, `replace_window_filter(column)` keeps the rows of the window
    (true on a full build). Rows older than the window are never rewritten: an event
    arriving later than the lookback shows up as unreconciled in stg_load_audit, and
    `dbt build --full-refresh` (or a larger lookback) takes it in. -#}
{% macro get_incremental_replace_window_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set column = config.require('window_column') -%}
    {%- set columns_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ column }} >= {{ replace_window_start(target) }}
        or {{ column }} is null;

    insert into {{ target }} ({{ columns_csv }})
    select {{ columns_csv }}
    from {{ arg_dict['temp_relation'] }}
{% endmacro %}

{#- First day recomputed by an incremental run of the current model: the newest day of
    `window_column` in `relation` (rows passing `window_filter`) minus the lookback. -#}
{% macro replace_window_start(relation) -%}
    {%- set column = config.require('window_column') -%}
    {%- set newest = 'cast(max(' ~ column ~ ') as date)' -%}
    (
        select cast({{ dbt.dateadd('day', -var('incremental_lookback_days'), newest) }} as date)
        from {{ relation }}
        {%- if config.get('window_filter') %}
        where {{ config.get('window_filter') }}
        {%- endif %}
    )
{%- endmacro %}

{#- Condition keeping a model's rows in the window of an incremental run: `expression`
    (the window column as the model computes it) on or after the window start, or null.
    Always true on a full build. -#}
{% macro replace_window_filter(expression) -%}
    {%- if is_incremental() -%}
        ({{ expression }} >= {{ replace_window_start(this) }} or {{ expression }} is null)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
