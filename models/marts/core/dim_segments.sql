{#- The segment catalogue, read from the dbt graph: every model tagged `segment`
    with its meta.segment block. Segments with many keys (traits, needs) are listed
    once with their key pattern, e.g. `trait:*`. -#}
{%- set rows = [] -%}
{%- if execute -%}
    {%- for node in segment_nodes() -%}
        {%- set meta = segment_meta(node) -%}
        {%- set thresholds = [] -%}
        {%- for name in meta.get('thresholds', []) -%}
            {%- do thresholds.append(name ~ '=' ~ var(name)) -%}
        {%- endfor -%}
        {%- do rows.append({
            'segment_key': meta.get('key') or (meta.get('key_prefix', '') ~ '*'),
            'model_name': node.name,
            'grain': meta.grain,
            'family': meta.get('family', ''),
            'description': node.description | trim,
            'criteria': meta.get('criteria', ''),
            'owner_team': meta.get('owner', ''),
            'action': meta.get('action', ''),
            'channel': meta.get('channel', ''),
            'thresholds': thresholds | join('; '),
            'definition_version': meta.get('version', 1),
            'definition_hash': segment_definition_hash(node),
        }) -%}
    {%- endfor -%}
{%- endif %}

with

catalogue as (
    {%- for row in rows %}
        select
            {%- for name in ['segment_key', 'model_name', 'grain', 'family', 'description', 'criteria',
                'owner_team', 'action', 'channel', 'thresholds', 'definition_hash'] %}
            cast('{{ dbt.escape_single_quotes(row[name]) }}' as {{ dbt.type_string() }}) as {{ name }},
            {%- endfor %}
            cast({{ row.definition_version }} as integer) as definition_version
        {{ 'union all' if not loop.last }}
    {%- else %}
        select
            {%- for name in ['segment_key', 'model_name', 'grain', 'family', 'description', 'criteria',
                'owner_team', 'action', 'channel', 'thresholds', 'definition_hash'] %}
            cast(null as {{ dbt.type_string() }}) as {{ name }},
            {%- endfor %}
            cast(null as integer) as definition_version
        where 1 = 0
    {%- endfor %}
)

select
    segment_key,
    model_name,
    grain,
    family,
    description,
    criteria,
    owner_team,
    action,
    channel,
    thresholds,
    definition_version,
    definition_hash
from catalogue
