{#- Incremental strategy `replace_window` for the event-heavy models: an incremental run
    recomputes the last `incremental_lookback_days` days before the newest day already
    built (late-arriving events land there), then replaces exactly those days in the
    table: delete the target's rows from the window start on (and rows whose window
    column is null, which the model always recomputes), insert the new rows — in the
    model's transaction.

    Model config:
      materialized='incremental', incremental_strategy='replace_window',
      window_column='<date or timestamp column>',
      window_filter='<optional condition picking the rows whose newest day counts>',
      window_recompute='<optional condition: rows before the window recomputed as well>',
      window_recompute_keys={'column': '<key column>', 'query': '<select of keys>',
                             'changed': '<optional select of one boolean>'},
      window_recompute_refs=['<model the condition reads, written {<model>}>', ...]
    `window_recompute` may read the table as it was before the run, written `{relation}`
    (e.g. keys quarantined for a reference that may since have arrived), and the models
    named in `window_recompute_refs` (resolved when the model runs; declare them with a
    `-- depends_on: {{ ref(...) }}` line); it applies to the model's input rows and to
    the table's rows alike, so both sides of the replacement cover the same keys.
    `window_recompute_keys` instead names the keys whose every row is recomputed by a
    query (same placeholders, plus `{window_start}`) run when the model compiles: the
    input filter gets them as a list of values (none in a usual run, so the filter is
    the window alone and an engine evaluates it in the scan), and the delete takes the
    keys of the recomputed rows dated before the window (when there are any). When
    `changed` (same placeholders) selects false, the query is not run: no key. The
    query must only return keys with input rows before the window (a key's table rows
    are then replaced by its recomputed ones).
    `window_changes_of='<model staged by file>'` (macros/staging/staged_files.sql)
    replaces the window by the days that model's runs changed since this model last
    read its log (every day, after a full build of it or a change of this model's
    SQL; none when nothing changed): the lookback and the recompute keys are not used.
    The model's post-hook `record_changed_days_read()` records the read.
    In the model SQL, `replace_window_filter(column)` keeps the rows of the window
    (true on a full build). Rows older than the window are never rewritten: an event
    arriving later than the lookback shows up as unreconciled in stg_load_audit, and
    `dbt build --full-refresh` (or a larger lookback) takes it in. -#}
{% macro get_incremental_replace_window_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {{ replace_rows_sql(arg_dict, replace_window_condition(config.require('window_column'), target, arg_dict['temp_relation'])) }}
{% endmacro %}

{#- An incremental strategy's statements: delete the target's rows meeting `condition`
    (none: no delete), then insert the run's new rows, in the model's transaction. -#}
{% macro replace_rows_sql(arg_dict, condition) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- if condition %}
    delete from {{ target }}
    where {{ condition }};
    {% endif %}
    insert into {{ target }} ({{ columns_csv }})
    select {{ columns_csv }}
    from {{ arg_dict['temp_relation'] }}
{% endmacro %}

{#- Condition true for the rows an incremental run recomputes: `expression` on or after
    the window start, or null, or the model's `window_recompute` condition, or a key of
    `window_recompute_keys` (from its query; with `recomputed`, the run's new rows, from
    their rows dated before the window). The start is read from `relation` before the
    run writes anything and rendered as a literal (so engines push the filter into the
    scan): the newest day of `window_column` (rows passing `window_filter`) minus
    `incremental_lookback_days`. An empty table gives `true` (recompute everything). -#}
{% macro replace_window_condition(expression, relation, recomputed=none) -%}
    {%- if config.get('window_changes_of') -%}
        {{ return(changed_days_condition(expression)) }}
    {%- endif -%}
    {%- set start = replace_window_start(relation) -%}
    {%- set keys = config.get('window_recompute_keys') -%}
    {%- set recompute = none -%}
    {%- if start is none -%}
    {%- elif keys and recomputed is not none -%}
        {#- the run's new rows are few: counting those before the window leaves the
            disjunct out of a usual day's delete -#}
        {%- set early = recomputed ~ ' where not ' ~ window_dated_condition(config.require('window_column'), start) -%}
        {%- if run_query('select count(*) from ' ~ early).columns[0].values()[0] > 0 -%}
            {%- set recompute = keys.column ~ ' in (select ' ~ keys.column ~ ' from ' ~ early ~ ')' -%}
        {%- endif -%}
    {%- elif keys -%}
        {%- set recompute = window_recompute_key_list(keys, relation, start) -%}
    {%- elif config.get('window_recompute') -%}
        {%- set recompute = window_recompute_sql(config.get('window_recompute'), relation) -%}
    {%- endif -%}
    {%- if recompute is none -%}
        {{ window_dated_condition(expression, start) }}
    {%- else -%}
        ({{ window_dated_condition(expression, start) }} or ({{ recompute }}))
    {%- endif -%}
{%- endmacro %}

{#- `<column> in (<the keys>)` for a model's `window_recompute_keys`, as values found
    now (the query itself past 10,000 keys), or none when the query finds no key. -#}
{% macro window_recompute_key_list(keys, relation, start) -%}
    {%- if keys.changed and not run_query(window_recompute_sql(keys.changed, relation, start)).columns[0].values()[0] -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query = window_recompute_sql(keys.query, relation, start) -%}
    {%- set found = run_query('select distinct ' ~ keys.column ~ ' from (' ~ query ~ ') as recompute_keys limit 10001') -%}
    {%- set values = found.columns[0].values() | list -%}
    {%- if values | length == 0 -%}
        {{ return(none) }}
    {%- elif values | length > 10000 -%}
        {{ return(keys.column ~ ' in (select ' ~ keys.column ~ ' from (' ~ query ~ ') as recompute_keys)') }}
    {%- endif -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- do literals.append(value if value is number else "'" ~ (value | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return(keys.column ~ ' in (' ~ literals | join(', ') ~ ')') }}
{%- endmacro %}

{#- The dated part of replace_window_condition for a window from `start` (a date;
    none: `true`): `expression` on or after it, or null. A filter on one column, so an
    engine can evaluate it in the scan. -#}
{% macro window_dated_condition(expression, start) -%}
    {%- if start is none -%}
        true
    {%- else -%}
        ({{ expression }} >= cast('{{ start }}' as date) or {{ expression }} is null)
    {%- endif -%}
{%- endmacro %}

{#- The first day an incremental run recomputes (a date, or none for an empty table):
    the newest day of `window_column` in `relation` (rows passing `window_filter`) minus
    `incremental_lookback_days`. -#}
{% macro replace_window_start(relation) -%}
    {%- set newest = 'cast(max(' ~ config.require('window_column') ~ ') as date)' -%}
    {%- set found = run_query(
        'select cast(' ~ dbt.dateadd('day', -var('incremental_lookback_days'), newest) ~ ' as date) from ' ~ relation
        ~ (' where ' ~ config.get('window_filter') if config.get('window_filter') else '')
    ) -%}
    {{ return(found.columns[0].values()[0]) }}
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

{#- A model's `window_recompute` condition with `{relation}` and the `{<model>}` names of
    `window_recompute_refs` replaced by the relations, and `{window_start}` by the date
    `start` (when given). -#}
{% macro window_recompute_sql(condition, relation, start=none) -%}
    {%- set rendered = namespace(sql=condition | replace('{relation}', relation | string)) -%}
    {%- if start is not none -%}
        {%- set rendered.sql = rendered.sql | replace('{window_start}', "cast('" ~ start ~ "' as date)") -%}
    {%- endif -%}
    {%- for name in config.get('window_recompute_refs', []) -%}
        {%- set rendered.sql = rendered.sql | replace('{' ~ name ~ '}', ref(name) | string) -%}
    {%- endfor -%}
    {{ rendered.sql }}
{%- endmacro %}

{#- For a model with `window_changes_of`: `expression in (<the days changed since this
    model last read the log>)`, `true` (every day: the log or the model's record of it
    is missing, a full build of the staged model logged a null day, or the model's SQL
    changed since) or `false` (nothing changed). -#}
{% macro changed_days_condition(expression) -%}
    {{ return(days_condition(expression, changed_days())) }}
{%- endmacro %}

{#- `expression in (<days>)` for a list of days from changed_days: `true` for none
    (every day), `false` for an empty list. -#}
{% macro days_condition(expression, days) -%}
    {%- if not days -%}
        {{ return('true' if days is none else 'false') }}
    {%- endif -%}
    {%- set literals = [] -%}
    {%- for day in days -%}{%- do literals.append("cast('" ~ day ~ "' as date)") -%}{%- endfor -%}
    {{ return(expression ~ ' in (' ~ literals | join(', ') ~ ')') }}
{%- endmacro %}

{#- The days changed since this model last read the log of its `window_changes_of`
    model, oldest first: none for every day (see changed_days_condition), or a list
    (empty when nothing changed). -#}
{% macro changed_days() -%}
    {%- set log = staged_layer_table(ref(config.get('window_changes_of')), '__changed_days') -%}
    {%- set read = staged_layer_table(this, '__changed_days_read') -%}
    {%- if not table_exists(log) or not table_exists(read) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not run_query("select code_hash = '" ~ changed_days_code_hash() ~ "' from " ~ read).columns[0].values()[0] -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set days = run_query(
        'select distinct changed_day from ' ~ log ~ ' where changed_at > coalesce((select changed_at from ' ~ read
        ~ "), cast('-infinity' as timestamp)) order by 1 nulls first"
    ).columns[0].values() | list -%}
    {{ return(none if days and days[0] is none else days) }}
{%- endmacro %}

{#- Incremental strategy `replace_changed_keys`, for a model that aggregates a store kept
    by `window_changes_of` per key (`changed_key`) over every day, with its first and
    last day in the columns `changed_span` ([first, last]). A run recomputes every
    key with rows on a changed day, or whose kept rows span one
    (days_span_condition); this deletes the kept rows of those keys — the new rows'
    keys, and the rows spanning a changed day, which covers a key with no row left —
    and inserts the new rows. -#}
{% macro get_incremental_replace_changed_keys_sql(arg_dict) %}
    {%- set key = config.require('changed_key') -%}
    {%- set condition = days_span_condition(changed_days()) -%}
    {%- if condition == 'false' -%}
        {%- set condition = key ~ ' in (select ' ~ key ~ ' from ' ~ arg_dict['temp_relation'] ~ ')' -%}
    {%- elif condition != 'true' -%}
        {%- set condition = key ~ ' in (select ' ~ key ~ ' from ' ~ arg_dict['temp_relation'] ~ ') or ' ~ condition -%}
    {%- endif -%}
    {{ replace_rows_sql(arg_dict, condition) }}
{% endmacro %}

{#- For a `replace_changed_keys` model aggregating a daily store (its CTE `store`, dated
    by `activity_date`) with its kept rows: the condition on the store's rows it
    aggregates (`added`), and the relation and condition of the kept rows merged with
    them (`kept_from`, `kept`: the kept rows of the added rows' keys, or nothing). Every
    row on a full build; none when no day changed; the changed days' rows, merged, when
    every changed day is newer than the newest kept (the span's last column); else every
    row of the keys to recompute (a row on a changed day, or kept rows spanning one),
    whose kept rows the strategy deletes. -#}
{% macro changed_keys_plan(store) -%}
    {%- set plan = {'added': 'true', 'kept_from': 'added', 'kept': 'false'} -%}
    {%- if execute and is_incremental() -%}
        {%- set key = config.require('changed_key') -%}
        {%- set days = changed_days() -%}
        {#- the newest day kept, asked only when some days changed -#}
        {%- set newest_kept = run_query(
            'select max(' ~ config.require('changed_span')[1] ~ ') from ' ~ this
        ).columns[0].values()[0] if days else none -%}
        {%- if days == [] -%}
            {%- do plan.update({'added': 'false'}) -%}
        {%- elif days and newest_kept is not none and days[0] > newest_kept -%}
            {%- do plan.update({
                'added': days_condition('activity_date', days),
                'kept_from': this,
                'kept': key ~ ' in (select added.' ~ key ~ ' from added)',
            }) -%}
        {%- else -%}
            {%- do plan.update({'added': key ~ ' in (select ' ~ key ~ ' from ' ~ store ~ ' where '
                ~ days_condition('activity_date', days) ~ ' union select ' ~ key ~ ' from ' ~ this ~ ' where '
                ~ days_span_condition(days) ~ ')'}) -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(plan) }}
{%- endmacro %}

{#- Condition on a `replace_changed_keys` model's kept rows that span a day of `days`
    (from changed_days): first on or before the newest and last on or after the oldest
    (`true` for none, every day; `false` for an empty list). -#}
{% macro days_span_condition(days) -%}
    {%- if not days -%}
        {{ return('true' if days is none else 'false') }}
    {%- endif -%}
    {%- set span = config.require('changed_span') -%}
    {{ return(
        '(' ~ span[0] ~ " <= cast('" ~ days[-1] ~ "' as date) and " ~ span[1] ~ " >= cast('" ~ days[0] ~ "' as date))"
    ) }}
{%- endmacro %}

{#- Post-hook of a model with `window_changes_of`: records in `<model>__changed_days_read`
    how far it has read the log (its newest entry) and the model's SQL it was built with. -#}
{% macro record_changed_days_read() %}
    {%- if config.get('window_changes_of') -%}
        {%- set log = staged_layer_table(ref(config.get('window_changes_of')), '__changed_days') -%}
        create or replace table {{ staged_layer_table(this, '__changed_days_read') }} as
        select
            {{ '(select max(changed_at) from ' ~ log ~ ')' if table_exists(log) else 'cast(null as timestamp)' }} as changed_at,
            '{{ changed_days_code_hash() }}' as code_hash
    {%- endif -%}
{% endmacro %}

{#- The hash of the SQL a model with `window_changes_of` was built with: its own, and
    that of the models it reads that follow the same log (a change there rewrites
    them in full, which the log does not say). -#}
{% macro changed_days_code_hash() -%}
    {%- set codes = [model.raw_code] -%}
    {%- for parent in model.depends_on.nodes -%}
        {%- set node = graph.nodes.get(parent) -%}
        {%- if node and node.config.get('window_changes_of') -%}
            {%- do codes.append(node.raw_code) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(local_md5(codes | join('\n'))) }}
{%- endmacro %}

{#- Whether `relation` is a table now, asked of the database: dbt's relation cache does
    not know the tables a run creates with run_query or in hooks (the log of changed
    days is created when the staged model compiles). -#}
{% macro table_exists(relation) %}
    {{ return(run_query(
        "select count(*) from information_schema.tables where table_schema = '" ~ relation.schema
        ~ "' and table_name = '" ~ relation.identifier ~ "'"
        ~ (" and table_catalog = '" ~ relation.database ~ "'" if relation.database else '')
    ).columns[0].values()[0] > 0) }}
{% endmacro %}
