"""Contract checks: every JSON API answer the HTTP tests receive must be one
that static/openapi.json describes.

check_answer(method, path_with_query, response) finds the operation by the
path template under /api/v1 (/api/v1/articles/abc/revisions ->
/articles/{slug}/revisions), picks the response by status code (or the
spec's "2XX" or "default"), and checks:

- that the spec has an entry for this route, method and status at all (a
  method a path does not list is answered by the path's `x-other-methods`);
- the headers the response declares `required`, and every declared header's
  value against its schema;
- the Content-Type against the response's media types (no content declared:
  no body);
- the JSON body against the media type's schema with jsonschema's
  Draft202012Validator and a RefResolver over the whole spec, formats
  included; a problem+json body's `status` must be the HTTP status.

HEAD answers are checked for status and headers only (no body to validate).
A path under /api that matches no template (a real 404 for an unknown
address) must still be application/problem+json and a valid Problem.

Three extension keywords of the spec's article schemas are enforced here,
because `?fields=` trims articles and a plain `required` would reject the
trimmed ones (see the schemas' descriptions):

- "x-trim-param": P  -- when the query gives P non-empty, the object has only
  keys that P names (comma-separated);
- "x-untrimmed-required": [...]  -- when it does not, these keys are required;
- "x-untrimmed-required-with-param": {Q: [...]}  -- and these too when the
  query gives Q non-blank (`snippet` with `q`).

Any mismatch raises AssertionError naming the request, the spec entry and
what is wrong.  `counts` tallies the answers checked, for the session summary.
"""

import contextvars
import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from jsonschema import Draft202012Validator, FormatChecker, RefResolver, validators
from jsonschema.exceptions import ValidationError

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "static" / "openapi.json"
API_PREFIX = "/api/v1"
METHODS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")

counts = Counter()  # "checked", and per "METHOD template status"

_spec = None
_query = contextvars.ContextVar("contract_query", default={})


def spec():
    """The OpenAPI document (loaded once)."""
    global _spec
    if _spec is None:
        _spec = json.loads(SPEC_PATH.read_text())
    return _spec


def _resolve(obj):
    """Follows a local $ref ("#/components/...") to the object it names."""
    seen = 0
    while isinstance(obj, dict) and "$ref" in obj:
        ref = obj["$ref"]
        assert ref.startswith("#/"), f"contract: only local $refs are supported: {ref}"
        obj = spec()
        for part in ref[2:].split("/"):
            obj = obj[part.replace("~1", "/").replace("~0", "~")]
        seen += 1
        assert seen < 20, f"contract: $ref loop at {ref}"
    return obj


# ---- the validator: JSON Schema 2020-12, formats, and the spec's extensions

def _trimmed(schema):
    param = schema.get("x-trim-param")
    return bool(param and _query.get().get(param))


def _x_trim_param(validator, param, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    value = _query.get().get(param)
    if not value:
        return
    named = {f for f in value.split(",") if f}
    extra = sorted(set(instance) - named)
    if extra:
        yield ValidationError(f"keys {extra} are not among ?{param}={value}, which trims "
                              f"the answer to those keys")


def _x_untrimmed_required(validator, keys, instance, schema):
    if not validator.is_type(instance, "object") or _trimmed(schema):
        return
    for key in keys:
        if key not in instance:
            yield ValidationError(f"{key!r} is a required property (the answer is not "
                                  f"trimmed by ?{schema.get('x-trim-param')}=)")


def _x_untrimmed_required_with_param(validator, mapping, instance, schema):
    if not validator.is_type(instance, "object") or _trimmed(schema):
        return
    for param, keys in mapping.items():
        if _query.get().get(param, "").strip(" \t"):
            for key in keys:
                if key not in instance:
                    yield ValidationError(f"{key!r} is a required property when the "
                                          f"query has {param}=")


Validator = validators.extend(Draft202012Validator, {
    "x-trim-param": _x_trim_param,
    "x-untrimmed-required": _x_untrimmed_required,
    "x-untrimmed-required-with-param": _x_untrimmed_required_with_param,
})

# jsonschema's own checker lacks these without optional packages.
FORMATS = FormatChecker()
for _name, _fn in Draft202012Validator.FORMAT_CHECKER.checkers.items():
    FORMATS.checkers[_name] = _fn


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)", value):
        return False
    datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00", value.replace("t", "T")))
    return True


