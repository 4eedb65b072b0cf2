{#- Data tests on the incremental event tables take `where: "__refresh_window__(<date column>)"`.

    A daily refresh on a published warehouse (var `data_test_scope: refresh_window`, which
    the refresh and the Dagster run set; see saas_segments/publish.py) tests the rows of
    the last `incremental_lookback_days` + 1 days, which hold every row an incremental run
    of one new day rewrote, and rows whose column is null; the older rows were tested by
    the run that wrote them. Any other build (`make build`, a full refresh, a first load)
    tests every row. This overrides dbt's `get_where_subquery`; a plain `where` works as
    in dbt. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if not where -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set scoped = var('data_test_scope', 'all') == 'refresh_window' -%}
    {%- set rendered = namespace(where=where) -%}
    {%- for column in modules.re.findall('__refresh_window__\\((\\w+)\\)', where) -%}
        {%- if scoped -%}
            {%- set newest = '(select max(' ~ column ~ ') from ' ~ relation ~ ')' -%}
            {%- set start = dbt.dateadd('day', -(var('incremental_lookback_days') + 1), newest) -%}
            {%- set condition = '(' ~ column ~ ' >= ' ~ start ~ ' or ' ~ column ~ ' is null)' -%}
        {%- else -%}
            {%- set condition = 'true' -%}
        {%- endif -%}
        {%- set rendered.where = rendered.where | replace('__refresh_window__(' ~ column ~ ')', condition) -%}
    {%- endfor -%}
    {{ return('(select * from ' ~ relation ~ ' where ' ~ rendered.where ~ ') dbt_subquery') }}
{%- endmacro %}
