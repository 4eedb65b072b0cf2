{#- The schema of the safe-cast functions (PostgreSQL): the target schema. -#}
{% macro cast_function_schema() -%}
    {{- target.schema -}}
{%- endmacro %}

{#- on-run-start: the engine's helper functions. Nothing to do on DuckDB. -#}
{% macro create_cast_functions() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('create_cast_functions', 'saas_segments')()) }}
{% endmacro %}

{% macro default__create_cast_functions() %}
    {{ return('') }}
{% endmacro %}

{#- Safe casts of raw text, mirroring what DuckDB's try_cast accepts:
      saas_try_numeric(text, precision, scale): plain or exponent notation (digits may
        be grouped with `_`), surrounding blanks allowed; null for NaN / Infinity and for
        a value that does not fit decimal(precision, scale);
      saas_try_date(text): `yyyy-m-d` or `yyyy/m/d`, optionally followed by a valid
        time (anything after the time is ignored, as DuckDB does);
      saas_try_timestamptz(text): `yyyy-m-d[ |T]h:mm[:ss[.ffffff]]` with an optional
        offset (`Z`, `+hh`, `+hh:mm`, `+hhmm`), ` UTC` or an IANA zone name; a value
        without an offset is UTC (the function runs with timezone UTC).
    Leading blanks are allowed; trailing blanks only after a time (DuckDB's rules).
    Anything else, or a value the server still refuses (2026-02-30), is null. -#}
{% macro postgres__create_cast_functions() %}
    {%- set schema = cast_function_schema() -%}
    {%- call statement('create_cast_functions') -%}
        create schema if not exists {{ schema }};

        create or replace function {{ schema }}.saas_try_numeric(value text, numeric_precision integer, numeric_scale integer)
        returns numeric
        language plpgsql immutable
        as $body$
        declare
            cleaned text := replace(btrim(value, E' \t\r\n'), '_', '');
            parsed numeric;
        begin
            if value is null
                or btrim(value, E' \t\r\n') !~ '^[+-]?([0-9][0-9_]*(\.[0-9_]*)?|\.[0-9][0-9_]*)([eE][+-]?[0-9]+)?$'
            then
                return null;
            end if;
            parsed := round(cast(cleaned as numeric), numeric_scale);
            if abs(parsed) >= power(cast(10 as numeric), numeric_precision - numeric_scale) then
                return null;
            end if;
            return parsed;
        exception when others then
            return null;
        end;
        $body$;

        create or replace function {{ schema }}.saas_try_date(value text)
        returns date
        language plpgsql immutable
        as $body$
        declare
            parts text[] := regexp_match(
                value,
                '^\s*([0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2})([ T]([0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)(\s.*|[^0-9:.].*)?)?\s*$'
            );
        begin
            if parts is null then
                return null;
            end if;
            if parts[3] is not null then
                perform cast(parts[3] as time);  -- the time, when given, must be valid
            end if;
            return cast(parts[1] as date);
        exception when others then
            return null;
        end;
        $body$;

        create or replace function {{ schema }}.saas_try_timestamptz(value text)
        returns timestamptz
        language plpgsql stable
        set timezone to 'UTC'
        as $body$
        begin
            if value is null or value !~ (
                '^\s*[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}'
                || '([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?'
                || '(Z|[+-][0-9]{2}(:?[0-9]{2})?| ?UTC| [A-Za-z_]+/[A-Za-z_]+(/[A-Za-z_]+)?)?\s*)?$'
            ) then
                return null;
            end if;
            return cast(btrim(value, E' \t\r\n') as timestamptz);
        exception when others then
            return null;
        end;
        $body$;
    {%- endcall -%}
    {{ return('select 1 as cast_functions_ready') }}
{% endmacro %}
