"""SHACL-SPARQL constraints: pySHACL's acceptance rules, and the rewrite of an author's SELECT
into a query over every focus node at once.
"""

from __future__ import annotations

import re

from igokg.errors import ShapeError, UnsupportedShape

# pySHACL's own regular expressions (helper/sparql_query_helper.py), copied so that
# exactly the queries it refuses are refused here.
_BIND_THIS = re.compile(r"([\s{}()])[\$\?]this", flags=re.MULTILINE)
_BIND_PATH = re.compile(r"([\s{}()])[\$\?]PATH", flags=re.MULTILINE)
_BIND_SG = re.compile(r"([\s{}()])[\$\?]shapesGraph", flags=re.MULTILINE)
_BIND_CS = re.compile(r"([\s{}()])[\$\?]currentShape", flags=re.MULTILINE)
_HAS_MINUS = re.compile(r"^(?:[^#]*|M)(?!#)#?[^\?\$\#]M?INUS[\s\{]", flags=re.MULTILINE | re.IGNORECASE)
_HAS_VALUES = re.compile(r"^(?!\s*#).*?(?<![\w\-\:])VALUES\b(?:\s*(?:\(|[\?\$]\w+|\{|\w|\s))", flags=re.MULTILINE | re.IGNORECASE)
_HAS_SERVICE = re.compile(r"^(?:[^#]*|S)(?!#)#?[^\?\$\#]S?ERVICE[\s\<]", flags=re.MULTILINE | re.IGNORECASE)
_HAS_AS_VAR = re.compile(r"[^\w]+AS[\s]+[\$\?](\w+)", flags=re.MULTILINE | re.IGNORECASE)


def _check_like_pyshacl(label: str, text: str) -> None:
    if _HAS_MINUS.search(text):
        raise ShapeError(label, "a SPARQL constraint must not contain MINUS")
    if _HAS_VALUES.search(text):
        raise ShapeError(label, "a SPARQL constraint must not contain VALUES")
    if _HAS_SERVICE.search(text):
        raise ShapeError(label, "a SPARQL constraint must not contain SERVICE")
    m = _HAS_AS_VAR.search(text)
    if m and m.group(1) in ("this", "shapesGraph", "currentShape"):
        raise ShapeError(label, f"a SPARQL constraint must not rebind ${m.group(1)} with AS")


def check_prebinding(label: str, text: str, prebound: set[str]) -> None:
    """SHACL §5.3.1: the restrictions pre-binding needs; a query that breaks them is a failure.

    No MINUS, SERVICE or VALUES; no `AS ?v` for a pre-bound ?v; every subquery returns the
    pre-bound variables ($shapesGraph and $currentShape excepted).
    """
    _check_like_pyshacl(label, text)
    masked = _mask(text)
    for m in re.finditer(r"\bAS\s+[\$\?](\w+)", masked, re.IGNORECASE):
        if m.group(1) in prebound:
            raise ShapeError(label, f"a SPARQL query must not rebind the pre-bound ${m.group(1)} with AS")
    needed = prebound - {"shapesGraph", "currentShape"}
    selects = list(re.finditer(r"\bSELECT\b", masked, re.IGNORECASE))
    top = 1 if re.match(r"\s*(PREFIX\s+\S*\s*<[^>]*>\s*|BASE\s*<[^>]*>\s*)*SELECT\b", masked, re.IGNORECASE) else 0
    for m in selects[top:]:
        brace = masked.find("{", m.end())
        head = masked[m.end():brace]
        end = _closing(masked, brace)
        if head.strip().upper().startswith(("*", "DISTINCT *", "REDUCED *")):
            body = re.sub(r"\bFILTER\s*\(", "FILTER(", masked[brace:end])
            in_scope = {v for v in needed if re.search(rf"[\$\?]{v}\b", _without_filters(body))}
        else:
            in_scope = {v for v in needed if re.search(rf"[\$\?]{v}\b", head)}
        if needed - in_scope:
            missing = ", ".join("$" + v for v in sorted(needed - in_scope))
            raise ShapeError(label, f"a subquery must return the pre-bound {missing}")


