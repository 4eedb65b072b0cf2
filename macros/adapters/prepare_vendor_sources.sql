{#- on-run-start: the tables of every vendor selected in `raw_table_sources` must be
    in that vendor's schema (a table with meta `feeds` only when it feeds a selected
    contract table; var `vendor_schemas`, default the vendor name, as
    Fivetran or Airbyte load them) with the columns its adapter reads; a missing table
    or column stops the build naming it. On DuckDB, with the var `vendor_dir`
    (SAAS_VENDOR_DIR; run_vendor_dir), the vendor's files `<vendor_dir>/<vendor>/<table>.parquet|.csv|
    .csv.gz` (or a folder `<table>/` of such files, the raw dir's layouts) first become
    views in that schema; CSV columns arrive as text and a malformed line stops the
    build. -#}
{% macro prepare_vendor_sources() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set errors = [] -%}
    {%- set checked = [] -%}
    {%- for vendor in selected_vendors() -%}
        {%- set tables = selected_vendor_tables(vendor) -%}
        {%- set vendor_dir = run_vendor_dir() -%}
        {%- if target.type == 'duckdb' and vendor_dir -%}
            {%- do errors.extend(duckdb_vendor_views(vendor, tables, vendor_dir.rstrip('/') ~ '/' ~ vendor)) -%}
        {%- endif -%}
        {%- for table in tables -%}
            {%- set relation = adapter.get_relation(database=target.database, schema=table.schema, identifier=table.identifier) -%}
            {%- if relation is none -%}
                {%- do errors.append(vendor ~ " table '" ~ table.identifier ~ "' not found in schema '" ~ table.schema
                    ~ "' (load it there, or on DuckDB set vendor_dir to a folder holding " ~ vendor ~ "/" ~ table.identifier ~ ".csv or .parquet)") -%}
            {%- else -%}
                {%- do errors.extend(raw_contract_errors(table.schema, table)) -%}
                {%- do checked.append(table.identifier) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if errors -%}
        {{ exceptions.raise_compiler_error("vendor data cannot feed its adapter:\n  - " ~ errors | join("\n  - ")) }}
    {%- endif -%}
    {%- do adapter.commit() if checked -%}
    {{ return('select ' ~ (checked | length) ~ ' as vendor_tables_ready') }}
{% endmacro %}

{#- One view per vendor table over its files in `folder` (layouts of
    raw_table_entries); returns the layout errors. -#}
{% macro duckdb_vendor_views(vendor, tables, folder) %}
    {%- set errors = [] -%}
    {%- set files = run_query("select file from glob('" ~ raw_sql_string(folder) ~ "/**')").columns[0].values() -%}
    {%- set entries = [] -%}
    {%- for file in files -%}{%- do entries.append(file[folder | length + 1:]) -%}{%- endfor -%}
    {%- if tables -%}{%- do run_query('create schema if not exists ' ~ tables[0].schema) -%}{%- endif -%}
    {%- for table in tables -%}
        {%- set found = raw_table_entries(table.identifier, entries, folder) -%}
        {%- set readers = [] -%}
        {%- if found.parquet -%}
            {%- set paths = [] -%}{%- for entry in found.parquet -%}{%- do paths.append(folder ~ '/' ~ entry) -%}{%- endfor -%}
            {%- do readers.append('select * from read_parquet(' ~ raw_sql_list(paths) ~ ', union_by_name = true, hive_partitioning = false)') -%}
        {%- endif -%}
        {%- for format in ['csv', 'csv_gz'] if found[format] -%}
            {%- set paths = [] -%}{%- for entry in found[format] -%}{%- do paths.append(folder ~ '/' ~ entry) -%}{%- endfor -%}
            {%- do readers.append('select * from read_csv(' ~ raw_sql_list(paths) ~ ', header = true, all_varchar = true, union_by_name = true, '
                ~ raw_csv_dialect() ~ ", compression = '" ~ ('gzip' if format == 'csv_gz' else 'none') ~ "')") -%}
        {%- endfor -%}
        {%- if found.error -%}
            {%- do errors.append(found.error) -%}
        {%- elif readers -%}
            {%- do run_query('create or replace view ' ~ table.schema ~ '.' ~ table.identifier ~ ' as ' ~ readers | join(' union all by name ')) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(errors) }}
{% endmacro %}
