{#- Spark reads the raw files in place, like DuckDB: each contract table becomes an
    external table of the raw schema over exactly the files DuckDB reads (the same
    layouts: `<table>.parquet`, `.csv`, `.csv.gz` or a folder `<table>/` of such files
    at any depth, suffixes in any case; dropping it never touches the files). Files are
    listed with the binaryFile source (paths only, contents are not read), so the raw dir
    may be local or on any file system the cluster reads (hdfs://, s3a://, abfss://).
    CSV columns arrive as text, as on DuckDB; staging types them. A folder holding both
    formats is read as two tables and a view that unions them by column name.
    A CSV line that cannot be parsed (wrong column count, broken quoting) is left out
    of the table and recorded in `raw._raw_rejected_lines` with its file and line, as on
    DuckDB, so staging quarantines it (spark_csv_relation). Differences from DuckDB, each
    a clear error rather than a silent one: gzip files need a lower-case `.gz` suffix
    (Hadoop picks the codec by suffix). Spark's listing skips hidden files (`_SUCCESS`,
    `.crc`), which DuckDB reports as not read. -#}
{% macro spark__prepare_raw_sources() %}
    {%- set raw_dir = run_raw_dir() -%}
    {%- set schema = var('raw_schema') -%}
    {%- set time_zone = run_query('select current_timezone()').columns[0].values()[0] -%}
    {%- if time_zone not in ['UTC', 'Etc/UTC', 'GMT', 'Z', '+00:00'] -%}
        {{ exceptions.raise_compiler_error("the Spark session time zone is '" ~ time_zone ~ "'; dates are cut in UTC: set spark.sql.session.timeZone to UTC (profiles.yml, server_side_parameters)") }}
    {%- endif -%}
    {%- do run_query(
        "create or replace temporary view saas_raw_files using binaryFile"
        ~ " options (path '" ~ raw_sql_string(raw_dir) ~ "', recursiveFileLookup 'true')"
    ) -%}
    {%- set names = raw_dir_entries(run_query('select path from saas_raw_files').columns[0].values(), raw_dir) -%}
    {%- if names | length == 0 -%}
        {{ exceptions.raise_compiler_error("raw dir '" ~ raw_dir ~ "' does not exist or is empty (set SAAS_RAW_DIR or var raw_dir)") }}
    {%- endif -%}
    {%- set errors = [] -%}
    {%- set readable = [] -%}
    {#- every layout error is reported before any file is read -#}
    {%- for table in raw_file_tables() -%}
        {%- set found = raw_table_entries(table.identifier, names, raw_dir) -%}
        {%- set unsupported = [] -%}
        {%- for entry in found.csv_gz if not entry.endswith('.gz') -%}
            {%- do unsupported.append(entry ~ ' (gzip needs a lower-case .gz suffix)') -%}
        {%- endfor -%}
        {%- for entry in found.parquet + found.csv + found.csv_gz if entry | list | select('in', '{},[]*?') | list -%}
            {%- do unsupported.append(entry ~ ' (a glob character, one of {}[],*?, in its path)') -%}
        {%- endfor -%}
        {%- if found.error -%}
            {%- do errors.append(found.error) -%}
        {%- elif unsupported -%}
            {%- do errors.append("raw table '" ~ table.identifier ~ "' has files Spark cannot read: " ~ unsupported | join(', ')) -%}
        {%- else -%}
            {%- do readable.append((table, found)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if errors -%}
        {{ exceptions.raise_compiler_error("raw data breaks the source contract:\n  - " ~ errors | join("\n  - ")) }}
    {%- endif -%}
    {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- set rejected = [] -%}
    {%- for table, found in readable -%}
        {%- do spark_raw_relation(
            schema, table.identifier, spark_raw_glob(raw_dir, found.parquet), spark_raw_glob(raw_dir, found.csv + found.csv_gz),
            raw_dir, rejected
        ) -%}
        {%- do errors.extend(raw_contract_errors(schema, table)) -%}
    {%- endfor -%}
    {%- set columns = ['source_table', 'file_path', 'line', 'line_byte_position', 'error_type', 'error_message', 'csv_line'] -%}
    {%- set types = ['string', 'string', 'bigint', 'bigint', 'string', 'string', 'string'] -%}
    {%- set rows = [] -%}
    {%- for row in rejected + [['null'] * 7] -%}
        {%- set values = [] -%}
        {%- for value in row -%}
            {%- do values.append('cast(' ~ value ~ ' as ' ~ types[loop.index0] ~ ') as ' ~ columns[loop.index0]) -%}
        {%- endfor -%}
        {%- do rows.append('select ' ~ values | join(', ') ~ (' where false' if loop.last else '')) -%}
    {%- endfor -%}
    {%- do run_query('create or replace view ' ~ schema ~ '._raw_rejected_lines as ' ~ rows | join(' union all ')) -%}
    {%- if errors -%}
        {{ exceptions.raise_compiler_error("raw data breaks the source contract:\n  - " ~ errors | join("\n  - ")) }}
    {%- endif -%}
    {{ return('select ' ~ (readable | length) ~ ' as raw_tables_ready') }}
{% endmacro %}

{#- Paths of the listing relative to the raw dir, at any depth (what DuckDB's glob
    `<dir>/**` sees). The listing gives qualified paths (file:/abs/dir/x.parquet) for a
    raw dir that may be relative or unqualified. -#}
{% macro raw_dir_entries(paths, raw_dir) %}
    {%- set prefix = (raw_dir[5:] if raw_dir.startswith('file:') else raw_dir) -%}
    {%- set prefix = (prefix[2:] if prefix.startswith('./') else prefix) ~ '/' -%}
    {%- set entries = [] -%}
    {%- for path in paths if prefix in path -%}
        {%- do entries.append(path[path.rfind(prefix) + prefix | length:]) -%}
    {%- endfor -%}
    {{ return(entries) }}
{% endmacro %}

{#- One Hadoop glob naming exactly these files of the raw dir (none when empty). -#}
{% macro spark_raw_glob(raw_dir, entries) %}
    {{ return((raw_dir ~ '/{' ~ entries | join(',') ~ '}') if entries else none) }}
{% endmacro %}

{#- raw.<name> over one file or folder glob per format: an external table per format
    (CSV: see spark_csv_relation) and, when both exist, a view over both with the
    columns of either (null where a file has none; Spark widens the union of a typed and
    a text column to text). Malformed CSV lines are appended to `rejected` as the
    select-list values of a `_raw_rejected_lines` row. -#}
{% macro spark_raw_relation(schema, name, parquet_path, csv_path, raw_dir, rejected) %}
    {%- set readers = [] -%}
    {%- if parquet_path -%}
        {%- do readers.append({'format': 'parquet', 'path': parquet_path, 'options': {'mergeSchema': 'true', 'recursiveFileLookup': 'true'}}) -%}
    {%- endif -%}
    {%- if csv_path -%}
        {%- do readers.append({'format': 'csv', 'path': csv_path, 'options': {
            'header': 'true', 'sep': ',', 'quote': '"', 'escape': '"', 'multiLine': 'true', 'encoding': 'UTF-8',
            'recursiveFileLookup': 'true',
        }}) -%}
    {%- endif -%}
    {%- do spark_drop_raw_relation(schema, name) -%}
    {%- set tables = [] -%}
    {%- for reader in readers -%}
        {%- set table = schema ~ '.' ~ name ~ ('__' ~ reader.format if readers | length > 1 else '') -%}
        {%- set options = ["path '" ~ raw_sql_string(reader.path) ~ "'"] -%}
        {%- for key, value in reader.options.items() -%}
            {%- do options.append(key ~ " '" ~ raw_sql_string(value) ~ "'") -%}
        {%- endfor -%}
        {%- do spark_drop_raw_relation(schema, table.split('.')[-1]) -%}
        {%- if reader.format == 'csv' -%}
            {%- do rejected.extend(spark_csv_relation(table, options, name, raw_dir)) -%}
        {%- else -%}
            {%- do run_query('create table ' ~ table ~ ' using ' ~ reader.format ~ ' options (' ~ options | join(', ') ~ ')') -%}
        {%- endif -%}
        {%- do tables.append(table) -%}
    {%- endfor -%}
    {%- if tables | length > 1 -%}
        {%- set columns = {} -%}
        {%- for table in tables -%}
            {%- set relation = api.Relation.create(schema=schema, identifier=table.split('.')[-1]) -%}
            {%- do columns.update({table: adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list}) -%}
        {%- endfor -%}
        {%- set all_columns = columns.values() | sum(start=[]) | unique | list -%}
        {%- set selects = [] -%}
        {%- for table in tables -%}
            {%- set expressions = [] -%}
            {%- for column in all_columns -%}
                {%- do expressions.append(column if column in columns[table] else 'cast(null as string) as ' ~ column) -%}
            {%- endfor -%}
            {%- do selects.append('select ' ~ expressions | join(', ') ~ ' from ' ~ table) -%}
        {%- endfor -%}
        {%- do run_query('create view ' ~ schema ~ '.' ~ name ~ ' as ' ~ selects | join(' union all ')) -%}
    {%- endif -%}
{% endmacro %}

{#- `table` as a view over the CSV files (reader `options`) without the lines the
    reader cannot parse: an external table `<table>__lines` reads every column of the
    first file's header as text plus `_corrupt_record` (mode PERMISSIVE), which holds a
    line whose column count or quoting is wrong. Returns those lines as rows of
    `_raw_rejected_lines` (select-list values): the table, the file relative to the raw
    dir, the line number of the record's first line (the header is line 1, found in the
    file's text), DuckDB's error type (`TOO MANY COLUMNS`, `MISSING COLUMNS`, `UNQUOTED
    VALUE`) and the record. A quote left open runs to the end of the file (quoted values
    may span lines), so that record holds every line after it. -#}
{% macro spark_csv_relation(table, options, name, raw_dir) %}
    {%- do run_query('create table ' ~ table ~ ' using csv options (' ~ (options + ["mode 'FAILFAST'"]) | join(', ') ~ ')') -%}
    {%- set columns = adapter.get_columns_in_relation(api.Relation.create(schema=table.split('.')[0], identifier=table.split('.')[1]))
        | map(attribute='name') | list -%}
    {%- do run_query('drop table ' ~ table) -%}
    {%- set lines = table ~ '__lines' -%}
    {%- do spark_drop_raw_relation(table.split('.')[0], lines.split('.')[1]) -%}
    {%- set declared = [] -%}
    {%- for column in columns -%}{%- do declared.append('`' ~ column ~ '` string') -%}{%- endfor -%}
    {%- do run_query(
        'create table ' ~ lines ~ ' (' ~ (declared + ['_corrupt_record string']) | join(', ') ~ ') using csv options ('
        ~ (options + ["mode 'PERMISSIVE'", "columnNameOfCorruptRecord '_corrupt_record'"]) | join(', ') ~ ')'
    ) -%}
    {%- set selected = [] -%}
    {%- for column in columns -%}{%- do selected.append('`' ~ column ~ '`') -%}{%- endfor -%}
    {%- do run_query('create view ' ~ table ~ ' as select ' ~ selected | join(', ') ~ ' from ' ~ lines ~ ' where _corrupt_record is null') -%}
    {%- set bad = run_query('select input_file_name() as source_file, * from ' ~ lines ~ ' where _corrupt_record is not null') -%}
    {%- set rejected = [] -%}
    {%- set files = bad.columns[0].values() | unique | list -%}
    {%- for file in files -%}
        {%- do run_query(
            "create or replace temporary view saas_raw_text using text options (path '" ~ raw_sql_string(file) ~ "', wholetext 'true')"
        ) -%}
        {%- set text = run_query('select value from saas_raw_text').columns[0].values()[0] -%}
        {%- set file_lines = [] -%}
        {%- for line in text.split('\n') -%}{%- do file_lines.append(line.rstrip('\r')) -%}{%- endfor -%}
        {%- set position = {'next': 1} -%}
        {%- for row in bad.rows if row[0] == file -%}
            {%- set record = row[-1].rstrip('\r\n') -%}
            {%- set first = record.split('\n')[0].rstrip('\r') -%}
            {%- set found = {'line': none} -%}
            {%- for index in range(position.next, file_lines | length) if found.line is none and file_lines[index] == first -%}
                {%- do found.update({'line': index + 1}) -%}
            {%- endfor -%}
            {%- if found.line is none -%}
                {{ exceptions.raise_compiler_error("raw file '" ~ file ~ "': a malformed CSV record was not found in the file's lines: " ~ first[:200]) }}
            {%- endif -%}
            {%- do position.update({'next': found.line}) -%}
            {%- do rejected.append([
                spark_sql_string(name), spark_sql_string(raw_dir_entries([file], raw_dir)[0]), found.line, 'null',
                spark_sql_string(spark_csv_error_type(record, columns | length)), spark_sql_string('Malformed CSV record'),
                spark_sql_string(record),
            ]) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(rejected) }}
{% endmacro %}

{#- DuckDB's error type for a malformed CSV record: an odd number of quotes is an
    unquoted value, else the column count (commas outside quotes) decides. -#}
{% macro spark_csv_error_type(record, expected_columns) %}
    {%- if record.count('"') % 2 == 1 -%}
        {{ return('UNQUOTED VALUE') }}
    {%- endif -%}
    {%- set state = {'quoted': false, 'columns': 1} -%}
    {%- for character in record -%}
        {%- if character == '"' -%}
            {%- do state.update({'quoted': not state.quoted}) -%}
        {%- elif character == ',' and not state.quoted -%}
            {%- do state.update({'columns': state.columns + 1}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if state.columns > expected_columns -%}
        {{ return('TOO MANY COLUMNS') }}
    {%- elif state.columns < expected_columns -%}
        {{ return('MISSING COLUMNS') }}
    {%- endif -%}
    {{ return('UNQUOTED VALUE') }}
{% endmacro %}

{#- A Spark SQL string literal (backslashes and quotes escaped). -#}
{% macro spark_sql_string(value) %}
    {{ return("'" ~ (value | string | replace('\\', '\\\\') | replace("'", "\\'")) ~ "'") }}
{% endmacro %}

{#- Drop what a previous build made under this name (a table or a view). -#}
{% macro spark_drop_raw_relation(schema, identifier) %}
    {%- set existing = adapter.get_relation(database=none, schema=schema, identifier=identifier) -%}
    {%- if existing is not none -%}
        {%- do adapter.drop_relation(existing) -%}
    {%- endif -%}
{% endmacro %}
