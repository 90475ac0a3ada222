"""Name resolution shared by both Python extractors.

A module's imports and simple bindings (``app = FastAPI()``,
``self.client = httpx.AsyncClient()``) map a name as written to a dotted name
readiness understands: ``app.get`` -> ``fastapi.FastAPI().get``. This is a
best-effort, single-module resolution; it never imports anything.
"""

from __future__ import annotations

from readiness.facts.python.records import Import

MAX_DEPTH = 4
MAX_PARTS = 40


def scope_chain(scope: str) -> list[str]:
    """``"A.f"`` -> ``["A.f", "A", ""]``: where a name used in ``scope`` may be bound."""
    chain = [scope]
    while scope:
        scope = scope.rsplit(".", 1)[0] if "." in scope else ""
        chain.append(scope)
    return chain


class Resolver:
    def __init__(self) -> None:
        self._scopes: dict[str, dict[str, str]] = {"": {}}

    def bind_import(self, imp: Import) -> None:
        if imp.name == "*":
            return
        table = self._scopes.setdefault(imp.scope, {})
        if imp.name is None and "." in imp.module and imp.alias == imp.module.split(".")[0]:
            # ``import a.b`` binds ``a``; keep ``a`` pointing at the package itself.
            table.setdefault(imp.alias, imp.alias)
            return
        qualified = imp.qualified
        table[imp.alias] = qualified.lstrip(".") if imp.module.startswith(".") else qualified

    def bind(self, scope: str, name: str, target: str) -> None:
        """Bind ``name`` (possibly dotted, like ``self.client``) to an already resolved target."""
        if not name or not target or name == target:
            return
        self._scopes.setdefault(scope, {})[name] = target

    def resolve(self, raw: str, scope: str = "") -> str:
        return self._resolve(raw, scope, 0)

    def _resolve(self, raw: str, scope: str, depth: int) -> str:
        if not raw or depth > MAX_DEPTH:
            return raw
        parts = raw.split(".")
        if len(parts) > MAX_PARTS:
            return raw  # the extractors never produce such names; stay linear regardless
        chain = scope_chain(scope)
        for cut in range(len(parts), 0, -1):
            head = ".".join(parts[:cut])
            for candidate in chain:
                table = self._scopes.get(candidate)
                if table is None:
                    continue
                target = table.get(head)
                if target is not None:
                    rest = parts[cut:]
                    resolved = ".".join([target, *rest]) if rest else target
                    return resolved
        return raw
