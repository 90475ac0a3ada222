"""sec.unsafe-deserialization: nothing unpickles or executes external data."""

from __future__ import annotations

import ast
import re

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ModuleFacts
from readiness.model import AntiPatternHit, Evidence, Severity
from readiness.practices.helpers import call_ev, dedupe, is_false, is_true, with_note
from readiness.practices.registry import Outcome, anti, implemented, missing, na, partial, practice
from readiness.practices.security._ast_calls import locate
from readiness.practices.security._string_flow import UPPER_NAME, constant_expr
from readiness.practices.security._untrusted_data import operator_only, untrusted_source

_PICKLE_LIKE = ("pickle.load", "pickle.loads", "pickle.Unpickler", "cPickle.load",
                "cPickle.loads", "_pickle.load", "_pickle.loads", "dill.load", "dill.loads",
                "cloudpickle.load", "cloudpickle.loads", "joblib.load",
                "sklearn.externals.joblib.load", "torch.load", "pandas.read_pickle",
                "*.read_pickle", "shelve.open", "marshal.load", "marshal.loads",
                "jsonpickle.decode", "numpy.load")
_YAML_LOADS = ("yaml.load", "yaml.load_all", "yaml.unsafe_load", "yaml.unsafe_load_all",
               "yaml.full_load", "yaml.full_load_all")
_SHELL_CALLS = ("os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput",
                "commands.getoutput", "asyncio.create_subprocess_shell")
_SUBPROCESS = ("subprocess.run", "subprocess.call", "subprocess.check_call",
               "subprocess.check_output", "subprocess.Popen")
_SAFE_PARSERS = ("json.load", "json.loads", "orjson.loads", "ujson.loads", "yaml.safe_load",
                 "yaml.safe_load_all", "ast.literal_eval", "tomllib.load", "tomllib.loads",
                 "tomli.load", "tomli.loads", "*.model_validate", "*.model_validate_json",
                 "*.parse_obj", "*.parse_raw", "skops.io.load", "safetensors.torch.load_file",
                 "safetensors.safe_open", "safetensors.torch.load",
                 "msgpack.unpackb", "msgpack.loads", "jwt.decode", "jose.jwt.decode",
                 "pandas.read_csv", "pandas.read_json", "pandas.read_parquet",
                 "pandas.read_excel", "django.core.signing.loads", "*.get_json",
                 "*.TypeAdapter().validate_python", "*.validate_json", "*.is_valid")


def _is_constant_text(facts: RepoFacts, module: ModuleFacts, call: Call) -> bool:
    """True when the code or command passed to eval/exec/a shell is fixed text (a literal,
    a module constant, or an f-string of constants)."""
    if call.arg_kinds[:1] == ("str",):
        return True
    located = locate(facts, module, call)
    if located is None or not located.node.args:
        return bool(call.args) and bool(UPPER_NAME.fullmatch(call.args[0].split(".")[-1]))
    scope: ast.AST = located.function or located.tree
    return constant_expr(located.node.args[0], scope, located.tree)


def _pickle_findings(facts: RepoFacts) -> tuple[list[AntiPatternHit], list[Evidence],
                                                list[Evidence]]:
    """(anti-patterns, safe loads, trusted local artefact loads) for pickle-like loaders."""
    antis: list[AntiPatternHit] = []
    safe: list[Evidence] = []
    local: list[Evidence] = []
    for module, call in facts.calls(*_PICKLE_LIKE):
        ev = call_ev(facts, module, call)
        leaf = call.name.rsplit(".", 1)[-1]
        if call.name == "numpy.load" and not is_true(call.kwarg("allow_pickle")):
            continue
        if call.name == "torch.load" and is_true(call.kwarg("weights_only")):
            safe.append(with_note(ev, "torch.load(weights_only=True)"))
            continue
        source = untrusted_source(facts, module, call)
        if source:
            antis.append(anti(f"{call.name} on data that may come from outside ({source}): "
                              "unpickling runs arbitrary code (bandit B301)", ev,
                              Severity.FORCE_MISSING))
        elif call.name == "torch.load" and is_false(call.kwarg("weights_only")):
            antis.append(anti("torch.load(weights_only=False) unpickles the whole checkpoint; "
                              "weights_only=True would load the tensors safely", ev))
        elif leaf in ("loads", "Unpickler", "decode"):
            antis.append(anti(f"{call.name} on in-memory bytes of unknown origin; make sure "
                              "they can never come from a client, cache or queue", ev))
        else:
            local.append(with_note(ev, "local artefact loaded by the service itself, "
                                    "not request data"))
    return antis, safe, local


