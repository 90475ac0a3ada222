"""Python facts: name resolution, routes, and the two extractors agreeing with each other."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.facts.python import ast_extract, ts_extract, wire
from readiness.facts.python.records import ModuleFacts
from readiness.facts.python.routes import routes_in
from tests.conftest import FIXTURES
from tests.helpers import EXAMPLE

SAMPLE = '''
import requests as r
import os.path
from fastapi import APIRouter, Depends, FastAPI
from .db import engine as eng
from sqlalchemy import create_engine, text

app = FastAPI(title="x")
router = APIRouter(prefix="/v1")


class Client:
    def __init__(self):
        self.http = r.Session()

    def get(self, url):
        return self.http.get(url, timeout=3)


@router.post("/items/{item_id}", status_code=201)
async def create(item_id: int, body: dict = None, user=Depends(current_user)) -> dict:
    try:
        rows = eng.execute(text(f"SELECT * FROM t WHERE id = {item_id}"))
    except (ValueError, KeyError) as exc:
        raise HTTPException(status_code=400, detail=str(exc))
    except Exception:
        pass
    return {"rows": rows, "n": len("a" % 3), "s": "x" + body}


@app.route("/legacy", methods=["GET", "POST"])
def legacy():
    lam = lambda y: y + 1
    return lam(1)


DEBUG = os.getenv("DEBUG", "false") == "true"
x, (y, z) = 1, (2, 3)
'''


def _comparable(module: ModuleFacts) -> dict[str, object]:
    skip = {"parser", "errors", "path"}
    return {f.name: getattr(module, f.name) for f in fields(module) if f.name not in skip}


def test_name_resolution_through_imports_and_bindings() -> None:
    module = ast_extract.extract("app/api.py", SAMPLE)
    names = {c.name for c in module.calls}
    assert "requests.Session" in names
    assert "requests.Session().get" in names  # self.http bound in __init__
    assert "db.engine.execute" in names  # relative import, alias
    assert "sqlalchemy.text" in names
    assert "fastapi.APIRouter().post" in names  # the decorator call
    create = next(f for f in module.functions if f.name == "create")
    assert create.is_async
    assert [p.name for p in create.params] == ["item_id", "body", "user"]
    assert create.params[2].default == "Depends(current_user)"
    execute = next(c for c in module.calls if c.name == "sqlalchemy.text")
    assert execute.arg_kinds == ("fstring",)
    handler = module.excepts[0]
    assert handler.types == ("ValueError", "KeyError") and handler.name == "exc"
    assert module.excepts[1].body == "pass"


def test_routes_from_decorators() -> None:
    module = ast_extract.extract("app/api.py", SAMPLE)
    routes = {(r.path, r.methods) for r in routes_in(module)}
    assert ("/items/{item_id}", ("POST",)) in routes
    assert ("/legacy", ("GET", "POST")) in routes


def test_both_extractors_agree_on_the_sample() -> None:
    by_ast = ast_extract.extract("app/api.py", SAMPLE)
    by_ts = ts_extract.extract("app/api.py", SAMPLE.encode())
    assert by_ts.errors == ()
    assert _comparable(by_ast) == _comparable(by_ts)


def _python_files() -> list[Path]:
    roots = [FIXTURES, EXAMPLE]
    return sorted(p for root in roots for p in root.rglob("*.py"))


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(p.parents[3])))
def test_both_extractors_agree_on_every_fixture_file(path: Path) -> None:
    """tree-sitter, the fallback, gives the same facts as ast wherever ast can parse."""
    text = path.read_text(encoding="utf-8")
    try:
        by_ast = ast_extract.extract(path.name, text)
    except SyntaxError:
        pytest.skip("not valid for this interpreter: only the tolerant parser applies")
    by_ts = ts_extract.extract(path.name, text.encode("utf-8"))
    assert _comparable(by_ast) == _comparable(by_ts)


def test_cache_wire_format_round_trips() -> None:
    module = ast_extract.extract("app/api.py", SAMPLE)
    assert wire.load(wire.dump(module), "moved/api.py") == ModuleFacts(
        **{**{f.name: getattr(module, f.name) for f in fields(module)}, "path": "moved/api.py"})


_IDENT = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_IDENT, _IDENT, st.integers(0, 3)), min_size=1, max_size=6))
def test_generated_calls_agree(calls: list[tuple[str, str, int]]) -> None:
    """Property: for generated call statements, both extractors record the same calls."""
    lines = ["import requests"]
    for receiver, method, nargs in calls:
        args = ", ".join(f"a{i}" for i in range(nargs))
        lines.append(f"{receiver}.{method}({args}, timeout={nargs})" if args
                     else f"{receiver}.{method}()")
    source = "\n".join(lines) + "\n"
    try:
        by_ast = ast_extract.extract("g.py", source)
    except SyntaxError:
        return  # a generated identifier may be a keyword
    by_ts = ts_extract.extract("g.py", source.encode())
    assert by_ast.calls == by_ts.calls


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=300))
def test_tolerant_parser_never_raises_on_arbitrary_text(text: str) -> None:
    module = ts_extract.extract("any.py", text.encode("utf-8", "surrogatepass"))
    assert module.lines >= 0


AGREEMENT_CASES = {
    "negative numbers and bytes": "f(-1, +2.5, b'x', b'a' + b'b')\n",
    "parenthesised values and annotations": "x: (int | None) = (\n    a.b()\n)\nf((a + b), c)\n",
    "trailing comments in bodies": "def f():\n    return 1\n    # done\n\n\nclass C:\n"
                                   "    x = 1\n    # end\n",
    "overloads keep their own returns": "from typing import overload\n\n@overload\n"
                                        "def g(x: int) -> int: ...\n\ndef g(x):\n"
                                        "    return x\n",
    "stores are not reads": "for _ in range(3):\n    pass\nh = lambda self: None\n"
                            "[y for y in z]\nif (w := 3):\n    pass\n",
    "chained assignment binds": "import tables\nt = ctx['t'] = tables.Table()\nt.render()\n",
    "long multi-line snippet": "value = call(\n" + "".join(f"    arg{i}=1,\n" for i in range(40))
                               + ")\n",
    "escaped docstring": 'def f():\n    """Arrow \\u2192 here."""\n',
}


@pytest.mark.parametrize("source", list(AGREEMENT_CASES.values()), ids=list(AGREEMENT_CASES))
def test_extractors_agree_on_tricky_shapes(source: str) -> None:
    """Shapes where the two parsers' raw trees differ; the records must not."""
    by_ast = ast_extract.extract("m.py", source)
    by_ts = ts_extract.extract("m.py", source.encode())
    assert by_ts.errors == ()
    assert _comparable(by_ast) == _comparable(by_ts)
