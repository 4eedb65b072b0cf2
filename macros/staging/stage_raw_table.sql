{#- Builds a base staging model from one raw contract table: every raw row comes out
    exactly once, typed, with `_row_status` (staged | quarantined | collapsed) and,
    for quarantined rows, the first rule it broke and its raw values.

    Rules are checked in this order and the first one broken wins:
      1. contract rules from the source YAML: null_key, unparseable_<type>,
         missing_required, timestamp_out_of_range, unknown_enum;
      2. lookups (orphans, fx coverage): a left join that must find a row;
      3. `rules`: [rule, condition] pairs over the typed columns;
      4. duplicate_key: among rows that passed 1–3, one row per key is kept, the one
         whose raw values (in column order; text for CSV) sort first (by file: then the
         first file's, so which of two exact copies is kept is fixed). Only rows whose
         typed key repeats among the raw rows (or is null) are ranked: a narrow count
         of the keys finds them first (a full build: into a scratch table, before the
         model's query; none leaves the ranking branch out), every other row is its
         key's only row (no sort of the whole table). Their rows are read a second
         time, picked by key before the other columns are typed, and checked apart
         (so the checked rows of the whole table are streamed, never kept to be read
         twice). An incremental run counts the keys of the window's rows only (a key's
         rows before the window are checked against the built table);
      5. `window_rules`: [rule, condition] pairs that may use window functions; they
         are evaluated over the rows still staged (`_is_candidate`).
    With `collapse_exact_duplicates`, rows identical in every raw column are
    collapsed into one before any rule (`_row_status = 'collapsed'`).

    lookups: [{relation, alias, columns: [...], on, rule, when?, fails?, select?: {name: expr},
               source_column?}]
    `source_column` names the raw table's column matched with the lookup's first column
    (orphan_lookup and currency_lookups set it; staging by file checks again the rows of
    a key whose row in `relation` changed or went).
    `on`, `when`, `fails` and `select` refer to the raw table as `src`. A lookup's rule
    is broken when `when` holds and `fails` does (by default: no row found,
    `<alias>._found is null`). A lookup without `relation` joins nothing: its `fails`
    reads the join of the earlier lookup named by its `alias` (one join, two rules).
    extra_columns: {name: expr} computed on staged output (may use lookup selects).

    Staged by file when the model's incremental strategy is `replace_files` (set where
    `staged_by_file` holds: macros/staging/staged_files.sql; DuckDB reading raw files
    only): a full build stages every file, an incremental run only new and changed
    files and the keys they share; rows carry `_source_file`.

    staged_record_key: false leaves `_record_key` null on staged rows whose enums were
    not mapped (the staged key columns hold it; a big table then stores it once).

    keyed_columns: {column: key name}. Staged by file, each of these text columns is
    stored as its 64-bit `hash_key` under the key name instead of as text (null stays
    null), so a big table holds integers where it would hold string ids: every rule,
    lookup and the duplicate ranking still read the text, and a quarantined row keeps its
    raw values in `_record_key` and `_raw_record`. Elsewhere the columns stay text.

    window_column: for a model built incrementally by day (strategy `replace_window`,
    macros/incremental): only raw rows whose typed `window_column` is in the lookback
    window (or null) are read, and a key already staged before the window makes the
    new row a `duplicate_key` (the built keys are probed with the window's keys; the
    model's hooks keep the hash tables on the window's side: hash_join_sides_as_written).
    Raw rows dated before the window are counted against the table's rows before it;
    when there are more (a new file re-delivered old rows), each new row identical in
    every typed column to a row already built is added as `collapsed` (as a full build
    collapses it). A new row before the window with any
    other content is left out: stg_load_audit does not reconcile and the build fails
    until a full refresh. -#}
{% macro stage_raw_table(source_name, table_name, relation, lookups=[], rules=[], window_rules=[], extra_columns={}, collapse_exact_duplicates=false, window_column=none, staged_record_key=true, keyed_columns={}) %}
{%- if not execute -%}
    select 1 as parse_placeholder
{%- else -%}
{%- set by_file = config.get('incremental_strategy') == 'replace_files' -%}
{%- set contract = raw_contract_table(source_name, table_name) -%}
{%- set joined = [] -%}
{%- for lookup in lookups -%}
    {%- if 'relation' in lookup -%}
        {%- do joined.append(lookup.alias) -%}
    {%- elif lookup.alias not in joined -%}
        {{ exceptions.raise_compiler_error("lookup '" ~ lookup.rule ~ "' reads the join '" ~ lookup.alias ~ "', which no earlier lookup makes (joined: " ~ (joined | join(', ') or 'none') ~ ")") }}
    {%- endif -%}
{%- endfor -%}
{%- set columns = contract.columns -%}
{%- set keys = columns | selectattr('key') | map(attribute='name') | list -%}
{%- if by_file -%}
    {%- set key_column = columns | selectattr('key') | first -%}
    {%- if keys | length != 1 or key_column.type != 'text' or key_column.enum or window_rules -%}
        {{ exceptions.raise_compiler_error("staging " ~ source_name ~ "." ~ table_name ~ " by file needs one text key (not an enum) and no window_rules") }}
    {%- endif -%}
    {#- the rows of new and changed files, and of keys to rank or check again; no window -#}
    {%- set relation = staged_files_input(relation, keys[0], lookups, lookups | map(attribute='rule') | list + ['timestamp_out_of_range'], keyed_columns) -%}
    {%- set window_column = none -%}
{%- endif -%}
{%- set load_time = run_started_at.strftime('%Y-%m-%d %H:%M:%S') -%}
{%- set prior_keys = window_column is not none and is_incremental() -%}
{%- set late = namespace(start=none) -%}
{%- set window = namespace(start=none, recompute=none) -%}
{%- if prior_keys -%}
    {%- set window.start = replace_window_start(this) -%}
    {%- set window.recompute = staging_window_recompute(this) -%}
    {%- set late = namespace(start=late_rows_start(columns, relation, window_column, window.start)) -%}
{%- endif -%}
{#- A full build run by `dbt run`/`build` counts the repeated keys first, into a scratch
    table: none and no null key (the usual case) leaves the ranking branch out. -#}
{%- set repeats = {'relation': none, 'any': true} -%}
{%- set typed_source = 'typed_in_window' if window_column else 'typed' -%}
{%- if not prior_keys and flags.WHICH in ['run', 'build'] and model.resource_type == 'model' -%}
    {%- set repeats = counted_repeated_keys(columns, keys, relation) -%}
{%- endif -%}
with

source_rows as {{ inlined_cte() }} (
    select
        {%- for column in columns %}
        {{ column.name }} as _raw_{{ column.name }}{{ ',' if not loop.last or by_file }}
        {%- endfor %}
        {%- if by_file %}
        _raw_file
        {%- endif %}
    from {{ relation }}
),

{%- if window_column %}
{%- set early = (keys + [window_column]) | unique | list %}

window_columns_typed as {{ inlined_cte() }} (
    {#- the window column and the keys typed first: an incremental run types the other
        columns of the window's rows only -#}
    select
        source_rows.*,
        {%- for column in columns if column.name in early %}
        {{ typed_contract_value(column) }} as {{ column.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from source_rows
),

typed_in_window as {{ 'materialized' if prior_keys else typed_rows_cte() }} (
    {#- an incremental run's window rows are few: computed once for every branch -#}
    {%- set typed_rest %}
    select
        {%- for column in columns %}
        {{ column.name if column.name in early else typed_contract_value(column) ~ ' as ' ~ column.name }},
        {%- endfor %}
        {%- for column in columns %}
        _raw_{{ column.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from window_columns_typed
    {%- endset %}
    {{ typed_rest }}
    where {{ raw_window_prefilter(relation, window_column, window.start) }}
        and {{ window_dated_condition(window_column, window.start) }}
    {%- if window.recompute %}
    union all
    {{ typed_rest }}
    where not {{ window_dated_condition(window_column, window.start) }} and ({{ window.recompute }})
    {%- endif %}
),
{%- else %}

typed as {{ typed_rows_cte() }} (
    select
        {{ typed_and_raw_columns(columns) }}{{ ',\n        _raw_file' if by_file }}
    from source_rows
),
{%- endif %}

{%- if repeats.any %}
{%- if repeats.relation is none %}

key_values as (
    {%- if prior_keys %}
    {#- an incremental run ranks the window's rows only: count the keys among them -#}
    select
        {%- for key in keys %}
        {{ key }} as _repeated_{{ key }}{{ ',' if not loop.last }}
        {%- endfor %}
    from typed_in_window
    {%- else %}
    {{ raw_key_values(columns, keys, relation) }}
    {%- endif %}
),

key_counts as (
    {{ repeated_key_counts(keys, 'key_values') }}
),
{%- endif %}

repeated_keys as (
    {#- Typed keys held by more than one raw row (by key_match_values: a hash on DuckDB,
        so a rare collision only ranks a few more rows): only their rows are ranked. -#}
    select
        {%- for value in key_match_values(keys) %}
        _repeated_{{ loop.index }},
        {%- endfor %}
        1 as _found
    from {{ repeats.relation or 'key_counts' }}
    where not _null_key
),

repeated_rows as {{ inlined_cte() }} (
    {#- the rows ranked below, picked by their typed key before the other columns are
        typed, checked and looked up (which then run over few rows) -#}
    {%- if window_column and not prior_keys %}
    {{ typed_rest }}
    {%- else %}
    select {{ typed_source }}.*
    from {{ typed_source }}
    {%- endif %}
    where
        {%- set matched = key_match_values(keys) %}
        {{ '(' ~ matched | join(', ') ~ ')' if matched | length > 1 else matched[0] }} in (
            select {% for value in matched %}_repeated_{{ loop.index }}{{ ', ' if not loop.last }}{% endfor %}
            from repeated_keys
        )
        {%- for key in keys %}
        or {{ key }} is null
        {%- endfor %}
),
{%- endif %}

{%- set checked_rows %}
contract_checked@rows@ as (
    select
        typed.*,
        case
            {%- for key in keys %}
            when {{ as_text('_raw_' ~ key) }} is null then 'null_key'
            {%- endfor %}
            {%- for column in columns if column.type != 'text' %}
            when _raw_{{ column.name }} is not null and {{ column.name }} is null then '{{ unparseable_rule(column.type) }}'
            {%- endfor %}
            {%- for column in columns if not column.nullable %}
            when {{ column.name }} is null then 'missing_required'
            {%- endfor %}
            {%- for column in columns if column.range_check %}
            when {{ column.name }} < cast('{{ var("raw_min_timestamp") }}' as {{ dbt.type_timestamp() }})
                or {{ column.name }} > cast('{{ load_time }}' as {{ dbt.type_timestamp() }}) then 'timestamp_out_of_range'
            {%- endfor %}
            {%- for column in columns if column.enum and column.on_unknown == 'quarantine' %}
            when {{ column.name }} not in ({{ sql_text_list(column.enum) }}) then 'unknown_enum'
            {%- endfor %}
        end as _contract_rule,
        {{ enum_mapped_condition(columns) }} as _enum_mapped
    from @source@ as typed
),

looked_up@rows@ as (
    select
        src.*,
        {%- for lookup in lookups %}
        {%- for name, expression in lookup.get('select', {}).items() %}
        {{ expression }} as {{ name }},
        {%- endfor %}
        {%- endfor %}
        {%- if lookups %}
        case
            {%- for lookup in lookups %}
            when {{ lookup.get('when', 'true') }} and {{ lookup.get('fails', lookup.alias ~ '._found is null') }} then '{{ lookup.rule }}'
            {%- endfor %}
        end as _lookup_rule
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as _lookup_rule
        {%- endif %},
        {{ '_prior_key._found is not null' if prior_keys else 'false' }} as _has_prior_key,
        {%- if repeats.any %}
        (repeated._found is not null{% for key in keys %} or src.{{ key }} is null{% endfor %}) as _key_repeats
        {%- else %}
        false as _key_repeats
        {%- endif %}
    from contract_checked@rows@ as src
    {%- if repeats.any %}
    left join repeated_keys as repeated
        on {% for value in key_match_values(keys, 'src.') %}{{ value }} = repeated._repeated_{{ loop.index }}{{ ' and ' if not loop.last }}{% endfor %}
    {%- endif %}
    {%- if prior_keys %}
    left join (
        {#- staged keys are unique: no distinct needed -#}
        select
            {{ keys | join(', ') }},
            1 as _found
        from {{ this }}
        where _row_status = 'staged' and not {{ window_dated_condition(window_column, window.start) }}
            {%- if window.recompute %} and not ({{ window.recompute }}){% endif %}
            and {{ keys | join(' || ') if keys | length > 1 else keys[0] }} in (
                select {{ keys | join(' || ') if keys | length > 1 else keys[0] }} from typed_in_window
            )
    ) as _prior_key
        on {% for key in keys %}src.{{ key }} = _prior_key.{{ key }}{{ ' and ' if not loop.last }}{% endfor %}
    {%- endif %}
    {%- for lookup in lookups if 'relation' in lookup %}
    left join (
        select
            {{ lookup.columns | join(', ') }},
            1 as _found
        from {{ lookup.relation }}
    ) as {{ lookup.alias }}
        on {{ lookup.on }}
    {%- endfor %}
),

checked@rows@ as {{ inlined_cte() }} (
    select
        looked_up@rows@.*,
        coalesce(
            _contract_rule,
            _lookup_rule
            {%- if rules %},
            case
                {%- for rule in rules %}
                when {{ rule[1] }} then '{{ rule[0] }}'
                {%- endfor %}
            end
            {%- endif %}
        ) as _failed_rule
    from looked_up@rows@
)
{%- endset %}
{{ checked_rows | replace('@rows@', '') | replace('@source@', typed_source) }},
{%- if repeats.any %}
{{ checked_rows | replace('@rows@', '_repeated') | replace('@source@', 'repeated_rows') }},

ranked as (
    {#- One sort per repeated key: rows that passed 1–3 first, then by raw values, so
        the kept row is the first one and exact copies sit next to each other. -#}
    select
        checked_repeated.*,
        row_number() over key_order as _key_rank,
        {%- if collapse_exact_duplicates %}
        (
            row_number() over key_order > 1
            {%- for column in columns %}
            and lag(_raw_{{ column.name }}) over key_order is not distinct from _raw_{{ column.name }}
            {%- endfor %}
        ) as _is_copy
        {%- else %}
        false as _is_copy
        {%- endif %}
    from checked_repeated
    where _key_repeats
    window key_order as (
        partition by {{ keys | join(', ') }}
        order by
            case when _failed_rule is null then 0 else 1 end,
            {% for column in columns %}_raw_{{ column.name }}{{ ', ' if not loop.last }}{% endfor %}
            {%- if by_file %},
            _raw_file
            {%- endif %}
    )
),
{%- endif %}

keyed as (
    select
        checked.*,
        cast(1 as {{ dbt.type_bigint() }}) as _key_rank,
        false as _is_copy
    from checked
    {%- if repeats.any %}
    where not _key_repeats
    union all
    select ranked.*
    from ranked
    {%- endif %}
),

candidates as (
    select
        keyed.*,
        (_failed_rule is null and not _is_copy and _key_rank = 1 and not _has_prior_key) as _is_candidate
    from keyed
),

windowed as (
    select
        candidates.*,
        {%- if window_rules %}
        case
            {%- for rule in window_rules %}
            when _is_candidate and ({{ rule[1] }}) then '{{ rule[0] }}'
            {%- endfor %}
        end as _window_rule
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as _window_rule
        {%- endif %}
    from candidates
),

classified as (
    select
        windowed.*,
        case
            when _is_copy then 'collapsed'
            when _is_candidate and _window_rule is null then 'staged'
            else 'quarantined'
        end as _row_status
    from windowed
)
{%- if late.start is not none %}
{%- set before = window_column ~ " < cast('" ~ late.start ~ "' as date)" %}
{%- set names = columns | map(attribute='name') | list %},

late_source as (
    select
        {{ typed_and_raw_columns(columns) }}
    from (
        select
            {%- for column in columns %}
            {{ column.name }} as _raw_{{ column.name }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ relation }}
    ) as raw_rows
),

late_keys as (
    {#- Keys with more raw rows before the window than built ones. -#}
    select distinct {{ keys | join(', ') }}
    from (
        select {{ keys | join(', ') }} from late_source where {{ before }}
        except all
        select {{ keys | join(', ') }} from {{ this }} where {{ before }}
    ) as extra
),

late_raw as (
    select
        late_source.*,
        row_number() over (
            partition by {{ names | join(', ') }}
            order by {% for column in columns %}_raw_{{ column.name }}{{ ', ' if not loop.last }}{% endfor %}
        ) as _copy_rank
    from late_source
    where {{ before }} and {{ keys | join(' || ') if keys | length > 1 else keys[0] }} in (
        select {{ keys | join(' || ') if keys | length > 1 else keys[0] }} from late_keys
    )
),

late_built as (
    {#- Rows built before the window with the same typed values, per set of values. -#}
    select
        {%- for name in names %}
        {{ name }},
        {%- endfor %}
        count(*) as _built_rows
    from {{ this }}
    where {{ before }} and {{ keys | join(' || ') if keys | length > 1 else keys[0] }} in (
        select {{ keys | join(' || ') if keys | length > 1 else keys[0] }} from late_keys
    )
    group by {{ names | join(', ') }}
),

late_copies as (
    {#- New rows identical to a built row: the ones past the built count. -#}
    select late_raw.*
    from late_raw
    inner join late_built
        on {% for name in names %}late_raw.{{ name }} is not distinct from late_built.{{ name }}{{ ' and ' if not loop.last }}{% endfor %}
    where late_raw._copy_rank > late_built._built_rows
)
{%- endif %}

select
    {%- for column in columns %}
    {%- if by_file and column.name in keyed_columns %}
    {{ nullable_hash_key(column.name) }} as {{ keyed_columns[column.name] }},
    {%- else %}
    {{ column.name }},
    {%- endif %}
    {%- endfor %}
    {%- for name, expression in extra_columns.items() %}
    {{ expression }} as {{ name }},
    {%- endfor %}
    _row_status,
    case
        when _row_status <> 'quarantined' then null
        when _failed_rule is not null then _failed_rule
        when _key_rank > 1 or _has_prior_key then 'duplicate_key'
        else _window_rule
    end as _quarantine_rule,
    _enum_mapped,
    {%- if staged_record_key %}
    {{ raw_record_text(keys, prefix='_raw_', with_names=false) }} as _record_key,
    {%- else %}
    case
        when _row_status <> 'staged' or _enum_mapped then {{ raw_record_text(keys, prefix='_raw_', with_names=false) }}
    end as _record_key,
    {%- endif %}
    case when _row_status <> 'staged' then {{ raw_record_text(columns | map(attribute='name') | list, prefix='_raw_', with_names=true) }} end as _raw_record
    {%- if by_file %},
    {{ staged_file_path('_raw_file') }} as _source_file
    {%- endif %}
from classified
{%- if late.start is not none %}
union all
select
    {%- for column in columns %}
    {{ column.name }},
    {%- endfor %}
    {%- for name in extra_columns %}
    cast(null as {{ dbt.type_string() }}) as {{ name }},
    {%- endfor %}
    'collapsed' as _row_status,
    cast(null as {{ dbt.type_string() }}) as _quarantine_rule,
    {{ enum_mapped_condition(columns) }} as _enum_mapped,
    {{ raw_record_text(keys, prefix='_raw_', with_names=false) }} as _record_key,
    {{ raw_record_text(columns | map(attribute='name') | list, prefix='_raw_', with_names=true) }} as _raw_record
from late_copies
{%- endif %}
{%- endif -%}
{% endmacro %}

{#- The model's `window_recompute` condition for an incremental run, or none when no row
    of the table meets it: a staging model's condition picks keys of rows already
    built (e.g. quarantined for a reference that may since have arrived), so then no
    raw row outside the window is read again. -#}
{% macro staging_window_recompute(relation) %}
    {%- set recompute = config.get('window_recompute') -%}
    {%- if not recompute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set condition = window_recompute_sql(recompute, relation) -%}
    {%- set found = run_query('select count(*) from ' ~ relation ~ ' where ' ~ condition).columns[0].values()[0] -%}
    {{ return(condition if found > 0 else none) }}
{% endmacro %}

{#- A full build's repeated_key_counts over the raw keys alone, into a scratch table
    of the run's connection. Returns {relation, any}: `any` is false when no key repeats
    and none is null (every row is its key's only row). -#}
{% macro counted_repeated_keys(columns, keys, relation) %}
    {%- set scratch = this.identifier ~ '__repeated_keys' -%}
    {%- set counted = repeated_key_counts(keys, '(' ~ raw_key_values(columns, keys, relation) ~ ') as key_values') -%}
    {%- do run_query(create_scratch_table(scratch, counted)) -%}
    {%- set found = run_query('select count(*) from ' ~ scratch).columns[0].values()[0] -%}
    {{ return({'relation': scratch, 'any': found > 0}) }}
{% endmacro %}

{#- The typed keys (`_repeated_<key>` columns of `source`) held by more than one row, as
    key_match_values (`_repeated_<n>`), and one row per group of null keys
    (`_null_key`). -#}
{% macro repeated_key_counts(keys, source) -%}
    {%- set values = key_match_values(keys, '_repeated_') -%}
    select
        {%- for value in values %}
        _repeated_{{ loop.index }},
        {%- endfor %}
        _null_key
    from (
        select
            {%- for value in values %}
            {{ value }} as _repeated_{{ loop.index }},
            {%- endfor %}
            ({% for key in keys %}_repeated_{{ key }} is null{{ ' or ' if not loop.last }}{% endfor %}) as _null_key
        from {{ source }}
    ) as hashed
    group by {% for value in values %}_repeated_{{ loop.index }}, {% endfor %}_null_key
    having count(*) > 1 or _null_key
{%- endmacro %}

{#- Every raw row's typed key columns, as `_repeated_<key>`. -#}
{% macro raw_key_values(columns, keys, relation) -%}
    select
        {%- for column in columns if column.key %}
        {{ typed_contract_value(column) }} as _repeated_{{ column.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select {% for key in keys %}{{ key }} as _raw_{{ key }}{{ ', ' if not loop.last }}{% endfor %}
        from {{ relation }}
    ) as raw_keys
{%- endmacro %}

{#- `create table as` for a table the current connection uses and no other sees
    (replaced when it exists): temporary on DuckDB and PostgreSQL, a temporary view
    on Spark (computed again where it is read). -#}
{% macro create_scratch_table(name, sql) %}
    {{ return(adapter.dispatch('create_scratch_table', 'saas_segments')(name, sql)) }}
{% endmacro %}

{% macro default__create_scratch_table(name, sql) -%}
    drop table if exists pg_temp.{{ name }};
    create temporary table {{ name }} as {{ sql }}
{%- endmacro %}

{% macro duckdb__create_scratch_table(name, sql) -%}
    create or replace temporary table {{ name }} as {{ sql }}
{%- endmacro %}

{% macro spark__create_scratch_table(name, sql) -%}
    create or replace temporary view {{ name }} as {{ sql }}
{%- endmacro %}

{#- The values that match a row's typed key columns (named `prefix` ~ key) to the
    repeated keys: one 64-bit hash of them on DuckDB (a narrow group by over every raw
    row), else the columns themselves. -#}
{% macro key_match_values(keys, prefix='') %}
    {{ return(adapter.dispatch('key_match_values', 'saas_segments')(keys, prefix)) }}
{% endmacro %}

{% macro default__key_match_values(keys, prefix) %}
    {%- set values = [] -%}
    {%- for key in keys -%}{%- do values.append(prefix ~ key) -%}{%- endfor -%}
    {{ return(values) }}
{% endmacro %}

{% macro duckdb__key_match_values(keys, prefix) %}
    {{ return(['hash(' ~ default__key_match_values(keys, prefix) | join(', ') ~ ')']) }}
{% endmacro %}

{#- A cheap necessary condition for a raw row to fall in a window from `start`, when
    the raw column is already a timestamp or a date (e.g. Parquet): its value at most
    two days before the start, or null (typing only moves it by the session's offset):
    the raw column against a literal, which an engine evaluates in the scan. `true` for
    text (a string's offset may be anything, and a string that reads as a timestamp may
    not type) or without a start. -#}
{% macro raw_window_prefilter(relation, window_column, start) -%}
    {%- set found = namespace(type=none) -%}
    {%- for column in adapter.get_columns_in_relation(relation) if column.name | lower == window_column -%}
        {%- set found.type = column.data_type | lower -%}
    {%- endfor -%}
    {%- if start is none or found.type is none or not (found.type.startswith('timestamp') or found.type == 'date') -%}
        true
    {%- else -%}
        (_raw_{{ window_column }} >= cast('{{ modules.datetime.date.fromisoformat(start | string) - modules.datetime.timedelta(days=2) }}' as {{ dbt.type_timestamp() }})
            or _raw_{{ window_column }} is null)
    {%- endif -%}
{%- endmacro %}

{#- The window start (`start`, read from the table) of an incremental run of a model
    staged by `window_column` when the raw rows dated before it outnumber the table's
    (new rows arrived there), else none. Counting reads the window column alone. -#}
{% macro late_rows_start(columns, relation, window_column, start) %}
    {%- if start is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set column = columns | selectattr('name', 'equalto', window_column) | first -%}
    {#- rows before the window = all rows - rows on or after its start or null, the
        latter found through the prefilter (so a Parquet scan reads few rows) -#}
    {%- set counts = run_query(
        'select (select count(*) from ' ~ relation ~ ') - (select count(*) from (select ' ~ typed_contract_value(column)
        ~ ' as ' ~ window_column ~ ' from (select ' ~ window_column ~ ' as _raw_' ~ window_column ~ ' from ' ~ relation
        ~ ') as raw_rows where ' ~ raw_window_prefilter(relation, window_column, start) ~ ') as typed_rows'
        ~ ' where ' ~ window_dated_condition(window_column, start) ~ '),'
        ~ ' (select count(*) from ' ~ this ~ ' where ' ~ window_column ~ " < cast('" ~ start ~ "' as date))"
    ).rows[0] -%}
    {{ return(start if counts[0] > counts[1] else none) }}
{% endmacro %}

{#- Typed value of a contract column; enums are matched case-insensitively to their
    canonical spelling, unknown descriptive values become 'other'. -#}
{% macro typed_contract_value(column) -%}
    {%- set raw = '_raw_' ~ column.name -%}
    {%- if column.enum -%}
        case
            when {{ as_text(raw) }} is null then null
            {%- for value in column.enum %}
            when lower({{ as_text(raw) }}) = '{{ value | lower }}' then '{{ value }}'
            {%- endfor %}
            else {{ "'other'" if column.on_unknown == 'other' else as_text(raw) }}
        end
    {%- else -%}
        {{ typed_raw_value(raw, column.type) }}
    {%- endif -%}
{%- endmacro %}

{#- True when a descriptive enum value was mapped to 'other'. -#}
{% macro enum_mapped_condition(columns) -%}
    {%- set mapped = columns | selectattr('enum') | selectattr('on_unknown', 'equalto', 'other') | list -%}
    {%- if mapped -%}
        (
        {%- for column in mapped %}
            (_raw_{{ column.name }} is not null and lower({{ as_text('_raw_' ~ column.name) }}) not in ({{ sql_text_list(column.enum | map('lower') | list) }}))
            {{- ' or' if not loop.last }}
        {%- endfor %}
        )
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}

{% macro sql_text_list(values) -%}
    {%- for value in values -%}'{{ value | replace("'", "''") }}'{{ ', ' if not loop.last }}{%- endfor -%}
{%- endmacro %}

{#- Raw values as one readable text: `a|b` or `name=a; name=b` (null shown as empty). -#}
{% macro raw_record_text(names, prefix='', with_names=false) -%}
    {%- set parts = [] -%}
    {%- for name in names -%}
        {%- if not loop.first -%}{%- do parts.append("'" ~ ('; ' if with_names else '|') ~ "'") -%}{%- endif -%}
        {%- if with_names -%}{%- do parts.append("'" ~ name ~ "='") -%}{%- endif -%}
        {%- do parts.append("coalesce(cast(" ~ prefix ~ name ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}

{#- Select list: every contract column typed, then its raw value as `_raw_<name>`. -#}
{% macro typed_and_raw_columns(columns) -%}
    {%- for column in columns %}
        {{ typed_contract_value(column) }} as {{ column.name }},
    {%- endfor %}
    {%- for column in columns %}
        _raw_{{ column.name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
