{#- Staging by raw file: the staged table is an append-only layer kept per raw file.

    On DuckDB, for a contract table read from the raw files, a base staging model whose
    incremental strategy is `replace_files` (`stage_raw_table` then stages by file)
    records the file each row came from (`_source_file`, its path in the raw dir) and,
    in a ledger table `<model>__files`
    (written by the post-hook `record_staged_files`), the path, size and version of every
    file it staged. A file's version is a 64-bit hash of its bytes
    (so a file rewritten at the same size within the same second is seen as changed, and
    one only touched is not); a file above `staged_file_hash_max_bytes` (DuckDB reads a
    file whole to hash it) is versioned by its modification time, to the second. An
    incremental run (strategy `replace_files`) then stages only:
      - the rows of new files and of files whose size or version changed (a restated file
        is staged again, alone); rows of removed or changed files are deleted;
      - every row of a key that a new or changed file shares with another file, or that
        a removed or changed file shared with another (so duplicates are ranked over all
        of the key's rows, exactly as a full build ranks them);
      - every row of a key quarantined by a lookup (e.g. an event waiting for its user)
        or as `timestamp_out_of_range` (a time after an earlier load may be past now),
        since a full build would check those rows again;
      - every row of a key with a row naming a lookup's key whose row changed or went
        since the last run (a user who moved account or was removed, a feature taken
        out of the catalogue): the lookups' rows the last run read are kept in
        `<model>__lookups` (lookup, key, the key's columns as text) and compared with
        the lookups' rows now. Keys added since need no check: rows naming them were
        quarantined by the lookup, and are checked again anyway.
    Every other row is kept as built, so `dbt build --full-refresh` (the model's
    `full_refresh` is false) rebuilds everything downstream from the staged layer; the
    var `restage_history: true` lets a full refresh restage every file (after a change
    of the staging code, saas_segments.publish does that).
    A model with a `window_column` (the events) also appends to a log,
    `<model>__changed_days`, the days of the staged rows each run changed (added, removed
    or rewritten; a full build logs a null day: every day), so that a model aggregating
    the staged rows by day can be kept too and rewrite only those days
    (`window_changes_of`, macros/incremental/replace_window.sql).
    The events configure this themselves (they stage by window elsewhere); the other
    tables that grow with usage (users, invoices, NPS responses, web touches, support
    tickets) call `staged_layer_config`. Elsewhere (PostgreSQL, Spark, a vendor adapter)
    those are tables built from every raw row. -#}

{#- Whether `source.table` is staged by file on this target. Known at parse time (the
    model's incremental strategy and full_refresh depend on it). -#}
{% macro staged_by_file(source_name, table_name) %}
    {{ return(target.type == 'duckdb' and raw_table_vendor(source_name, table_name) == 'files') }}
{% endmacro %}

{#- The model's `full_refresh` config: false (keep the staged layer) when staged by
    file, unless the var `restage_history` is true; else dbt's flag decides. -#}
{% macro staged_layer_full_refresh(source_name, table_name) %}
    {{ return(false if staged_by_file(source_name, table_name) and not var('restage_history', false) else none) }}
{% endmacro %}

{#- The config of a base model staged by file where `staged_by_file` holds (else the
    project's: a table): kept by `--full-refresh`, new and changed files staged by the
    incremental strategy `replace_files`, the ledger written after each run. -#}
{% macro staged_layer_config(source_name, table_name) %}
    {%- if staged_by_file(source_name, table_name) -%}
        {{ config(
            materialized='incremental',
            incremental_strategy='replace_files',
            full_refresh=staged_layer_full_refresh(source_name, table_name),
            on_schema_change='fail',
            post_hook=["{{ record_staged_files('" ~ source_name ~ "', '" ~ table_name ~ "') }}"],
        ) }}
    {%- endif -%}
{% endmacro %}

{#- A raw file's path in the raw dir (as the ledger and `_source_file` hold it), from
    the path its reader reports (`path_sql`, an expression: the raw dir, '/', then it). -#}
{% macro staged_file_path(path_sql) -%}
    substr({{ path_sql }}, {{ run_raw_dir() | length + 2 }})
{%- endmacro %}

{#- A table kept beside a model of the staged layer: `<model><suffix>` (`__files`, the
    ledger; `__changed_days`, the log of changed days; beside a model following that
    log, `__changed_days_read`: how far it has read it). -#}
{% macro staged_layer_table(relation, suffix) %}
    {{ return(api.Relation.create(database=relation.database, schema=relation.schema, identifier=relation.identifier ~ suffix)) }}
{% endmacro %}

{#- The raw rows one run stages, by file (see above). Writes the run's scratch tables:
    `<model>__current_files` (the raw files now, for the ledger) and
    `<model>__file_plan` (the delete condition `replace_files` runs: null for none), and
    `<model>__lookups_now` (the lookups' rows now, which record_staged_files keeps), and
    returns the relation to stage: `relation` itself on a full build, else a subquery of
    its rows in the files and keys to stage again. `key` is the contract's key column
    (text), `lookups` stage_raw_table's, `recheck_rules` the quarantine rules whose rows
    are staged again, `keyed_columns` stage_raw_table's: a column the table stores as its
    `hash_key` is matched by that key (a raw row by the hash of its typed value; two ids
    sharing a key, or a null id whose hash equals a key, are then restaged together, each
    still ranked by its own id). -#}
{% macro staged_files_input(relation, key, lookups, recheck_rules, keyed_columns={}) %}
    {%- set model_name = this.identifier -%}
    {%- set prefix = run_raw_dir() ~ '/' -%}
    {%- set listed = run_query(
        "select '" ~ raw_sql_string(prefix) ~ "' || file_path from " ~ var('raw_schema') ~ "._raw_files"
        ~ " where table_name = '" ~ raw_sql_string(relation.identifier) ~ "' order by 1"
    ).columns[0].values() | list -%}
    {%- do run_query(create_scratch_table(model_name ~ '__current_files', current_files_sql(listed))) -%}
    {%- set changed_days = staged_layer_table(this, '__changed_days') -%}
    {%- set checked = [] -%}
    {%- for lookup in lookups if lookup.source_column is defined -%}
        {%- set value = [] -%}
        {%- for column in lookup.columns -%}{%- do value.append('coalesce(cast(' ~ column ~ " as varchar), '')") -%}{%- endfor -%}
        {%- do checked.append("select '" ~ lookup.alias ~ "' as lookup, cast(" ~ lookup.columns[0] ~ ' as varchar) as lookup_key, '
            ~ value | join(" || '|' || ") ~ ' as lookup_row from ' ~ lookup.relation) -%}
    {%- endfor -%}
    {%- do run_query(create_scratch_table(model_name ~ '__lookups_now', checked | join(' union all ')
        if checked else 'select cast(null as varchar) as lookup, cast(null as varchar) as lookup_key, cast(null as varchar) as lookup_row where false')) -%}
    {%- set logs_days = config.get('window_column') is not none -%}
    {%- if not is_incremental() -%}
        {%- do run_query(create_scratch_table(model_name ~ '__file_plan', 'select cast(null as varchar) as delete_condition')) -%}
        {%- if logs_days -%}
            {%- do run_query('create or replace table ' ~ changed_days ~ ' as select cast(null as date) as changed_day,'
                ~ ' cast(now() as timestamp) as changed_at') -%}
        {%- endif -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- if logs_days -%}
        {%- do run_query('create table if not exists ' ~ changed_days ~ ' (changed_day date, changed_at timestamp)') -%}
    {%- endif -%}
    {%- set ledger = staged_layer_table(this, '__files') -%}
    {%- if not table_exists(ledger) or 'file_version' not in adapter.get_columns_in_relation(ledger) | map(attribute='name') | list -%}
        {#- a table without a ledger (or one without file versions): which file a row came
            from, or what it held, is unknown: stage all -#}
        {%- do run_query(create_scratch_table(model_name ~ '__file_plan', "select 'true' as delete_condition")) -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set changed = run_query(
        'select file_path from (select file_path, size_bytes, file_version from ' ~ model_name ~ '__current_files except select file_path, size_bytes, file_version from ' ~ ledger
        ~ ') as new_versions order by 1'
    ).columns[0].values() | list -%}
    {%- set dropped = run_query(
        'select file_path from (select file_path, size_bytes, file_version from ' ~ ledger ~ ' except select file_path, size_bytes, file_version from ' ~ model_name ~ '__current_files'
        ~ ') as old_versions order by 1'
    ).columns[0].values() | list -%}
    {%- set stored_key = keyed_columns.get(key, key) -%}
    {%- set typed_key = typed_raw_value(key, 'text') -%}
    {%- set raw_key = hash_key(typed_key) if key in keyed_columns else typed_key -%}
    {%- set conditions = [] -%}
    {%- set changed_paths = [] -%}
    {%- for path in changed -%}{%- do changed_paths.append(prefix ~ path) -%}{%- endfor -%}
    {%- if changed -%}
        {%- do conditions.append('(_source_file not in (' ~ sql_text_list(changed + dropped) ~ ') and ' ~ stored_key ~ ' in (select ' ~ raw_key
            ~ ' from ' ~ relation ~ ' where _raw_file in (' ~ sql_text_list(changed_paths) ~ ')))') -%}
    {%- endif -%}
    {%- if dropped -%}
        {%- do conditions.append(stored_key ~ ' in (select ' ~ stored_key ~ ' from ' ~ this ~ ' where _source_file in (' ~ sql_text_list(dropped) ~ '))') -%}
    {%- endif -%}
    {%- do conditions.append("(_row_status = 'quarantined' and _quarantine_rule in (" ~ sql_text_list(recheck_rules) ~ '))') -%}
    {%- set kept_lookups = staged_layer_table(this, '__lookups') -%}
    {%- if checked and not table_exists(kept_lookups) -%}
        {#- no record of the lookups' rows the rows were checked against: check them all -#}
        {%- do conditions.append('true') -%}
    {%- elif checked -%}
        {%- do run_query(create_scratch_table(model_name ~ '__changed_lookup_keys', 'select lookup, lookup_key from (select lookup, lookup_key,'
            ~ ' lookup_row from ' ~ kept_lookups ~ ' except select lookup, lookup_key, lookup_row from ' ~ model_name ~ '__lookups_now) as gone')) -%}
        {%- if run_query('select count(*) from ' ~ model_name ~ '__changed_lookup_keys').columns[0].values()[0] > 0 -%}
            {%- for lookup in lookups if lookup.source_column is defined -%}
                {%- set keyed = lookup.source_column in keyed_columns -%}
                {%- do conditions.append((keyed_columns[lookup.source_column] if keyed else 'cast(' ~ lookup.source_column ~ ' as varchar)')
                    ~ ' in (select ' ~ (hash_key('lookup_key') if keyed else 'lookup_key') ~ ' from ' ~ model_name
                    ~ "__changed_lookup_keys where lookup = '" ~ lookup.alias ~ "')") -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- do run_query(create_scratch_table(model_name ~ '__restaged_keys',
        'select distinct ' ~ stored_key ~ ' as _restaged_key from ' ~ this ~ ' where ' ~ stored_key ~ ' is not null and (' ~ conditions | join(' or ') ~ ')')) -%}
    {%- set key_files = [] -%}
    {%- if run_query('select count(*) from ' ~ model_name ~ '__restaged_keys').columns[0].values()[0] > 0 -%}
        {%- set key_files = run_query(
            'select distinct _source_file from ' ~ this ~ ' where ' ~ stored_key ~ ' in (select _restaged_key from ' ~ model_name ~ '__restaged_keys)'
            ~ ' order by 1'
        ).columns[0].values() | reject('in', changed + dropped) | list -%}
    {%- endif -%}
    {%- set deleted = [] -%}
    {%- if changed or dropped -%}
        {%- do deleted.append('_source_file in (' ~ sql_text_list(changed + dropped) ~ ')') -%}
    {%- endif -%}
    {%- if key_files -%}
        {%- do deleted.append(stored_key ~ ' in (select _restaged_key from ' ~ model_name ~ '__restaged_keys)') -%}
    {%- endif -%}
    {%- do run_query(create_scratch_table(model_name ~ '__file_plan', 'select '
        ~ ("'" ~ raw_sql_string(deleted | join(' or ')) ~ "'" if deleted else 'cast(null as varchar)') ~ ' as delete_condition')) -%}
    {%- set read = [] -%}
    {%- if changed -%}
        {%- do read.append('_raw_file in (' ~ sql_text_list(changed_paths) ~ ')') -%}
    {%- endif -%}
    {%- if key_files -%}
        {%- set key_paths = [] -%}
        {%- for path in key_files -%}{%- do key_paths.append(prefix ~ path) -%}{%- endfor -%}
        {%- do read.append('(_raw_file in (' ~ sql_text_list(key_paths) ~ ') and ' ~ raw_key ~ ' in (select _restaged_key from '
            ~ model_name ~ '__restaged_keys))') -%}
    {%- endif -%}
    {{ return('(select * from ' ~ relation ~ ' where ' ~ (read | join(' or ') if read else 'false') ~ ') as raw_rows_to_stage') }}
{% endmacro %}

{#- The raw files `paths` as the ledger records them: path in the raw dir, size and
    version (see above): read_blob reads the bytes of the files it hashes only. -#}
{% macro current_files_sql(paths) %}
    {%- set limit = var('staged_file_hash_max_bytes') -%}
    {%- set hashed = [] -%}
    {%- set timed = [] -%}
    {%- for row in (run_query('select filename, size from read_blob(' ~ raw_sql_list(paths) ~ ') order by 1').rows if paths else []) -%}
        {%- do (hashed if row[1] <= limit else timed).append(row[0]) -%}
    {%- endfor -%}
    {%- set selects = [] -%}
    {%- for files, version in [(hashed, "'hash ' || cast(hash(content) as varchar)"), (timed, "'modified ' || cast(epoch_ns(last_modified) as varchar)")] if files -%}
        {%- do selects.append('select ' ~ staged_file_path('filename') ~ ' as file_path, size as size_bytes, '
            ~ version ~ ' as file_version from read_blob(' ~ raw_sql_list(files) ~ ')') -%}
    {%- endfor -%}
    {{ return(selects | join(' union all ') if selects else
        'select cast(null as varchar) as file_path, cast(null as bigint) as size_bytes, cast(null as varchar) as file_version where false') }}
{% endmacro %}

{#- Incremental strategy `replace_files`: log the days of the staged rows that change
    (a model with a `window_column`), delete the rows the run stages again (the
    condition staged_files_input wrote), insert the staged rows. -#}
{% macro get_incremental_replace_files_sql(arg_dict) %}
    {%- set condition = run_query('select delete_condition from ' ~ this.identifier ~ '__file_plan').columns[0].values()[0] -%}
    {%- if config.get('window_column') is not none %}
    {{ log_changed_days_sql(arg_dict, condition) }};
    {%- endif %}
    {{ replace_rows_sql(arg_dict, condition) }}
{% endmacro %}

{#- Appends to `<model>__changed_days` the days (of `window_column`) of the staged rows
    a run adds, removes or rewrites: the multiset difference, both ways, of the staged
    rows it deletes (`condition`) and those it inserts, on every column but the file. -#}
{% macro log_changed_days_sql(arg_dict, condition) %}
    {%- set day = 'cast(' ~ config.require('window_column') ~ ' as date)' -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name') | reject('equalto', '_source_file')) -%}
    {%- set inserted = 'select ' ~ columns ~ ' from ' ~ arg_dict['temp_relation'] ~ " where _row_status = 'staged'" -%}
    {%- set deleted = 'select ' ~ columns ~ ' from ' ~ arg_dict['target_relation'] ~ ' where (' ~ condition ~ ") and _row_status = 'staged'" -%}
    insert into {{ staged_layer_table(this, '__changed_days') }} (changed_day, changed_at)
    select distinct {{ day }}, cast(now() as timestamp)
    from (
        {%- if condition %}
        ({{ inserted }} except all {{ deleted }})
        union all
        ({{ deleted }} except all {{ inserted }})
        {%- else %}
        {{ inserted }}
        {%- endif %}
    ) as changed_rows
    where {{ day }} is not null
{% endmacro %}

{#- Post-hook of a model staged by file: the ledger of the raw files it holds and the
    lookups' rows its rows were checked against. -#}
{% macro record_staged_files(source_name, table_name) %}
    {%- if staged_by_file(source_name, table_name) -%}
        create or replace table {{ staged_layer_table(this, '__files') }} as
        select file_path, size_bytes, file_version from {{ this.identifier }}__current_files;
        create or replace table {{ staged_layer_table(this, '__lookups') }} as
        select lookup, lookup_key, lookup_row from {{ this.identifier }}__lookups_now
    {%- endif -%}
{% endmacro %}
