{#- Spark reads the raw files in place, like DuckDB: each contract table becomes an
    external table of the raw schema over exactly the files DuckDB reads (the same
    layouts: `<table>.parquet`, `.csv`, `.csv.gz` or a folder `<table>/` of such files
    at any depth, suffixes in any case; dropping it never touches the files). Files are
    listed with the binaryFile source (paths only, contents are not read), so the raw dir
    may be local or on any file system the cluster reads (hdfs://, s3a://, abfss://).
    CSV columns arrive as text, as on DuckDB; staging types them. A folder holding both
    formats is read as two tables and a view that unions them by column name.
    Differences from DuckDB, each a clear error rather than a silent one: a malformed CSV
    line stops the build (mode FAILFAST; `raw._raw_rejected_lines` stays empty), and
    gzip files need a lower-case `.gz` suffix (Hadoop picks the codec by suffix). Spark's
    listing skips hidden files (`_SUCCESS`, `.crc`), which DuckDB reports as not read. -#}
{% macro spark__prepare_raw_sources() %}
    {%- set raw_dir = var('raw_dir') | string | trim -%}
    {%- set raw_dir = raw_dir[:-1] if raw_dir.endswith('/') and raw_dir | length > 1 else raw_dir -%}
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
    {%- for table, found in readable -%}
        {%- do spark_raw_relation(schema, table.identifier, spark_raw_glob(raw_dir, found.parquet), spark_raw_glob(raw_dir, found.csv + found.csv_gz)) -%}
        {%- do errors.extend(raw_contract_errors(schema, table)) -%}
    {%- endfor -%}
    {%- do run_query(
        'create or replace view ' ~ schema ~ '._raw_rejected_lines as select cast(null as string) as source_table,'
        ~ ' cast(null as string) as file_path, cast(null as bigint) as line, cast(null as bigint) as line_byte_position,'
        ~ ' cast(null as string) as error_type, cast(null as string) as error_message, cast(null as string) as csv_line'
        ~ ' where false'
    ) -%}
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
    and, when both exist, a view over both with the columns of either (null where a
    file has none; Spark widens the union of a typed and a text column to text). -#}
{% macro spark_raw_relation(schema, name, parquet_path, csv_path) %}
    {%- set readers = [] -%}
    {%- if parquet_path -%}
        {%- do readers.append({'format': 'parquet', 'path': parquet_path, 'options': {'mergeSchema': 'true', 'recursiveFileLookup': 'true'}}) -%}
    {%- endif -%}
    {%- if csv_path -%}
        {%- do readers.append({'format': 'csv', 'path': csv_path, 'options': {
            'header': 'true', 'sep': ',', 'quote': '"', 'escape': '"', 'multiLine': 'true', 'encoding': 'UTF-8',
            'mode': 'FAILFAST', 'recursiveFileLookup': 'true',
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
        {%- do run_query('create table ' ~ table ~ ' using ' ~ reader.format ~ ' options (' ~ options | join(', ') ~ ')') -%}
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

{#- Drop what a previous build made under this name (a table or a view). -#}
{% macro spark_drop_raw_relation(schema, identifier) %}
    {%- set existing = adapter.get_relation(database=none, schema=schema, identifier=identifier) -%}
    {%- if existing is not none -%}
        {%- do adapter.drop_relation(existing) -%}
    {%- endif -%}
{% endmacro %}
