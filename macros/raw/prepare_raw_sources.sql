{#- on-run-start: make every contract table available as a relation in the raw
    schema and check it against the contract before any model runs. -#}
{% macro prepare_raw_sources() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('prepare_raw_sources', 'saas_segments')()) }}
{% endmacro %}

{#- DuckDB reads the raw files in place: one view per table over `<table>.parquet`,
    `<table>.csv` or a folder `<table>/` of such files, with DuckDB's built-in readers.
    CSV columns arrive as text; staging types them. -#}
{% macro duckdb__prepare_raw_sources() %}
    {%- set raw_dir = var('raw_dir') | string | trim -%}
    {%- set raw_dir = raw_dir[:-1] if raw_dir.endswith('/') and raw_dir | length > 1 else raw_dir -%}
    {%- set schema = var('raw_schema') -%}
    {%- set listing = run_query(
        "select file from glob('" ~ raw_sql_string(raw_dir) ~ "/*')"
        ~ " union all select file from glob('" ~ raw_sql_string(raw_dir) ~ "/*/*')"
    ) -%}
    {%- set files = listing.columns[0].values() | list -%}
    {%- if files | length == 0 -%}
        {{ exceptions.raise_compiler_error("raw dir '" ~ raw_dir ~ "' does not exist or is empty (set SAAS_RAW_DIR or var raw_dir)") }}
    {%- endif -%}
    {%- set statements = ['create schema if not exists ' ~ schema] -%}
    {%- do run_query(statements[0]) -%}
    {%- set errors = [] -%}
    {%- set entries = [] -%}
    {%- for file in files -%}
        {%- do entries.append(file[raw_dir | length + 1:]) -%}
    {%- endfor -%}
    {%- for table in raw_contract_tables() -%}
        {%- set name = table.identifier -%}
        {%- set found = raw_table_entries(name, entries, raw_dir) -%}
        {%- if found.error -%}
            {%- do errors.append(found.error) -%}
        {%- else -%}
            {%- for ext in ['parquet', 'csv'] -%}
                {%- set paths = [] -%}
                {%- for entry in found[ext] -%}{%- do paths.append(raw_dir ~ '/' ~ entry) -%}{%- endfor -%}
                {%- do found.update({ext: paths}) -%}
            {%- endfor -%}
            {%- do statements.append('create or replace view ' ~ schema ~ '.' ~ name ~ ' as ' ~ raw_file_reader(found.parquet, found.csv)) -%}
            {%- do run_query(statements[-1]) -%}
            {%- do errors.extend(raw_contract_errors(schema, table)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if errors -%}
        {{ exceptions.raise_compiler_error("raw data breaks the source contract:\n  - " ~ errors | join("\n  - ")) }}
    {%- endif -%}
    {%- do adapter.commit() -%}
    {{ return('select ' ~ (statements | length - 1) ~ ' as raw_tables_ready') }}
{% endmacro %}

{#- The entries of a raw dir (paths relative to it, one or two levels deep) that hold
    raw table `name`: {'parquet': [...], 'csv': [...], 'kinds': ['file' | 'folder', ...],
    'error': why none or both kinds were found, else none}. -#}
{% macro raw_table_entries(name, entries, raw_dir) %}
    {%- set found = {'parquet': [], 'csv': [], 'kinds': [], 'error': none} -%}
    {%- for entry in entries | sort -%}
        {%- for ext in ['parquet', 'csv'] -%}
            {%- if entry == name ~ '.' ~ ext -%}
                {%- do found[ext].append(entry) -%}{%- do found.kinds.append('file') -%}
            {%- elif entry.startswith(name ~ '/') and entry.endswith('.' ~ ext) -%}
                {%- do found[ext].append(entry) -%}{%- do found.kinds.append('folder') -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if found.kinds | length == 0 -%}
        {%- do found.update({'error': "raw table '" ~ name ~ "' not found in '" ~ raw_dir ~ "' (expected " ~ name ~ ".parquet, " ~ name ~ ".csv or a folder " ~ name ~ "/ of such files)"}) -%}
    {%- elif found.kinds | unique | list | length > 1 -%}
        {%- do found.update({'error': "raw table '" ~ name ~ "' is both a file and a folder in '" ~ raw_dir ~ "'; keep one"}) -%}
    {%- endif -%}
    {{ return(found) }}
{% endmacro %}

{#- PostgreSQL cannot read files: `python -m saas_segments.pg_load` (make
    build-postgres) COPYs the raw dir into text tables of the raw schema first, found
    and read exactly as above. Here each contract table is checked as on DuckDB: a
    missing table or required column, or an empty required table, stops the build. -#}
{% macro postgres__prepare_raw_sources() %}
    {%- set schema = var('raw_schema') -%}
    {%- set errors = [] -%}
    {%- set loaded = [] -%}
    {%- for table in raw_contract_tables() -%}
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

{#- A select over parquet and/or CSV files; CSV is read as text, empty = null. -#}
{% macro raw_file_reader(parquet_files, csv_files) %}
    {%- set readers = [] -%}
    {%- if parquet_files -%}
        {%- do readers.append("select * from read_parquet(" ~ raw_sql_list(parquet_files) ~ ", union_by_name = true)") -%}
    {%- endif -%}
    {%- if csv_files -%}
        {%- do readers.append(
            "select * from read_csv(" ~ raw_sql_list(csv_files) ~ ", header = true, delim = ',', quote = '\"',"
            ~ " escape = '\"', all_varchar = true, union_by_name = true, encoding = 'utf-8')"
        ) -%}
    {%- endif -%}
    {{ return(readers | join(' union all by name ')) }}
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
