"""Bad input is normal input: each problem file is listed under `skipped` with its reason,
and the rest of the tree is still assessed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from readiness.config import Settings
from readiness.engine import assess
from tests.conftest import facts_for

GOOD_APP = """
import requests
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health():
    return {"status": "ok"}


def fetch(url):
    return requests.get(url, timeout=5)
"""


def _reasons(facts) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {s.path: s.reason for s in facts.skipped}


def test_python2_file_is_skipped_with_reason_and_the_rest_assessed(make_repo) -> None:
    root = make_repo({
        "legacy/old.py": 'print "hello"\nexcept_value = 1\n',
        "app/main.py": GOOD_APP,
    })
    facts = facts_for(root)
    reasons = _reasons(facts)
    assert "legacy/old.py" in reasons
    assert "Python 2?" in reasons["legacy/old.py"]
    assert any(c.name == "requests.get" for c in facts.python["app/main.py"].calls)


def test_syntax_error_in_one_place_still_yields_facts(make_repo) -> None:
    broken = "\ndef broken(:\n    pass\n\ndef after():\n    return requests.post('u', timeout=3)\n"
    root = make_repo({"app/main.py": GOOD_APP + broken})
    facts = facts_for(root)
    skipped = {s.path: s for s in facts.skipped}
    assert skipped["app/main.py"].partial_facts is True
    names = {c.name for c in facts.python["app/main.py"].calls}
    assert {"requests.get", "requests.post"} <= names


@pytest.mark.parametrize("source", [
    "def first[T](items: list[T]) -> T:\n    return items[0]\n",
    "type Pair[T] = tuple[T, T]\n",
    "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
    "x = f'{\"nested\" + f\"{1}\"}'\n",
])
def test_newer_python_syntax_is_read_by_the_tolerant_parser(make_repo, source: str) -> None:
    """Code for a newer Python than ours yields facts and is not reported as skipped."""
    root = make_repo({"app/new.py": "import requests\n\n" + source +
                      "\nrequests.get('https://x', timeout=2)\n"})
    facts = facts_for(root)
    module = facts.python["app/new.py"]
    assert module.parser in ("ast", "tree-sitter")
    assert any(c.name == "requests.get" for c in module.calls)
    assert "app/new.py" not in _reasons(facts)


def test_pep758_file_parses_with_fallback(make_repo) -> None:
    root = make_repo({"deps.py": "import jwt\n\ndef user(token):\n    try:\n"
                                 "        return jwt.decode(token, 'k', algorithms=['HS256'])\n"
                                 "    except ValueError, TypeError:\n        raise\n"})
    facts = facts_for(root)
    module = facts.python["deps.py"]
    assert module.parser == "tree-sitter"
    assert [c.name for c in module.calls] == ["jwt.decode"]
    assert module.excepts[0].types == ("ValueError", "TypeError")
    assert "deps.py" in facts.stats["tree_sitter_files"]


def test_binary_file_is_skipped(make_repo) -> None:
    root = make_repo({"app/blob.py": b"\x00\x01\x02binary", "app/main.py": GOOD_APP})
    assert _reasons(facts_for(root))["app/blob.py"] == "binary file"


def test_file_over_size_cap_is_skipped(make_repo) -> None:
    root = make_repo({"app/big.py": "x = 1\n" * 2000, "app/main.py": GOOD_APP})
    facts = facts_for(root, max_file_bytes=4096)
    assert "size cap" in _reasons(facts)["app/big.py"]
    assert "app/main.py" in facts.python


def test_non_utf8_text_is_skipped(make_repo) -> None:
    root = make_repo({"app/latin.py": "name = 'caf\xe9'\n".encode("latin-1"),
                      "app/main.py": GOOD_APP})
    assert "not UTF-8" in _reasons(facts_for(root))["app/latin.py"]


def test_declared_source_encoding_is_honoured(make_repo) -> None:
    root = make_repo({"app/latin.py": "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n"
                      .encode("latin-1")})
    facts = facts_for(root)
    assert "app/latin.py" in facts.python


def test_symlink_leaving_the_root_is_skipped(make_repo, tmp_path: Path) -> None:
    outside = tmp_path / "secret.py"
    outside.write_text("API_KEY = 'x'\n")
    root = make_repo({"app/main.py": GOOD_APP})
    os.symlink(outside, root / "app" / "escape.py")
    facts = facts_for(root)
    assert _reasons(facts)["app/escape.py"] == "symlink points outside the assessed tree"
    assert "app/escape.py" not in facts.python


def test_symlink_loop_is_skipped(make_repo) -> None:
    root = make_repo({"app/main.py": GOOD_APP})
    os.symlink(root / "app" / "b.py", root / "app" / "a.py")
    os.symlink(root / "app" / "a.py", root / "app" / "b.py")
    reasons = _reasons(facts_for(root))
    assert reasons["app/a.py"] in ("symlink loop", "broken symlink")


def test_directory_symlink_is_not_followed(make_repo) -> None:
    root = make_repo({"app/main.py": GOOD_APP})
    os.symlink(root, root / "app" / "loop")
    facts = facts_for(root)
    assert "not followed" in _reasons(facts)["app/loop"]
    assert list(facts.python) == ["app/main.py"]


def test_inner_symlink_to_a_file_is_read(make_repo) -> None:
    root = make_repo({"app/main.py": GOOD_APP})
    os.symlink(root / "app" / "main.py", root / "alias.py")
    assert "alias.py" in facts_for(root).python


def test_yaml_alias_bomb_is_refused(make_repo) -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghij":
        bomb += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    root = make_repo({"deploy/bomb.yaml": bomb, "app/main.py": GOOD_APP})
    reason = _reasons(facts_for(root))["deploy/bomb.yaml"]
    assert "alias bomb" in reason


def test_yaml_recursive_alias_and_deep_nesting_are_refused(make_repo) -> None:
    deep = "".join("  " * i + "k:\n" for i in range(400)) + "  " * 400 + "v\n"
    root = make_repo({"a.yaml": "a: &a\n  b: *a\n", "b.yaml": deep,
                      "c.yaml": "x: " + "[" * 5000 + "]" * 5000 + "\n"})
    reasons = _reasons(facts_for(root))
    assert "recursive" in reasons["a.yaml"]
    assert "deeper" in reasons["b.yaml"]
    assert "deeper" in reasons["c.yaml"]


def test_yaml_python_tags_are_never_constructed(make_repo, tmp_path: Path) -> None:
    marker = tmp_path / "yaml-marker"
    root = make_repo({"ci.yaml": f"a: !!python/object/apply:os.system ['touch {marker}']\n"})
    facts = facts_for(root)
    assert not marker.exists()
    assert facts.yaml_docs["ci.yaml"][0]["a"] == [f"touch {marker}"]


def test_invalid_yaml_and_toml_are_reported(make_repo) -> None:
    root = make_repo({"broken.yaml": "a: [1, 2\n", "pyproject.toml": "[project\nname = 1\n"})
    reasons = _reasons(facts_for(root))
    assert reasons["broken.yaml"].startswith("invalid YAML")
    assert reasons["pyproject.toml"].startswith("invalid TOML")


def test_hundred_thousand_level_nested_expression_does_not_crash(make_repo) -> None:
    deep = "x = " + "(" * 100_000 + "1" + ")" * 100_000 + "\n"
    root = make_repo({"app/deep.py": deep, "app/main.py": GOOD_APP})
    facts = facts_for(root, max_file_bytes=1_000_000)
    assert "app/main.py" in facts.python
    # either recovered by the tolerant parser or listed with its reason: never a crash
    assert "app/deep.py" in facts.python or "app/deep.py" in _reasons(facts)


def test_whole_assessment_completes_over_a_hostile_tree(make_repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("x = 1\n")
    root = make_repo({
        "app/main.py": GOOD_APP,
        "legacy/old.py": 'print "hi"\n',
        "bin/tool.py": b"\x00ELF",
        "deploy/bomb.yaml": "a: &a [*a]\n",
        "notes.md": "# notes\n",
        "Dockerfile": "FROM python:3.12-slim\nCMD [\"uvicorn\", \"app.main:app\"]\n",
    })
    os.symlink(outside, root / "escape.py")
    assessment = assess(root, Settings(cache=False, progress=False))
    paths = {s.path for s in assessment.skipped}
    assert {"legacy/old.py", "bin/tool.py", "deploy/bomb.yaml", "escape.py"} <= paths
    liveness = assessment.finding("rel.health-liveness")
    assert liveness.status.value == "implemented"


def test_gitignored_files_are_not_assessed(make_repo) -> None:
    root = make_repo({".gitignore": "generated/\n*.tmp.py\n", "generated/x.py": "import os\n",
                      "a.tmp.py": "import os\n", "app/main.py": GOOD_APP})
    facts = facts_for(root)
    assert list(facts.python) == ["app/main.py"]
    assert facts.stats["files_ignored"] == 2


def test_file_limit_is_reported(make_repo) -> None:
    root = make_repo({f"pkg/m{i}.py": "x = 1\n" for i in range(20)})
    facts = facts_for(root, max_files=5)
    assert len(facts.python) == 5
    assert any("file limit" in s.reason for s in facts.skipped)


def test_very_long_dotted_name_stays_linear(make_repo) -> None:
    """A 100,000-part attribute chain (hostile input under the size cap) completes."""
    import subprocess
    import sys

    root = make_repo({"app/long.py": "x = a" + ".b" * 100_000 + "()\n", "app/main.py": GOOD_APP})
    result = subprocess.run([sys.executable, "-m", "readiness", "assess", str(root), "-f", "json",
                             "--no-progress", "--no-cache"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr


def test_hostile_git_metadata_is_ignored(make_repo) -> None:
    """A FIFO or a link to a device as .git/HEAD neither hangs nor exhausts readiness."""
    from readiness.engine import git_commit

    root = make_repo({"app/main.py": GOOD_APP})
    (root / ".git").mkdir()
    os.mkfifo(root / ".git" / "HEAD")
    assert git_commit(root) is None
    (root / ".git" / "HEAD").unlink()
    os.symlink("/dev/zero", root / ".git" / "HEAD")
    assert git_commit(root) is None
    (root / ".git" / "HEAD").unlink()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / ".git" / "refs" / "heads").mkdir(parents=True)
    (root / ".git" / "refs" / "heads" / "main").write_text("a" * 40 + "\n")
    assert git_commit(root) == "a" * 40


def test_yaml_quoting_template_braces_is_still_parsed(make_repo) -> None:
    """A compose file whose healthcheck quotes a Go template is valid YAML: it is parsed."""
    compose = ("services:\n  db:\n    image: postgres:16\n    healthcheck:\n"
               "      test: [\"CMD-SHELL\",\n"
               "             \"docker inspect --format '{{.State.Health.Status}}' db\"]\n")
    root = make_repo({"docker-compose.yml": compose, "charts/app/templates/deploy.yaml":
                      "kind: Deployment\nreplicas: {{ .Values.replicas }}\n",
                      "ansible/site.yml": "- hosts: {{ group }}\n  tasks: [\n"})
    facts = facts_for(root)
    assert "docker-compose.yml" in facts.yaml_docs
    assert facts.applies("DB")
    assert "charts/app/templates/deploy.yaml" not in {s.path for s in facts.skipped}
    assert "read as text only" in {s.path: s.reason for s in facts.skipped}["ansible/site.yml"]


def test_evidence_lines_match_python_numbering_with_form_feeds(make_repo) -> None:
    """A form feed is not a line break for Python: evidence snippets stay on the right line."""
    source = "import requests\n\x0c\ndef fetch(url):\n    return requests.get(url)\n"
    root = make_repo({"app/client.py": source})
    facts = facts_for(root)
    call = next(c for c in facts.python["app/client.py"].calls if c.name == "requests.get")
    assert facts.line("app/client.py", call.line) == "return requests.get(url)"
    hit = facts.grep(r"requests\.get")[0]
    assert hit.line == call.line