def _yaml_findings(facts: RepoFacts) -> tuple[list[AntiPatternHit], list[Evidence]]:
    antis: list[AntiPatternHit] = []
    safe: list[Evidence] = []
    for module, call in facts.calls(*_YAML_LOADS):
        ev = call_ev(facts, module, call)
        loader = call.kwarg("Loader") or (call.args[1] if len(call.args) > 1 else "")
        leaf = call.name.rsplit(".", 1)[-1]
        if leaf.startswith("full_load") or "FullLoader" in loader:
            antis.append(anti("yaml FullLoader can still build arbitrary Python objects in "
                              "old PyYAML; use yaml.safe_load", ev))
        elif "Safe" in loader or "BaseLoader" in loader:
            safe.append(with_note(ev, "yaml.load with a safe loader"))
        else:
            antis.append(anti(f"{call.name} without SafeLoader constructs arbitrary Python "
                              "objects (bandit B506)", ev, Severity.FORCE_MISSING))
    return antis, safe


def _exec_findings(facts: RepoFacts) -> tuple[list[AntiPatternHit], list[Evidence]]:
    """eval/exec and shell commands: (anti-patterns, safe subprocess calls)."""
    antis: list[AntiPatternHit] = []
    safe: list[Evidence] = []
    for module, call in facts.calls("eval", "exec", "builtins.eval", "builtins.exec"):
        if not call.args or _is_constant_text(facts, module, call):
            continue
        antis.append(_dynamic_code_hit(facts, module, call, f"{call.name}() on built code "
                                                          "(bandit B307/B102)"))
    for module, call in facts.calls(*_SHELL_CALLS, *_SUBPROCESS):
        shell = call.name in _SHELL_CALLS or is_true(call.kwarg("shell"))
        if not shell:
            if call.name in _SUBPROCESS and call.arg_kinds[:1] == ("list",):
                safe.append(call_ev(facts, module, call, note="argument list, no shell"))
            continue
        if not call.args or _is_constant_text(facts, module, call):
            continue
        antis.append(_dynamic_code_hit(facts, module, call, f"shell command built from "
                                                          f"variable data via {call.name} "
                                                          "(bandit B602/B605)"))
    return antis, safe


def _dynamic_code_hit(facts: RepoFacts, module: ModuleFacts, call: Call,
                      what: str) -> AntiPatternHit:
    ev = call_ev(facts, module, call)
    source = untrusted_source(facts, module, call)
    if source:
        return anti(f"{what} fed by {source}", ev, Severity.FORCE_MISSING)
    if operator_only(facts, module, call):
        return anti(f"{what} in an operator command-line tool, not on a request path",
                    ev, Severity.REVIEW)
    return anti(f"{what}: any variable part can carry code or shell metacharacters",
                ev, Severity.FORCE_MISSING)


def _pydantic_models(facts: RepoFacts) -> set[str]:
    """Names of classes deriving (transitively, by name) from a pydantic/SQLModel model."""

    def build() -> set[str]:
        models = {"BaseModel", "SQLModel"}
        classes = [(c.name, {b.rsplit(".", 1)[-1] for b in c.bases}) for _, c in facts.classes()]
        changed = True
        while changed:
            changed = False
            for name, bases in classes:
                if name not in models and bases & models:
                    models.add(name)
                    changed = True
        return models - {"BaseModel", "SQLModel"}

    return facts.memo("security_code.pydantic_models", build)


def _typed_bodies(facts: RepoFacts) -> list[Evidence]:
    """Route handlers whose request body is parsed into a pydantic model by the framework."""
    models = _pydantic_models(facts)
    out: list[Evidence] = []
    if not models:
        return out
    for route in facts.routes():
        for param in route.params:
            annotation = param.annotation or ""
            if set(re.findall(r"[A-Za-z_]\w*", annotation)) & models:
                out.append(facts.evidence(route.file, route.function.line if route.function
                                          else route.line,
                                          note="request body parsed as JSON into a pydantic "
                                               "model"))
                break
    return out


