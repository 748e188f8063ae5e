"""Which function calls a migration may make: known pure built-ins only (DESIGN §2.4, issue 15).

A call of anything else may run host code (``SELECT log('x')`` resolves to a host ``log(text)``
when one exists, whatever sqlglot calls the node), advance a host sequence (``nextval``) or
change the session (``set_config``), so it is ACP303 wherever it stands: in a SELECT, in a
VALUES row, in a column DEFAULT or CHECK, in an index expression. Names are taken as *written*
(sqlglot maps ``lcase(x)`` to its ``Lower`` node; PostgreSQL would call a host ``lcase``), and a
call qualified by any schema other than ``pg_catalog`` is never a built-in.

Residual risk, documented in bench/README.md: a host overload of a listed name with other
argument types (PostgreSQL picks ``public.lower(varchar)`` for a varchar argument) and host
operators on host types are not detected.
"""

from __future__ import annotations

from typing import Any

#: Built-in functions without side effects on existing objects (lower-case, as written).
PURE_FUNCTIONS = frozenset(
    """
    count sum avg min max array_agg string_agg bool_and bool_or every json_agg jsonb_agg
    json_object_agg jsonb_object_agg group_concat total
    row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value
    nth_value
    coalesce nullif greatest least ifnull iif
    lower upper length char_length character_length octet_length substring substr trim btrim
    ltrim rtrim replace concat concat_ws left right lpad rpad split_part strpos position initcap
    reverse repeat translate format md5 regexp_replace regexp_match starts_with ascii chr encode
    decode to_hex quote_ident quote_literal instr printf hex typeof quote
    abs round floor ceil ceiling mod power sqrt sign trunc random
    now current_timestamp current_date current_time localtimestamp localtime date_trunc
    date_part extract to_char to_date to_timestamp to_number age make_date make_timestamp
    make_interval clock_timestamp statement_timestamp transaction_timestamp datetime date time
    strftime julianday unixepoch
    json_build_object jsonb_build_object json_build_array jsonb_build_array to_json to_jsonb
    json_object json_array json jsonb_set jsonb_strip_nulls json_extract jsonb_array_length
    json_array_length row_to_json array_to_json jsonb_typeof json_typeof
    array_length array_position cardinality unnest array_to_string string_to_array array_append
    array_cat generate_series array_remove
    to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery setweight
    ts_rank
    gen_random_uuid uuid
    """.split()
)

#: sqlglot nodes for SQL syntax rather than a named call (no function name is written).
SYNTAX_NODES = frozenset(
    """
    Case If Cast TryCast Extract Array CurrentTimestamp CurrentDate CurrentTime CurrentUser
    CurrentSchema Substring StrPosition Trim JSONExtract JSONExtractScalar JSONBExtract
    JSONBExtractScalar JSONBContains ArrayContainsAll ArrayContains ArrayOverlaps Coalesce
    Struct Max Min Count Sum Avg Exists Localtimestamp Localtime Bracket Interval
    """.split()
)


def _operator_classes() -> tuple[type, ...]:
    from sqlglot import exp

    return (exp.Binary, exp.Unary, exp.Connector, exp.Predicate)


#: Schemas whose functions are the built-ins.
_BUILTIN_SCHEMAS = frozenset({"pg_catalog"})


def written_name(node: Any, sql: str) -> str | None:
    """The function name as written in ``sql`` (quotes removed), or None for syntax forms."""
    meta = node.meta if hasattr(node, "meta") else {}
    start, end = meta.get("start"), meta.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end < len(sql):
        text = sql[start : end + 1]
        if len(text) >= 2 and text[0] == text[-1] and text[0] in '"`[':
            text = text[1:-1]
        return text
    from sqlglot import exp

    if isinstance(node, exp.Anonymous):
        return str(node.name)
    return None


def unknown_call(node: Any, sql: str) -> str | None:
    """The name of a call that is not a known pure built-in, or None when the call is fine."""
    from sqlglot import exp

    operators = _operator_classes()
    if isinstance(node, exp.NextValueFor):
        return "NEXT VALUE FOR"
    if not isinstance(node, exp.Func):
        return None
    if isinstance(node, (exp.Cast, exp.TryCast)):
        target = node.args.get("to")
        if isinstance(target, exp.DataType) and target.this == exp.DataType.Type.USERDEFINED:
            return f"a cast to {target.sql()} (a type that may run host code)"
    parent = node.parent
    if isinstance(parent, exp.Dot) and parent.expression is node:
        qualifier = parent.this.sql().strip('"').lower()
        if qualifier not in _BUILTIN_SCHEMAS:
            return f"{parent.this.sql()}.{written_name(node, sql) or node.sql_name()}"
    name = written_name(node, sql)
    if name is None:
        kind = type(node).__name__
        if kind in SYNTAX_NODES or isinstance(node, operators):
            return None  # CASE, CAST, x ~ y, a AND b...: syntax, no function name written
        return kind
    if name.lower() in PURE_FUNCTIONS:
        return None
    return name