@FORMATS.checks("uri")
def _uri(value):
    if not isinstance(value, str):
        return True
    u = urlsplit(value)
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", u.scheme)) and not re.search(r"\s", value)


@FORMATS.checks("uri-reference")
def _uri_reference(value):
    return not isinstance(value, str) or not re.search(r"[\s<>\"]", value)


def validate(schema, instance, query=None, what="body"):
    """Validates instance against a schema of the spec; AssertionError listing every error."""
    token = _query.set(query or {})
    try:
        v = Validator(schema, resolver=RefResolver.from_schema(spec()), format_checker=FORMATS)
        errors = sorted(v.iter_errors(instance), key=lambda e: list(e.absolute_path))
    finally:
        _query.reset(token)
    if errors:
        lines = []
        for e in errors[:12]:
            lines.append(f"  at {e.json_path}: {e.message[:400]}")
            for sub in (e.context or [])[:6]:
                lines.append(f"      ({'/'.join(map(str, sub.absolute_schema_path))}) "
                             f"{sub.json_path}: {sub.message[:200]}")
        more = f"\n  ... and {len(errors) - 12} more" if len(errors) > 12 else ""
        raise AssertionError(f"the {what} does not match the spec:\n" + "\n".join(lines) + more)


# ---- finding the spec entry

def _split(path):
    return path.split("/")[1:] if path.startswith("/") else None


def match_template(path):
    """(template, path item) for a path relative to /api/v1, or None."""
    segs = _split(path)
    if segs is None:
        return None
    best = None
    for template, item in spec()["paths"].items():
        tsegs = _split(template)
        if len(tsegs) != len(segs):
            continue
        params = 0
        for t, s in zip(tsegs, segs):
            if t.startswith("{") and t.endswith("}"):
                if s == "":
                    break
                params += 1
            elif t != s:
                break
        else:
            if best is None or params < best[0]:
                best = (params, template, item)
    return best and (best[1], best[2])


def is_api(path):
    """True for a request path that the server answers as the API (under /api)."""
    path = urlsplit(path).path
    return path == "/api" or path.startswith("/api/")


def media_type(value):
    return (value or "").split(";")[0].strip().lower()


def _is_json(mt):
    return mt == "application/json" or mt.endswith("+json")


def _describe(method, path, response):
    body = response.content[:300].decode("utf-8", "replace") if method != "HEAD" else ""
    return (f"{method} {path} -> {response.status_code} "
            f"{response.headers.get('Content-Type', '(no Content-Type)')}"
            + (f"\n  body: {body}" if body else ""))


def _check_problem_only(method, path, response):
    """An answer for an API address the spec does not have: a valid problem."""
    mt = media_type(response.headers.get("Content-Type"))
    assert mt == "application/problem+json", (
        f"contract: {_describe(method, path, response)}\n"
        f"  {path} is no path of the spec, so the answer must be an "
        f"application/problem+json problem, not {mt or 'no Content-Type'}")
    if method == "HEAD":
        return
    _check_json_body({"$ref": "#/components/schemas/Problem"}, mt, method, path, response, {})


def _check_json_body(schema, mt, method, path, response, query):
    try:
        body = response.json()
    except ValueError as e:
        raise AssertionError(f"contract: {_describe(method, path, response)}\n"
                             f"  the body is not JSON: {e}") from None
    try:
        validate(schema, body, query)
    except AssertionError as e:
        raise AssertionError(f"contract: {_describe(method, path, response)}\n  {e}") from None
    if mt == "application/problem+json" and isinstance(body, dict):
        assert body.get("status") == response.status_code, (
            f"contract: {_describe(method, path, response)}\n"
            f"  the problem's status {body.get('status')!r} is not the HTTP status")