def _safe_parsing(facts: RepoFacts) -> list[Evidence]:
    found = [call_ev(facts, m, c, note="safe parser") for m, c in facts.calls(*_SAFE_PARSERS)
             if not (c.name.startswith("skops") and not c.has_kwarg("trusted"))]
    return dedupe([*found, *_typed_bodies(facts)])


@practice(
    "sec.unsafe-deserialization", "No unsafe deserialization/exec", priority="C", effort="L",
    applies="ALL", sources=("T10 A08", "T10 A03", "ASVS V1", "ASVS V15"),
    aliases=("deserialization", "pickle", "unsafe deserialization", "eval", "code injection",
             "command injection", "yaml.load"),
    recommendation="Parse external data with json/pydantic or `yaml.safe_load`; never "
                   "unpickle (pickle/joblib/torch.load) bytes from requests, uploads or "
                   "remote stores; use `torch.load(weights_only=True)` or safetensors/skops; "
                   "no eval/exec/shell on variable data.",
)
def check_unsafe_deserialization(facts: RepoFacts) -> Outcome:
    """External data is parsed with safe loaders; nothing unpickles or executes it.

    Why it matters:
        Unpickling (pickle, joblib, torch.load, dill) and `yaml.load` without a safe
        loader run code chosen by whoever wrote the bytes; `eval`, `exec` and shell
        commands built from variable data do the same. One such call on request
        data is remote code execution.

    What counts as evidence:
        Safe parsers on the data the service handles: json/orjson, pydantic
        validation (request bodies typed with models), `yaml.safe_load`,
        `ast.literal_eval`, `jwt.decode`, skops with `trusted=`, safetensors,
        `torch.load(weights_only=True)`, subprocess with argument lists. A model
        artefact the service loads from its own disk (joblib/pickle of a local path)
        is cited as a trusted local load, not as a problem.

    What makes it partial:
        `torch.load(weights_only=False)` on a local checkpoint, yaml FullLoader, and
        `pickle.loads` on in-memory bytes of unknown origin cap the status. Pickle-like
        loads of request, upload or remote bytes, `yaml.load` without SafeLoader, and
        eval/exec/`shell=True`/`os.system` on variable data force missing (in an
        operator-only CLI command they are reported for review).

    How to satisfy:
        Accept JSON validated by pydantic; load models with
        `torch.load(path, weights_only=True)`, safetensors or skops; use
        `yaml.safe_load`; run subprocesses with an argument list and no shell.
    """
    pickle_antis, safe_loads, local = _pickle_findings(facts)
    yaml_antis, safe_yaml = _yaml_findings(facts)
    exec_antis, argument_lists = _exec_findings(facts)
    antis = [*pickle_antis, *yaml_antis, *exec_antis]
    safe = dedupe([*safe_loads, *safe_yaml, *_safe_parsing(facts)])
    evidence = [*safe[:4], *local[:3], *argument_lists[:2]]
    forced = [a for a in antis if a.severity == Severity.FORCE_MISSING.value]
    if forced:
        return missing(f"{len(forced)} call(s) deserialise or execute data that may come from "
                       "outside.", antis)
    capped = [a for a in antis if a.severity == Severity.CAP.value]
    if not evidence and not capped:
        reviewed = [a.evidence for a in antis]
        if reviewed:
            return implemented("Nothing deserialises request data; the only dynamic code runs "
                               "in operator tools (listed for review).", reviewed[:5], antis)
        return na("The production code neither parses external data nor unpickles, "
                  "evaluates or shells out, so there is nothing to protect.")
    if capped:
        return partial(f"No request data is deserialised unsafely, but {len(capped)} load(s) "
                       "use an unsafe mode where a safe one exists.",
                       [*(a.evidence for a in capped[:4]), *evidence], antis)
    what = []
    if safe:
        what.append(f"{len(safe)} safe parsing site(s)")
    if local:
        what.append(f"{len(local)} load(s) of the service's own local artefacts")
    if argument_lists:
        what.append(f"{len(argument_lists)} subprocess call(s) without a shell")
    return implemented("Data is parsed with safe loaders and nothing deserialises request "
                       "bytes: " + ", ".join(what) + ".", evidence, antis)
