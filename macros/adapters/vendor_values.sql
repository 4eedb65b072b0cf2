{#- Portable readings of vendor values for the adapters (models/adapters). Vendor
    columns arrive typed (a loader's table, Parquet) or as text (CSV); every macro
    accepts both and yields null for what it cannot read, which staging then
    quarantines with a reason. -#}

{#- The text value of `key` in a JSON object held as text (Stripe and Segment
    metadata / traits / properties). -#}
{% macro vendor_json_text(expression, key) -%}
    {{ return(adapter.dispatch('vendor_json_text', 'saas_segments')(expression, key)) }}
{%- endmacro %}

{% macro default__vendor_json_text(expression, key) -%}
    json_extract_string(cast({{ expression }} as {{ dbt.type_string() }}), '$.{{ key }}')
{%- endmacro %}

{% macro postgres__vendor_json_text(expression, key) -%}
    (case when cast({{ expression }} as text) ~ '^\s*\{' then cast({{ expression }} as text)::json ->> '{{ key }}' end)
{%- endmacro %}

{% macro spark__vendor_json_text(expression, key) -%}
    get_json_object(cast({{ expression }} as string), '$.{{ key }}')
{%- endmacro %}

{#- An amount in a currency's minor unit (Stripe: cents) in the currency's unit:
    divided by 10 ^ the currency's minor units (`minor_units`, from ref_currencies;
    2 when the currency is unknown, which staging then quarantines). -#}
{% macro vendor_minor_amount(amount, minor_units) -%}
    {{ try_cast_as(amount, 'decimal(38, 6)') }}
    / case coalesce({{ minor_units }}, 2) when 0 then 1 when 1 then 10 when 3 then 1000 when 4 then 10000 else 100 end
{%- endmacro %}

{#- A vendor timestamp as a UTC timestamp: ISO-8601 text or a typed timestamp (see
    typed_raw_value), or whole seconds since the Unix epoch (Delighted, Stripe's API). -#}
{% macro vendor_timestamp(expression) -%}
    {{ return(adapter.dispatch('vendor_timestamp', 'saas_segments')(expression)) }}
{%- endmacro %}

{% macro default__vendor_timestamp(expression) -%}
    case
        when regexp_full_match({{ as_text(expression) }}, '[0-9]{9,11}')
            then make_timestamp(cast({{ as_text(expression) }} as bigint) * 1000000)
        else {{ typed_raw_value(expression, 'timestamp') }}
    end
{%- endmacro %}

{% macro postgres__vendor_timestamp(expression) -%}
    case
        when {{ as_text(expression) }} ~ '^[0-9]{9,11}$'
            then to_timestamp(cast({{ as_text(expression) }} as bigint)) at time zone 'UTC'
        else {{ typed_raw_value(expression, 'timestamp') }}
    end
{%- endmacro %}

{% macro spark__vendor_timestamp(expression) -%}
    case
        when {{ as_text(expression) }} rlike '^[0-9]{9,11}$'
            then cast(from_unixtime(cast({{ as_text(expression) }} as bigint)) as timestamp)
        else {{ typed_raw_value(expression, 'timestamp') }}
    end
{%- endmacro %}

{#- A vendor boolean (see typed_raw_value). -#}
{% macro vendor_bool(expression) -%}
    {{ typed_raw_value(expression, 'bool') }}
{%- endmacro %}

{#- The identity overrides of one vendor object (seed vendor_identity_map). -#}
{% macro vendor_identity_overrides(vendor, vendor_object) -%}
    select
        vendor_id,
        account_id,
        user_id
    from {{ ref('vendor_identity_map') }}
    where vendor = '{{ vendor }}' and vendor_object = '{{ vendor_object }}'
{%- endmacro %}