def _closing(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def _without_filters(body: str) -> str:
    out, i = [], 0
    for m in re.finditer(r"\bFILTER\s*\(", body, re.IGNORECASE):
        if m.start() < i:
            continue
        out.append(body[i:m.start()])
        depth, j = 0, m.end() - 1
        while j < len(body):
            depth += {"(": 1, ")": -1}.get(body[j], 0)
            j += 1
            if depth == 0:
                break
        i = j
    out.append(body[i:])
    return "".join(out)


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')


def _mask(text: str) -> str:
    """Blank out strings, IRIs and comments so keywords and braces can be found by regex."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c == "<" and (m := _IRIREF.match(text, i)):
            out.append("<" + " " * (m.end() - i - 2) + ">")
            i = m.end()
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + len(quote))
            out.append('"' + " " * (j - i - 2) + '"')
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


_PNAME = re.compile(r"(?<![\w.\-:?$])([A-Za-z][\w.\-]*)?:(?=[\w%\\]|[\s;,.)}]|$)")
_PREFIX_DECL = re.compile(r"\bPREFIX\s+([A-Za-z][\w.\-]*)?:", re.IGNORECASE)


def _undeclared_prefixes(text: str, declared: set[str]) -> list[str]:
    """Prefixes the query uses without a declaration (strings, IRIs and comments left out)."""
    masked = _mask(text)
    declared = declared | {m.group(1) or "" for m in _PREFIX_DECL.finditer(masked)}
    return sorted({m.group(1) or "" for m in _PNAME.finditer(masked)} - declared)


_AGGREGATE = re.compile(r"\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(", re.IGNORECASE)


def _rewrite_select(label: str, text: str, focus: str) -> tuple[str, tuple[str, ...]]:
    """Evaluate the constraint for all focus nodes at once: the focus subquery is
    joined first in the WHERE group, which for the query shapes accepted here equals
    pySHACL's pre-binding of $this. Anything where the two could differ is refused."""
    masked = _mask(text)
    selects = list(re.finditer(r"\bSELECT\b", masked, re.IGNORECASE))
    if len(selects) != 1:
        if not selects:
            raise ShapeError(label, "sh:select must hold a SELECT query")
        raise UnsupportedShape(label, "nested SELECT in a SPARQL constraint")
    if re.search(r"[\?\$]this\b", masked) and not _BIND_THIS.search(text):
        # pySHACL would leave $this unbound here; joining would change the answer.
        raise UnsupportedShape(label, "$this written where pySHACL does not pre-bind it")
    start = selects[0].end()
    brace = masked.find("{", start)
    if brace < 0:
        raise ShapeError(label, "sh:select has no WHERE group")
    head = re.sub(r"\bWHERE\b\s*$", "", masked[start:brace].rstrip(), flags=re.IGNORECASE)
    head_text = text[start:start + len(head)]  # same span, strings and IRIs intact
    m = re.match(r"\s*(DISTINCT|REDUCED)\b", head, re.IGNORECASE)
    skip = m.end() if m else 0
    projected = _projection(label, head[skip:])
    depth, close = 0, -1
    for i in range(brace, len(masked)):
        if masked[i] == "{":
            depth += 1
        elif masked[i] == "}":
            depth -= 1
            if depth == 0:
                close = i
                break
    if close < 0:
        raise ShapeError(label, "unbalanced braces in sh:select")
    body, body_masked = text[brace + 1:close], masked[brace + 1:close]
    tail_masked = masked[close + 1:]
    for word in ("UNION", "GRAPH", "SERVICE", "MINUS", "VALUES", "LIMIT", "OFFSET"):
        if re.search(rf"\b{word}\b", body_masked + " " + tail_masked, re.IGNORECASE):
            raise UnsupportedShape(label, f"{word} in a SPARQL constraint")
    _check_groups(label, body_masked)
    group = re.search(r"\bGROUP\s+BY\b(.*?)(\bHAVING\b|\bORDER\b|$)", tail_masked, re.IGNORECASE | re.DOTALL)
    if group and not re.search(r"[\?\$]this\b", group.group(1)):
        raise UnsupportedShape(label, "GROUP BY without $this in a SPARQL constraint")
    if not group and (_AGGREGATE.search(head) or re.search(r"\bHAVING\b", tail_masked, re.IGNORECASE)):
        raise UnsupportedShape(label, "aggregates without GROUP BY $this in a SPARQL constraint")
    # The author's projection is kept as written (expressions included); ?this is added
    # when it was not selected, because each row must name its focus node.
    extra = "" if "this" in projected else " ?this"
    query = f"SELECT {head_text[:skip]}{extra} {head_text[skip:]} WHERE {{ {focus}\n{body}\n}}{text[close + 1:]}"
    return query, projected


def _projection(label: str, head: str) -> tuple[str, ...]:
    """Variables named by a SELECT clause (with `(expr AS ?x)` projecting ?x)."""
    if head.strip() == "*":
        raise UnsupportedShape(label, "SELECT * in a SPARQL constraint")
    names, depth, i = [], 0, 0
    while i < len(head):
        c = head[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c in "?$" and depth == 0:
            m = re.match(r"[\?\$](\w+)", head[i:])
            if m:
                names.append(m.group(1))
                i += m.end()
                continue
        i += 1
    for m in re.finditer(r"\bAS\s+[\?\$](\w+)", head, re.IGNORECASE):
        names.append(m.group(1))
    if not names:
        raise ShapeError(label, "sh:select projects no variables")
    return tuple(dict.fromkeys(names))


def _check_groups(label: str, body: str) -> None:
    """Allow nested groups only where the focus binding reaches them as under pre-binding:
    FILTER [NOT] EXISTS anywhere, OPTIONAL only at the top of the WHERE group."""
    stack: list[str] = []
    for m in re.finditer(r"[{}]", body):
        if m.group() == "}":
            if stack:
                stack.pop()
            continue
        before = body[:m.start()].rstrip()
        word = re.search(r"(\w+)$", before)
        kind = word.group(1).upper() if word else ""
        if kind == "EXISTS":
            stack.append("EXISTS")
        elif kind == "OPTIONAL" and not stack:
            stack.append("OPTIONAL")
        else:
            raise UnsupportedShape(label, "nested groups (other than top-level OPTIONAL or EXISTS) in a SPARQL constraint")