def check_answer(method, path_with_query, response):
    """Checks one answer of the API against the spec; AssertionError if it does not fit.

    method: the request's method; path_with_query: the request target as the
    server routes it (starting with /api, without a public URL's path);
    response: a requests.Response.
    """
    method = method.upper()
    u = urlsplit(path_with_query)
    path = u.path
    assert is_api(path), f"contract: {path_with_query} is not under /api"
    query = {}
    for k, v in parse_qsl(u.query, keep_blank_values=True):
        query.setdefault(k, v)

    found = None
    if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
        found = match_template(path[len(API_PREFIX):])
    if found is None:
        _check_problem_only(method, path_with_query, response)
        counts["checked"] += 1
        counts[f"{method} (no path) {response.status_code}"] += 1
        return
    template, item = found
    where = f"{method} {template}"

    op = item.get(method.lower())
    if op is None:
        op = item.get("x-other-methods")
        assert op is not None, (f"contract: {_describe(method, path_with_query, response)}\n"
                                f"  the spec has no {method} on {template} and no "
                                f"x-other-methods answer for it")
        where = f"{method} {template} (x-other-methods)"
    responses = op.get("responses", {})
    status = str(response.status_code)
    key = next((k for k in (status, status[0] + "XX", "default") if k in responses), None)
    assert key is not None, (f"contract: {_describe(method, path_with_query, response)}\n"
                             f"  the spec has no {status} answer for {where} "
                             f"(it has {', '.join(sorted(responses))})")
    resp_spec = _resolve(responses[key])

    # Headers: the required ones are there, every declared one fits its schema.
    for name, header in (resp_spec.get("headers") or {}).items():
        header = _resolve(header)
        value = response.headers.get(name)
        if value is None:
            assert not header.get("required"), (
                f"contract: {_describe(method, path_with_query, response)}\n"
                f"  the {name} header is missing; the spec's {status} answer for {where} "
                f"requires it")
            continue
        if "schema" in header:
            try:
                validate(header["schema"], value, what=f"{name} header")
            except AssertionError as e:
                raise AssertionError(f"contract: {_describe(method, path_with_query, response)}"
                                     f"\n  {e}") from None

    content = resp_spec.get("content")
    mt = media_type(response.headers.get("Content-Type"))
    if not content:
        if method != "HEAD":
            assert response.content == b"", (
                f"contract: {_describe(method, path_with_query, response)}\n"
                f"  the spec's {status} answer for {where} has no body, but this one has")
    else:
        declared = {media_type(k): v for k, v in content.items()}
        assert mt in declared, (f"contract: {_describe(method, path_with_query, response)}\n"
                                f"  Content-Type {mt or '(none)'} is not one the spec gives "
                                f"for the {status} answer of {where}: {', '.join(declared)}")
        schema = declared[mt].get("schema")
        if method != "HEAD" and schema is not None:
            if _is_json(mt):
                _check_json_body(schema, mt, method, path_with_query, response, query)
            else:
                try:
                    validate(schema, response.text, what="text body")
                except AssertionError as e:
                    raise AssertionError(f"contract: {_describe(method, path_with_query, response)}"
                                         f"\n  {e}") from None
    counts["checked"] += 1
    counts[f"{method} {template} {status}"] += 1


def api_target(path_url, prefixes=()):
    """The API target of a request (path and query) with a public URL's path
    taken off, or None when the request is not for the API."""
    if is_api(path_url):
        return path_url
    for prefix in prefixes:
        prefix = prefix.rstrip("/")
        if prefix and path_url.startswith(prefix + "/") and is_api(path_url[len(prefix):]):
            return path_url[len(prefix):]
    return None


def summary_lines():
    """Lines for the test session's summary."""
    n = counts["checked"]
    lines = [f"{n} API answer{'s' if n != 1 else ''} checked against static/openapi.json"]
    routes = Counter()
    for key, c in counts.items():
        if key != "checked":
            routes[key.rsplit(" ", 1)[0]] += c
    if routes:
        lines.append("  by route: " + ", ".join(f"{k} {c}" for k, c in sorted(routes.items())))
    return lines
