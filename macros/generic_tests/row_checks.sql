{#- Generic test: dbt's `not_null`, `accepted_values` and `unique` checks (unique: one
    or more column lists, as unique_combination) of one model, in one read of it. For a
    view that computes on read (segment_quality, the KPI and report views over the
    membership history) each separate test would compute the whole view again. Returns
    one row per failing check (`failed_check`, e.g. `not_null(verdict)`) with the number
    of rows failing it. As in dbt's tests, accepted_values and a one-column unique check
    ignore nulls (a not_null check catches them). The rows are read once: the checks are
    a list joined to them, not a union of one query per check. -#}
{% test row_checks(model, not_null=[], accepted_values={}, unique=[]) %}
{%- set checks = [] -%}
{%- for column in not_null -%}
    {%- do checks.append(['not_null(' ~ column ~ ')', column ~ ' is null']) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set quoted = [] -%}
    {%- for value in values -%}{%- do quoted.append("'" ~ value ~ "'") -%}{%- endfor -%}
    {%- do checks.append(['accepted_values(' ~ column ~ ')', column ~ ' not in (' ~ quoted | join(', ') ~ ')']) -%}
{%- endfor -%}
{%- for columns in unique -%}
    {%- do checks.append(['unique(' ~ columns | join(', ') ~ ')', '_copies_' ~ loop.index ~ ' > 1'
        ~ (' and ' ~ columns[0] ~ ' is not null' if columns | length == 1 else '')]) -%}
{%- endfor -%}
{%- if not checks -%}
    {{ exceptions.raise_compiler_error("row_checks: no check given (not_null, accepted_values or unique)") }}
{%- endif -%}
{%- set read = [] -%}
{%- for column in not_null + accepted_values.keys() | list + unique | sum(start=[]) -%}
    {%- if column not in read -%}{%- do read.append(column) -%}{%- endif -%}
{%- endfor -%}
with

checked_rows as (
    select
        {%- for columns in unique %}
        count(*) over (partition by {{ columns | join(', ') }}) as _copies_{{ loop.index }},
        {%- endfor %}
        {{ read | join(',\n        ') }}
    from {{ model }}
),

check_list as (
    {%- for name, condition in checks %}
    select
        {{ loop.index }} as check_number,
        '{{ name }}' as failed_check
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

failing_rows as (
    select check_list.failed_check
    from checked_rows
    cross join check_list
    where
        {%- for name, condition in checks %}
        {{ 'or ' if not loop.first }}(check_list.check_number = {{ loop.index }} and {{ condition }})
        {%- endfor %}
)

select
    failed_check,
    count(*) as failing_rows
from failing_rows
group by failed_check
{% endtest %}
