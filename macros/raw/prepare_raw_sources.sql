{#- on-run-start: make every contract table available as a relation in the raw
    schema and check it against the contract before any model runs. -#}
{% macro prepare_raw_sources() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('prepare_raw_sources', 'saas_segments')()) }}
{% endmacro %}

{#- DuckDB reads the raw files in place: one view per table over its files (see
    raw_table_entries for the layouts), with DuckDB's built-in readers. CSV columns
    arrive as text; staging types them. Each view carries `_raw_file`, the path of the
    file a row was read from (staging by file reads it; a raw column of that name is an
    error). Each file must carry every required column.
    A CSV line that cannot be parsed (wrong column count, broken quoting) is not read
    by the view but recorded in `raw._raw_rejected_lines` with its file and line, and
    staging quarantines it; a line that is not UTF-8 stops the build naming the file,
    the line and its bytes. `raw._raw_files` lists every file read. -#}
{% macro duckdb__prepare_raw_sources() %}
    {%- set raw_dir = run_raw_dir() -%}
    {%- set schema = var('raw_schema') -%}
    {%- set listing = run_query("select file from glob('" ~ raw_sql_string(raw_dir) ~ "/**')") -%}
    {%- set files = listing.columns[0].values() | list -%}
    {%- if files | length == 0 -%}
        {{ exceptions.raise_compiler_error("raw dir '" ~ raw_dir ~ "' does not exist or is empty (set SAAS_RAW_DIR or var raw_dir)") }}
    {%- endif -%}
    {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- do run_query('create or replace table ' ~ schema ~ '._raw_files (table_name varchar, file_path varchar, file_format varchar)') -%}
    {%- do run_query(
        'create or replace table ' ~ raw_rejected_lines_relation()
        ~ ' (source_table varchar, file_path varchar, line bigint, line_byte_position bigint, error_type varchar, error_message varchar,'
        ~ ' csv_line varchar)'
    ) -%}
    {%- set errors = [] -%}
    {%- set entries = [] -%}
    {%- for file in files -%}
        {%- do entries.append(file[raw_dir | length + 1:]) -%}
    {%- endfor -%}
    {%- set views = [] -%}
    {%- for table in raw_file_tables() -%}
        {%- set name = table.identifier -%}
        {%- set found = raw_table_entries(name, entries, raw_dir) -%}
        {%- if found.error -%}
            {%- do errors.append(found.error) -%}
        {%- else -%}
            {%- set readers = duckdb_raw_readers(schema, table, found, raw_dir, errors) -%}
            {%- do run_query('create or replace view ' ~ schema ~ '.' ~ name ~ ' as ' ~ readers | join(' union all by name ')) -%}
            {%- do views.append(name) -%}
            {%- do errors.extend(raw_contract_errors(schema, table)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do errors.extend(duckdb_encoding_errors(raw_dir)) -%}
    {%- if errors -%}
        {{ exceptions.raise_compiler_error("raw data breaks the source contract:\n  - " ~ errors | join("\n  - ")) }}
    {%- endif -%}
    {%- do adapter.commit() -%}
    {{ return('select ' ~ (views | length) ~ ' as raw_tables_ready') }}
{% endmacro %}

{#- The readers (selects) of one table's files, after recording them in
    `raw._raw_files`. Parquet files are read together by column name; CSV files are
    grouped by compression and header, and each group is read with exactly its
    header's columns (so a malformed line is rejected, never re-aligned) after a scan
    that stores its rejected lines in `raw._raw_rejected_lines`. A file without a
    required column is appended to `errors`. -#}
{% macro duckdb_raw_readers(schema, table, found, raw_dir, errors) %}
    {%- set required = table.columns | map(attribute='name') | map('lower') | list -%}
    {%- set rows = [] -%}
    {%- set readers = [] -%}
    {%- set columns_by_file = {} -%}
    {%- if found.parquet -%}
        {%- set paths = [] -%}
        {%- for entry in found.parquet -%}
            {%- do paths.append(raw_dir ~ '/' ~ entry) -%}{%- do columns_by_file.update({raw_dir ~ '/' ~ entry: []}) -%}
        {%- endfor -%}
        {%- for row in run_query('select file_name, lower(name) from parquet_schema(' ~ raw_sql_list(paths) ~ ')').rows -%}
            {%- do columns_by_file[row[0]].append(row[1]) -%}
        {%- endfor -%}
        {%- do readers.append('select * from read_parquet(' ~ raw_sql_list(paths) ~ ", union_by_name = true, hive_partitioning = false, filename = '_raw_file')") -%}
    {%- endif -%}
    {%- set groups = {} -%}
    {%- for format in ['csv', 'csv_gz'] -%}
        {%- set compression = 'gzip' if format == 'csv_gz' else 'none' -%}
        {%- for entry in found[format] -%}
            {%- set header = duckdb_csv_header(raw_dir ~ '/' ~ entry, compression) -%}
            {%- do columns_by_file.update({raw_dir ~ '/' ~ entry: header | map('lower') | list}) -%}
            {%- set group = compression ~ '|' ~ header | join(',') -%}
            {%- if group not in groups -%}{%- do groups.update({group: {'compression': compression, 'header': header, 'files': []}}) -%}{%- endif -%}
            {%- do groups[group].files.append(raw_dir ~ '/' ~ entry) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for group in groups.values() -%}
        {%- set columns = [] -%}
        {%- for column in group.header -%}{%- do columns.append("'" ~ raw_sql_string(column) ~ "': 'varchar'") -%}{%- endfor -%}
        {%- set options = raw_sql_list(group.files) ~ ", header = true, auto_detect = false, columns = {" ~ columns | join(', ') ~ "}, "
            ~ raw_csv_dialect() ~ ", compression = '" ~ group.compression ~ "'" -%}
        {%- do duckdb_store_rejected_lines(table.identifier, options, raw_dir) -%}
        {%- do readers.append('select * from read_csv(' ~ options ~ ", ignore_errors = true, filename = '_raw_file')") -%}
    {%- endfor -%}
    {%- for path, present in columns_by_file.items() -%}
        {%- set entry = path[raw_dir | length + 1:] -%}
        {%- do rows.append("('" ~ raw_sql_string(table.identifier) ~ "', '" ~ raw_sql_string(entry) ~ "', '" ~ raw_file_format(entry) ~ "')") -%}
        {%- for column in required if column not in present -%}
            {%- do errors.append("raw file '" ~ entry ~ "' of table '" ~ table.identifier ~ "' lacks required column '" ~ column ~ "'") -%}
        {%- endfor -%}
        {%- if '_raw_file' in present -%}
            {%- do errors.append("raw file '" ~ entry ~ "' of table '" ~ table.identifier ~ "' has a column '_raw_file', a name the raw views reserve for the file path") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do run_query('insert into ' ~ schema ~ '._raw_files values ' ~ rows | join(', ')) -%}
    {{ return(readers) }}
{% endmacro %}

{#- The CSV dialect of the source contract (the compression and columns aside). -#}
{% macro raw_csv_dialect() -%}
    {{ return("delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8'") }}
{%- endmacro %}

{#- Column names of a CSV file's header line (read as latin-1 so any bytes pass; a
    byte order mark is dropped). The single-threaded reader: with parallel scans and
    preserve_insertion_order off, `limit 1` may return a line from a later chunk. -#}
{% macro duckdb_csv_header(path, compression) %}
    {%- set first = run_query(
        "select line from read_csv('" ~ raw_sql_string(path) ~ "', header = false, auto_detect = false,"
        ~ " columns = {'line': 'varchar'}, delim = '\x1f', quote = '', escape = '', encoding = 'latin-1',"
        ~ " compression = '" ~ compression ~ "', ignore_errors = true, parallel = false) limit 1"
    ).columns[0].values() -%}
    {%- set names = [] -%}
    {%- set line = (first[0] or '') if first else '' -%}
    {#- a UTF-8 byte order mark, read as latin-1 -#}
    {%- set line = line[3:] if line.startswith('\xef\xbb\xbf') else line -%}
    {%- for name in line.split(',') -%}
        {%- do names.append(name.strip().strip('"')) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{#- Scan CSV files (read_csv arguments `options`) keeping their rejected lines, and
    append those lines to `raw._raw_rejected_lines`: one row per line (DuckDB reports
    a line with several missing columns once per column), with its first error. -#}
{% macro duckdb_store_rejected_lines(table_name, options, raw_dir) %}
    {%- do run_query('drop table if exists temp.reject_errors; drop table if exists temp.reject_scans') -%}
    {#- every column is aggregated: a count alone would not decode the values -#}
    {%- do run_query('select max(columns(*)) from read_csv(' ~ options ~ ', store_rejects = true)') -%}
    {%- do run_query(
        'insert into ' ~ raw_rejected_lines_relation()
        ~ " select '" ~ raw_sql_string(table_name) ~ "', substr(scans.file_path, " ~ (raw_dir | length + 2) ~ '),'
        ~ ' errors.line, errors.line_byte_position, errors.error_type, errors.error_message, rtrim(errors.csv_line, chr(13) || chr(10))'
        ~ ' from temp.reject_errors as errors'
        ~ ' inner join temp.reject_scans as scans on errors.scan_id = scans.scan_id and errors.file_id = scans.file_id'
        ~ ' qualify row_number() over (partition by scans.file_path, errors.line order by errors.column_idx) = 1'
    ) -%}
{% endmacro %}

{#- A line that is not UTF-8 is an error naming the file, the line and the first
    invalid byte sequence (hex, with its byte offset in the file); for gzip files, whose
    bytes are compressed, the line as read (invalid bytes shown as `?`). -#}
{% macro duckdb_encoding_errors(raw_dir) %}
    {%- set errors = [] -%}
    {%- set invalid = run_query(
        'select file_path, line, line_byte_position, csv_line from ' ~ raw_rejected_lines_relation()
        ~ " where error_type = 'INVALID ENCODING' order by file_path, line"
    ) -%}
    {%- for row in invalid.rows -%}
        {%- set detail = {'text': 'the line as read: ' ~ row[3]} -%}
        {%- if raw_file_format(row[0]) == 'csv' -%}
            {%- set line_hex = run_query(
                'select hex(content[' ~ (row[2] + 1) ~ ':' ~ (row[2] + 4096) ~ "]) from read_blob('"
                ~ raw_sql_string(raw_dir ~ '/' ~ row[0]) ~ "')"
            ).columns[0].values()[0] -%}
            {%- set found = first_invalid_utf8(line_hex) -%}
            {%- if found -%}
                {%- do detail.update({'text': 'bytes ' ~ found.bytes ~ ' at byte ' ~ (row[2] + found.offset) ~ ' of the file'}) -%}
            {%- endif -%}
        {%- endif -%}
        {%- do errors.append("raw file '" ~ row[0] ~ "' is not UTF-8: line " ~ row[1] ~ ", " ~ detail.text) -%}
    {%- endfor -%}
    {{ return(errors) }}
{% endmacro %}

{#- The first invalid UTF-8 sequence in bytes given as hex: {offset (0-based), bytes
    (lower-case hex pairs: a bad lead byte, or a lead byte and the continuation bytes
    before the one that breaks it, as Python's decoder reports them)}, or none. -#}
{% macro first_invalid_utf8(hex) %}
    {%- set values = [] -%}
    {%- for pair in hex | list | batch(2) -%}{%- do values.append(pair | join | int(base=16)) -%}{%- endfor -%}
    {%- set state = {'next': 0} -%}
    {%- for index in range(values | length) -%}
        {%- if index >= state.next -%}
            {%- set lead = values[index] -%}
            {%- set size = 1 if lead < 128 else 2 if 194 <= lead <= 223 else 3 if 224 <= lead <= 239 else 4 if 240 <= lead <= 244 else 0 -%}
            {%- set valid = {'count': 0} -%}
            {%- for value in values[index + 1:index + size] -%}
                {%- if 128 <= value <= 191 and valid.count == loop.index0 -%}{%- do valid.update({'count': valid.count + 1}) -%}{%- endif -%}
            {%- endfor -%}
            {%- if size == 0 or valid.count < size - 1 -%}
                {%- set shown = [] -%}
                {%- for value in values[index:index + 1 + valid.count] -%}{%- do shown.append('%02x' % value) -%}{%- endfor -%}
                {{ return({'offset': index, 'bytes': shown | join(' ')}) }}
            {%- endif -%}
            {%- do state.update({'next': index + size}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}

{#- The entries of a raw dir (paths relative to it, at any depth) that hold raw table
    `name`: {'parquet': [...], 'csv': [...], 'csv_gz': [...], 'kinds': ['file' |
    'folder', ...], 'error': why none, both kinds or an unread file was found, else
    none}. A table is one file `<name>.parquet`, `<name>.csv` or `<name>.csv.gz`, or a
    folder `<name>/` of such files at any depth (Hive-style partition folders such as
    `date=2026-06-01/` are plain folders: their values are not read as columns).
    Suffixes match in any case. Any other file named `<name>.*` or inside the folder is
    an error listing it: nothing in a table's place is ignored.
    saas_segments/raw_files.py applies the same rules in Python. -#}
{% macro raw_table_entries(name, entries, raw_dir) %}
    {%- set found = {'parquet': [], 'csv': [], 'csv_gz': [], 'kinds': [], 'error': none} -%}
    {%- set unread = [] -%}
    {%- for entry in entries | sort -%}
        {%- if entry.startswith(name ~ '.') and '/' not in entry -%}
            {%- set format = raw_file_format(entry, exact_suffix=entry[name | length:]) -%}
            {%- if format -%}{%- do found[format].append(entry) -%}{%- do found.kinds.append('file') -%}
            {%- else -%}{%- do unread.append(entry) -%}{%- endif -%}
        {%- elif entry.startswith(name ~ '/') -%}
            {%- set format = raw_file_format(entry) -%}
            {%- if format -%}{%- do found[format].append(entry) -%}{%- do found.kinds.append('folder') -%}
            {%- else -%}{%- do unread.append(entry) -%}{%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if found.kinds | unique | list | length > 1 -%}
        {%- do found.update({'error': "raw table '" ~ name ~ "' is both a file and a folder in '" ~ raw_dir ~ "'; keep one"}) -%}
    {%- elif unread -%}
        {%- do found.update({'error': "raw table '" ~ name ~ "' has files that are not read (only .parquet, .csv and .csv.gz,"
            ~ " in any case): " ~ unread | join(', ')}) -%}
    {%- elif found.kinds | length == 0 -%}
        {%- do found.update({'error': "raw table '" ~ name ~ "' not found in '" ~ raw_dir ~ "' (expected " ~ name ~ ".parquet, "
            ~ name ~ ".csv, " ~ name ~ ".csv.gz or a folder " ~ name ~ "/ of such files)"}) -%}
    {%- endif -%}
    {{ return(found) }}
{% endmacro %}

{#- 'parquet', 'csv' or 'csv_gz' for a readable file name (with `exact_suffix`: that
    suffix must be exactly a readable one), else none. -#}
{% macro raw_file_format(path, exact_suffix=none) %}
    {%- set name = path.split('/')[-1] | lower -%}
    {%- for suffix, format in [('.csv.gz', 'csv_gz'), ('.parquet', 'parquet'), ('.csv', 'csv')] -%}
        {%- if exact_suffix is not none and exact_suffix | lower == suffix -%}
            {{ return(format) }}
        {%- elif exact_suffix is none and name.endswith(suffix) and name | length > suffix | length -%}
            {{ return(format) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}

{#- CSV lines the reader could not parse, one row each (see prepare_raw_sources). -#}
{% macro raw_rejected_lines_relation() %}
    {{ return(api.Relation.create(database=target.get('database'), schema=var('raw_schema'), identifier='_raw_rejected_lines')) }}
{% endmacro %}

{#- PostgreSQL cannot read files: `python -m saas_segments.pg_load` (make
    build-postgres) COPYs the raw dir into text tables of the raw schema first, found
    and read exactly as above. Here each contract table is checked as on DuckDB: a
    missing table or required column, or an empty required table, stops the build. -#}
{% macro postgres__prepare_raw_sources() %}
    {%- set schema = var('raw_schema') -%}
    {%- set errors = [] -%}
    {%- set loaded = [] -%}
    {%- for table in raw_file_tables() -%}
        {%- set relation = adapter.get_relation(database=target.database, schema=schema, identifier=table.identifier) -%}
        {%- if relation is none -%}
            {%- do errors.append("raw table '" ~ table.identifier ~ "' not found in schema '" ~ schema ~ "' of database '"
                ~ target.database ~ "' (expected " ~ table.identifier ~ ".parquet, " ~ table.identifier ~ ".csv or a folder "
                ~ table.identifier ~ "/ of such files in the raw dir loaded by `python -m saas_segments.pg_load --raw-dir DIR`)") -%}
        {%- else -%}
            {%- do loaded.append(table.identifier) -%}
            {%- do errors.extend(raw_contract_errors(schema, table)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if errors -%}
        {{ exceptions.raise_compiler_error("raw data breaks the source contract:\n  - " ~ errors | join("\n  - ")) }}
    {%- endif -%}
    {{ return('select ' ~ (loaded | length) ~ ' as raw_tables_ready') }}
{% endmacro %}

{#- Contract errors of one loaded raw relation: missing required columns, and an
    empty table that the contract requires to have rows. Empty optional tables are
    logged as a warning. -#}
{% macro raw_contract_errors(schema, table) %}
    {%- set errors = [] -%}
    {%- set relation = api.Relation.create(database=target.get('database'), schema=schema, identifier=table.identifier) -%}
    {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- for column in table.columns if column.name | lower not in present -%}
        {%- do errors.append("raw table '" ~ table.identifier ~ "' is missing required column '" ~ column.name ~ "'") -%}
    {%- endfor -%}
    {%- if not errors -%}
        {%- set rows = run_query('select count(*) from ' ~ relation).columns[0].values()[0] -%}
        {%- if rows == 0 and table.required_nonempty -%}
            {%- do errors.append("raw table '" ~ table.identifier ~ "' is empty; it must have rows") -%}
        {%- elif rows == 0 -%}
            {%- do exceptions.warn("raw table '" ~ table.identifier ~ "' is empty") -%}
        {%- else -%}
            {%- do log("raw " ~ table.identifier ~ ": " ~ rows ~ " rows", info=true) -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(errors) }}
{% endmacro %}

{% macro raw_sql_string(value) -%}
    {{ return(value | replace("'", "''")) }}
{%- endmacro %}

{% macro raw_sql_list(values) -%}
    {%- set quoted = [] -%}
    {%- for value in values -%}{%- do quoted.append("'" ~ raw_sql_string(value) ~ "'") -%}{%- endfor -%}
    {{ return('[' ~ quoted | join(', ') ~ ']') }}
{%- endmacro %}
