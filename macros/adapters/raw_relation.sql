{#- Where each raw contract table comes from: the var `raw_table_sources` maps
    `<source>.<table>` to a vendor adapter (`{'billing.subscriptions': 'stripe'}`);
    a table not named there is read from the raw files (`files`). The base staging
    models read `raw_relation(source, table)`, so both paths are staged, quarantined
    and audited the same way. Vars are known at parse time, so the ref to an adapter
    model exists only when that adapter is selected. -#}

{#- The vendors that can feed each contract table (models/adapters/<vendor>/). -#}
{% macro raw_table_adapters() %}
    {{ return({
        'billing.plans': ['stripe'],
        'billing.subscriptions': ['stripe'],
        'billing.invoices': ['stripe'],
        'billing.trials': ['stripe'],
        'crm.accounts': ['hubspot', 'hubspot+delighted'],
        'survey.nps_responses': ['delighted'],
        'helpdesk.support_tickets': ['zendesk'],
        'app.users': ['segment', 'segment+hubspot'],
        'app.events': ['segment', 'amplitude'],
        'web.web_touches': ['segment'],
    }) }}
{% endmacro %}

{#- `files` or the vendor selected for one contract table; an unknown table or a
    vendor without an adapter for it stops the build naming both. -#}
{% macro raw_table_vendor(source_name, table_name) %}
    {%- set selected = raw_table_selection() -%}
    {{ return(selected.get(source_name ~ '.' ~ table_name, 'files')) }}
{% endmacro %}

{#- The var `raw_table_sources`, checked: {`<source>.<table>`: vendor} (given as a
    mapping, or as its YAML/JSON text). -#}
{% macro raw_table_selection() %}
    {%- set selected = var('raw_table_sources', {}) or {} -%}
    {%- set selected = fromyaml(selected) if selected is string else selected -%}
    {%- set adapters = raw_table_adapters() -%}
    {%- for table, vendor in selected.items() if vendor != 'files' -%}
        {%- if table not in adapters -%}
            {{ exceptions.raise_compiler_error("raw_table_sources: no adapter reads '" ~ table ~ "'; tables with adapters: " ~ adapters.keys() | sort | join(', ')) }}
        {%- elif vendor not in adapters[table] -%}
            {{ exceptions.raise_compiler_error("raw_table_sources: '" ~ table ~ "' cannot come from '" ~ vendor ~ "'; choose files or " ~ adapters[table] | join(', ')) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(selected) }}
{% endmacro %}

{#- The vendors at least one contract table comes from (`segment+hubspot` names two). -#}
{% macro selected_vendors() %}
    {%- set vendors = [] -%}
    {%- for value in raw_table_selection().values() if value != 'files' -%}
        {%- do vendors.extend(value.split('+')) -%}
    {%- endfor -%}
    {{ return(vendors | unique | list) }}
{% endmacro %}

{#- The tables of one vendor the selection reads: a vendor table whose meta `feeds`
    lists contract tables is read only when one of them comes from that vendor. -#}
{% macro selected_vendor_tables(vendor) %}
    {%- set selected = raw_table_selection() -%}
    {%- set tables = [] -%}
    {%- for table in raw_contract_tables(vendor) -%}
        {%- set feeding = [] -%}
        {%- for fed in table.feeds if vendor in (selected.get(fed, 'files') | string).split('+') -%}
            {%- do feeding.append(fed) -%}
        {%- endfor -%}
        {%- if feeding or not table.feeds -%}
            {%- do tables.append(table) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}

{#- The relation staging reads for one contract table: the raw file's relation
    (`source`) or the selected vendor's adapter model `adp_<vendor>__<table>`
    (`segment+hubspot`: `adp_segment_hubspot__<table>`, `hubspot+delighted`:
    `adp_hubspot_delighted__<table>`). -#}
{% macro raw_relation(source_name, table_name) %}
    {%- set vendor = raw_table_vendor(source_name, table_name) -%}
    {%- if vendor == 'files' -%}
        {{ return(source(source_name, table_name)) }}
    {%- endif -%}
    {{ return(ref('adp_' ~ vendor | replace('+', '_') ~ '__' ~ table_name)) }}
{% endmacro %}
