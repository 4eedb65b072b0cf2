{#- Write-audit-publish on Spark (saas_segments/spark_publish.py). Spark renames no
    database and no table across databases, so every run builds into databases of its
    own, `<schema>__run_<UTC time>_<id>` (dbt var `schema_suffix`, see
    generate_schema_name), and the published schemas (`staging`, `intermediate`,
    `marts`, `reference`) hold one view per relation, `select * from` the run database
    it was audited in, marked with the run (table property `saas_segments.run`).
    Publishing replaces those views one by one: a query started before reads the old
    run, one started after the new run; a reader joining several relations while the
    views are being switched (well under a second) can see some of each. The previous
    run's databases stay until the next refresh starts, so queries in flight finish. -#}

{#- The raw schema's name without a run's suffix (var raw_schema is `raw__run_...` in a run). -#}
{% macro spark_raw_schema() %}
    {{ return(var('raw_schema').split('__run_')[0]) }}
{% endmacro %}

{#- The databases of every run: {run suffix: [database, ...]}. -#}
{% macro spark_run_databases() %}
    {%- set runs = {} -%}
    {%- for name in run_query('show databases').columns[0].values() if '__run_' in name -%}
        {%- do runs.setdefault(name[name.rfind('__run_'):], []).append(name) -%}
    {%- endfor -%}
    {{ return(runs) }}
{% endmacro %}

{#- Names of the tables and views of a database (no temporary views). -#}
{% macro spark_relations_in(database) %}
    {%- set names = [] -%}
    {%- for row in run_query('show tables in ' ~ database).rows if not row[2] -%}
        {%- do names.append(row[1]) -%}
    {%- endfor -%}
    {{ return(names | sort) }}
{% endmacro %}

{#- The published relations and the run each one reads: {'<schema>.<name>': suffix or
    none for a relation that is not a published view}, over the schemas runs build. -#}
{% macro spark_published_relations(runs) %}
    {%- set schemas = [] -%}
    {%- for databases in runs.values() -%}
        {%- for database in databases if not database.startswith(spark_raw_schema() ~ '__run_') -%}
            {%- do schemas.append(database[:database.rfind('__run_')]) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set existing = run_query('show databases').columns[0].values() -%}
    {%- set published = {} -%}
    {%- for schema in schemas | unique | sort if schema in existing -%}
        {%- for name in spark_relations_in(schema) -%}
            {%- set properties = run_query('show tblproperties ' ~ schema ~ '.' ~ name) -%}
            {%- set run = {'suffix': none} -%}
            {%- for row in properties.rows if row[0] == 'saas_segments.run' -%}
                {%- do run.update({'suffix': row[1]}) -%}
            {%- endfor -%}
            {%- do published.update({schema ~ '.' ~ name: run.suffix}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(published) }}
{% endmacro %}

{#- Publish run `suffix`: every relation of its databases (the raw one aside) becomes
    a view of the same name in the published schema; a published view of a relation
    the run no longer has is dropped, and so is a table left in its place by a build
    made without the refresh. -#}
{% macro spark_publish_run(suffix) %}
    {%- set runs = spark_run_databases() -%}
    {%- if suffix not in runs -%}
        {{ exceptions.raise_compiler_error("no databases of run '" ~ suffix ~ "' to publish") }}
    {%- endif -%}
    {%- set before = spark_published_relations(runs) -%}
    {%- set switched = [] -%}
    {%- for database in runs[suffix] | sort if not database.startswith(spark_raw_schema() ~ '__run_') -%}
        {%- set schema = database[:-(suffix | length)] -%}
        {%- do run_query('create database if not exists ' ~ schema) -%}
        {%- for name in spark_relations_in(database) -%}
            {%- set relation = schema ~ '.' ~ name -%}
            {%- if relation in before and before[relation] is none -%}
                {%- do spark_drop_raw_relation(schema, name) -%}
            {%- endif -%}
            {%- do run_query(
                'create or replace view ' ~ relation ~ " tblproperties ('saas_segments.run' = '" ~ suffix ~ "')"
                ~ ' as select * from ' ~ database ~ '.' ~ name
            ) -%}
            {%- do switched.append(relation) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for relation, run in before.items() if run is not none and relation not in switched -%}
        {%- do run_query('drop view if exists ' ~ relation) -%}
    {%- endfor -%}
    {{ log('published run ' ~ suffix ~ ': ' ~ switched | length ~ ' views switched', info=True) }}
    {{ return(switched | length) }}
{% endmacro %}

{#- Drop every database of run `suffix` (a rejected or stale candidate); the raw
    database's tables are external, its files are never touched. -#}
{% macro spark_drop_run(suffix) %}
    {%- for database in spark_run_databases().get(suffix, []) -%}
        {%- do run_query('drop database if exists ' ~ database ~ ' cascade') -%}
    {%- endfor -%}
    {{ log('dropped the databases of run ' ~ suffix, info=True) }}
{% endmacro %}

{#- Before a run builds (vars schema_suffix = its suffix): finish a publish that was
    interrupted while switching views (they read several runs: every one of those passed
    its gates, the newest wins), drop the databases of every other run but the
    published one (rejected, killed or superseded runs), and copy the published
    incremental tables (membership and quality history) into the run's databases, so
    the run carries the history readers saw. -#}
{% macro spark_prepare_run() %}
    {%- set suffix = var('schema_suffix', '') -%}
    {%- if '__run_' not in suffix -%}
        {{ exceptions.raise_compiler_error("spark_prepare_run needs the var schema_suffix (the run's databases, __run_...)") }}
    {%- endif -%}
    {%- set runs = spark_run_databases() -%}
    {%- set reading = spark_published_relations(runs).values() | select('string') | unique | sort -%}
    {%- if reading | length > 1 -%}
        {{ log('finishing the interrupted publish of run ' ~ reading[-1], info=True) }}
        {%- do spark_publish_run(reading[-1]) -%}
    {%- endif -%}
    {%- set current = reading[-1] if reading else none -%}
    {%- for run in runs if run != current -%}
        {%- do spark_drop_run(run) -%}
    {%- endfor -%}
    {%- set copied = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == project_name
        and node.config.materialized == 'incremental' and node.schema.endswith(suffix) and current is not none -%}
        {%- set source = node.schema[:-(suffix | length)] ~ current ~ '.' ~ node.alias -%}
        {%- if node.schema[:-(suffix | length)] ~ current in runs[current] and adapter.get_relation(
            database=none, schema=node.schema[:-(suffix | length)] ~ current, identifier=node.alias) is not none -%}
            {%- do run_query('create database if not exists ' ~ node.schema) -%}
            {%- do run_query('create table ' ~ node.schema ~ '.' ~ node.alias ~ ' like ' ~ source) -%}
            {%- do run_query('insert into ' ~ node.schema ~ '.' ~ node.alias ~ ' select * from ' ~ source) -%}
            {%- do copied.append(node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ log('copied ' ~ copied | length ~ ' published incremental tables into run ' ~ suffix ~ ': ' ~ copied | join(', '), info=True) }}
{% endmacro %}
