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
    {%- set columns_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ replace_window_condition(config.require('window_column'), target) }};

    insert into {{ target }} ({{ columns_csv }})
    select {{ columns_csv }}
    from {{ arg_dict['temp_relation'] }}
{% endmacro %}

{#- Condition true for the rows an incremental run recomputes: `expression` on or after
    the window start, or null. The start is read from `relation` before the run writes
    anything and rendered as a literal (so engines push the filter into the scan): the
    newest day of `window_column` (rows passing `window_filter`) minus
    `incremental_lookback_days`. An empty table gives `true` (recompute everything). -#}
{% macro replace_window_condition(expression, relation) -%}
    {%- set newest = 'cast(max(' ~ config.require('window_column') ~ ') as date)' -%}
    {%- set found = run_query(
        'select cast(' ~ dbt.dateadd('day', -var('incremental_lookback_days'), newest) ~ ' as date) from ' ~ relation
        ~ (' where ' ~ config.get('window_filter') if config.get('window_filter') else '')
    ) -%}
    {%- set start = found.columns[0].values()[0] -%}
    {%- if start is none -%}
        true
    {%- else -%}
        ({{ expression }} >= cast('{{ start }}' as date) or {{ expression }} is null)
    {%- endif -%}
{%- endmacro %}

{#- Condition keeping a model's rows in the window of an incremental run (see
    replace_window_condition); always true on a full build. -#}
{% macro replace_window_filter(expression) -%}
    {%- if execute and is_incremental() -%}
        {{ replace_window_condition(expression, this) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
