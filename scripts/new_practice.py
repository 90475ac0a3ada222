#!/usr/bin/env python3
"""Scaffold a new practice: its module, its registration and one fixture per status.

    python scripts/new_practice.py ops.changelog "Changelog kept" --priority L --effort L \\
        --applies ALL

The fixtures are written with an impossible expectation (status "todo"), so the test suite
fails until a real repository and its expected status and evidence lines are filled in:
a scaffold is a to-do list, never a passing test.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRACTICES = ROOT / "src" / "readiness" / "practices"
FIXTURES = ROOT / "tests" / "fixtures" / "practices"
PACKAGES = {"data": "data", "rel": "reliability", "scale": "scale", "sec": "security",
            "obs": "observability", "deploy": "deployment", "code": "code",
            "net": "networking", "ml": "ml", "mlh": "ml_hygiene", "ops": "operations"}

MODULE = '''"""{id}: {title}."""

from __future__ import annotations

from readiness.facts import RepoFacts
from readiness.practices.registry import Outcome, implemented, missing, practice


@practice(
    "{id}", "{title}", priority="{priority}", effort="{effort}", applies="{applies}",
    recommendation="TODO: one sentence telling the team what to do.",
    aliases=(),
)
def check_{function}(facts: RepoFacts) -> Outcome:
    """TODO: one line saying what good looks like.

    Why it matters:
        TODO

    What counts as evidence:
        TODO

    What makes it partial:
        TODO

    How to satisfy:
        TODO
    """
    hits = facts.grep(r"TODO-signal", kinds=("python",))
    if hits:
        return implemented("TODO", [facts.evidence(h.path, h.line) for h in hits[:5]])
    return missing("TODO: say what was looked for.")
'''

EXPECT = '''# Fill in: the status this repository must produce and its evidence lines.
status = "todo"
evidence = []
'''


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("id", help="catalog id, e.g. rel.timeouts")
    parser.add_argument("title", help="the desired state, e.g. 'Timeouts on outbound calls'")
    parser.add_argument("--priority", choices="CHML", default="M")
    parser.add_argument("--effort", choices="LMH", default="M")
    parser.add_argument("--applies", default="ALL", help="applicability expression")
    args = parser.parse_args(argv)
    match = re.fullmatch(r"([a-z]+)\.([a-z0-9]+(?:-[a-z0-9]+)*)", args.id)
    if not match or match.group(1) not in PACKAGES:
        print(f"error: {args.id!r} is not <category>.<kebab-name> with a known category "
              f"({', '.join(PACKAGES)})", file=sys.stderr)
        return 2
    package = PRACTICES / PACKAGES[match.group(1)]
    name = match.group(2).replace("-", "_")
    module = package / f"{name}.py"
    if module.exists() or (FIXTURES / args.id).exists():
        print(f"error: {args.id} already has a module or fixtures", file=sys.stderr)
        return 2
    module.write_text(MODULE.format(id=args.id, title=args.title, priority=args.priority,
                                    effort=args.effort, applies=args.applies, function=name),
                      encoding="utf-8")
    init = package / "__init__.py"
    text = init.read_text(encoding="utf-8")
    text = text.replace("(  # noqa: F401  (registers the practices)\n",
                        f"(  # noqa: F401  (registers the practices)\n    {name},\n", 1)
    init.write_text(text, encoding="utf-8")
    for status in ("implemented", "partial", "missing", "na"):
        case = FIXTURES / args.id / status
        (case / "repo").mkdir(parents=True)
        (case / "expect.toml").write_text(EXPECT, encoding="utf-8")
    print(f"wrote {module.relative_to(ROOT)}, registered it in {init.relative_to(ROOT)}, and "
          f"4 fixture cases under {(FIXTURES / args.id).relative_to(ROOT)}/ to fill in "
          "(sort the import list in __init__.py with `ruff check --fix`)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
