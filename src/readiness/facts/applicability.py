"""Applicability predicates of the catalog header (HTTP, DB, SQL, OUT, ML, ...).

Each predicate answers from production code and deploy files, and keeps the
``path:line`` that made it true: "n/a" is a claim too, and the report shows why a
practice applies. A small expression language (``"OUT or DB"``,
``"HTTP and not TS"``) combines them for practice metadata.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from readiness.facts.python.records import Call, ModuleFacts
    from readiness.facts.repo import RepoFacts

Result = tuple[bool, tuple[str, ...]]

HTTP_FRAMEWORKS = ("fastapi", "starlette", "flask", "django", "aiohttp.web", "tornado.web",
                   "sanic", "litestar", "falcon", "streamlit", "quart", "bottle", "pyramid",
                   "gradio", "dash", "rest_framework", "connexion", "responder", "robyn")
SQL_LIBS = ("sqlalchemy", "sqlmodel", "django.db", "psycopg", "psycopg2", "asyncpg", "pymysql",
            "MySQLdb", "mysql.connector", "aiomysql", "sqlite3", "aiosqlite", "peewee",
            "tortoise", "databases", "flask_sqlalchemy", "pony", "piccolo", "ormar", "records",
            "cx_Oracle", "oracledb", "pyodbc", "duckdb", "alembic")
NOSQL_LIBS = ("pymongo", "motor", "mongoengine", "beanie", "odmantic", "cassandra",
              "elasticsearch", "boto3.dynamodb", "pynamodb", "couchbase")
OUT_LIBS = ("requests", "httpx", "aiohttp", "urllib.request", "urllib3", "grpc", "boto3",
            "botocore", "aiobotocore", "openai", "anthropic", "litellm", "smtplib", "aiosmtplib",
            "redis", "aioredis", "google.cloud", "azure", "elasticsearch", "pymemcache",
            "emails", "sendgrid", "twilio", "slack_sdk", "stripe", "httplib2", "http.client",
            "mlflow", "kafka", "aiokafka", "confluent_kafka", "pika", "aio_pika", "nats",
            "flask_mail", "fastapi_mail", "cohere", "mistralai", "google.generativeai")
QUEUE_LIBS = ("celery", "rq", "dramatiq", "arq", "huey", "taskiq", "kombu", "pika", "aio_pika",
              "kafka", "aiokafka", "confluent_kafka", "google.cloud.pubsub", "nats", "faststream",
              "django_q", "procrastinate", "saq", "apscheduler.jobstores")
ML_LIBS = ("sklearn", "xgboost", "lightgbm", "catboost", "torch", "tensorflow", "keras",
           "statsmodels", "prophet", "fbprophet", "sktime", "darts", "transformers", "pycaret",
           "flaml", "autogluon", "h2o", "onnxruntime", "imblearn", "mlflow.sklearn",
           "mlflow.pyfunc", "sentence_transformers", "timesfm", "tabpfn", "lazypredict")
LLM_LIBS = ("openai", "anthropic", "litellm", "langchain", "langchain_core", "llama_index",
            "cohere", "mistralai", "google.generativeai", "vertexai", "ollama", "groq",
            "langgraph", "instructor", "dspy")
JWT_LIBS = ("jwt", "jose", "authlib.jose", "authlib.integrations", "flask_jwt_extended",
            "rest_framework_simplejwt", "fastapi_jwt_auth", "joserfc", "jwcrypto", "fastapi_users")
TS_LIBS = ("prophet", "fbprophet", "statsmodels.tsa", "sktime", "darts", "pmdarima",
           "neuralprophet", "tsfresh", "gluonts", "timesfm", "orbit", "pytorch_forecasting")
MODEL_FILE = re.compile(r"\.(pkl|pickle|joblib|onnx|pt|pth|h5|keras|safetensors|cbm|ubj)\b")
DB_IMAGES = re.compile(r"\b(postgres|postgis|mysql|mariadb|mongo|mongodb|cockroach|timescale|"
                       r"mssql|oracle|clickhouse)\b", re.I)
RELATIONAL_IMAGES = re.compile(r"\b(postgres|postgis|mysql|mariadb|cockroach|timescale|mssql|"
                               r"oracle)\b", re.I)
PUBLIC_PATHS = re.compile(r"^/?(api/)?(v\d+/)?(health\w*|healthz|livez|readyz|ready|ping|status|"
                          r"metrics|docs|redoc|openapi\.json|static|favicon\.ico|version)?/?$",
                          re.I)
SERVER_CMD = re.compile(r"\b(uvicorn|gunicorn|daphne|hypercorn|granian|waitress-serve|uwsgi|"
                        r"streamlit\s+run|flask\s+run|manage\.py\s+runserver|fastapi\s+run)\b")


def _loc(path: str, line: int) -> str:
    return f"{path}:{line}"


def _imports(facts: RepoFacts, libs: tuple[str, ...], limit: int = 3) -> tuple[str, ...]:
    found = facts.imports(*libs)
    return tuple(_loc(m.path, i.line) for m, i in found[:limit])


def _http(facts: RepoFacts) -> Result:
    where = _imports(facts, HTTP_FRAMEWORKS)
    if where:
        return True, where
    hits = facts.grep(SERVER_CMD, kinds=("dockerfile", "yaml", "shell", "text", "toml"), limit=3)
    return bool(hits), tuple(_loc(h.path, h.line) for h in hits)


def _routes(facts: RepoFacts) -> Result:
    routes = facts.routes()
    return bool(routes), tuple(_loc(r.file, r.line) for r in routes[:3])


def _api(facts: RepoFacts) -> Result:
    if not facts.applies("HTTP"):
        return False, ()
    json_frameworks = _imports(facts, ("fastapi", "starlette", "litestar", "rest_framework",
                                       "flask_restful", "flask_restx", "flask_smorest",
                                       "ninja", "connexion", "apiflask", "sanic"))
    if json_frameworks and facts.routes():
        return True, json_frameworks
    json_calls = facts.calls("flask.jsonify", "*.JsonResponse", "django.http.JsonResponse",
                             "aiohttp.web.json_response")
    if json_calls and facts.routes():
        return True, tuple(_loc(m.path, c.line) for m, c in json_calls[:3])
    return False, ()


def _browser(facts: RepoFacts) -> Result:
    where = _imports(facts, ("streamlit", "gradio", "dash", "flask_login", "flask_wtf",
                             "starlette.middleware.sessions", "django.contrib.sessions"))
    if where:
        return True, where
    calls = facts.calls("*.render_template", "*.TemplateResponse", "django.shortcuts.render",
                        "*.Jinja2Templates", "*.SessionMiddleware")
    if calls:
        return True, tuple(_loc(m.path, c.line) for m, c in calls[:3])
    html = facts.glob("*/templates/*.html", "templates/*.html")
    if html:
        return True, tuple(html[:3])
    frontend = [p for p in facts.glob("package.json") if p.count("/") <= 2]
    return bool(frontend), tuple(frontend[:3])


def _authn(facts: RepoFacts) -> Result:
    if not facts.applies("HTTP"):
        return False, ()
    routes = [r for r in facts.routes() if not PUBLIC_PATHS.match(r.path or "/")]
    if routes:
        return True, tuple(_loc(r.file, r.line) for r in routes[:3])
    ui = _imports(facts, ("streamlit", "gradio", "dash", "django"))
    return bool(ui), ui


_PASSWORD_FIELD = re.compile(r"(hashed_)?password(_hash|_digest)?|passwd|pwd_hash", re.I)


def _users(facts: RepoFacts) -> Result:
    where = _imports(facts, ("django.contrib.auth", "flask_login", "fastapi_users",
                             "flask_security", "flask_user", "allauth"))
    if where:
        return True, where
    for module, assign in facts.assigns(_PASSWORD_FIELD):
        if assign.class_name:
            return True, (_loc(module.path, assign.line),)
    for route in facts.routes():
        if re.search(r"login|signup|register|token|sign-in|signin", route.path, re.I):
            return True, (_loc(route.file, route.line),)
    return False, ()


def _db(facts: RepoFacts) -> Result:
    where = _imports(facts, SQL_LIBS + NOSQL_LIBS)
    if where:
        return True, where
    relational, where = facts.applicability["SQL"]
    if relational:
        return True, where  # a relational database is a database (e.g. Django settings only)
    return _db_service(facts, DB_IMAGES)


def _db_service(facts: RepoFacts, images: re.Pattern[str]) -> Result:
    for path, _name, service in facts.compose_services():
        image = str(service.get("image", ""))
        if images.search(image):
            return True, (_loc(path, service.line_of("image")),)
    return False, ()


def _sql(facts: RepoFacts) -> Result:
    where = _imports(facts, SQL_LIBS)
    if where:
        return True, where
    django = facts.grep(r"django\.db\.backends\.(postgresql|mysql|sqlite3|oracle)",
                        kinds=("python",), limit=1)
    if django:
        return True, (_loc(django[0].path, django[0].line),)
    return _db_service(facts, RELATIONAL_IMAGES)


def _out(facts: RepoFacts) -> Result:
    return _lib_result(facts, OUT_LIBS)


def _lib_result(facts: RepoFacts, libs: tuple[str, ...]) -> Result:
    where = _imports(facts, libs)
    return bool(where), where


def _queue(facts: RepoFacts) -> Result:
    where = _imports(facts, QUEUE_LIBS)
    if where:
        return True, where
    sqs = facts.grep(r"client\(\s*[\"']sqs[\"']", kinds=("python",), limit=1)
    return bool(sqs), tuple(_loc(h.path, h.line) for h in sqs)


def _upload(facts: RepoFacts) -> Result:
    for module, function in facts.functions():
        for param in function.params:
            if param.annotation and re.search(r"\bUploadFile\b", param.annotation):
                return True, (_loc(module.path, function.line),)
    calls = facts.calls("*.file_uploader", "*.FileField", "*.FileStorage")
    if calls:
        return True, (_loc(calls[0][0].path, calls[0][1].line),)
    hits = facts.grep(r"request\.files\b|request\.FILES\b", kinds=("python",), limit=1)
    return bool(hits), tuple(_loc(h.path, h.line) for h in hits)


def _container(facts: RepoFacts) -> Result:
    files = [d.path for d in facts.dockerfiles()]
    return bool(files), tuple(f"{p}:1" for p in files[:3])


def _k8s(facts: RepoFacts) -> Result:
    objects = facts.k8s_objects("Deployment", "StatefulSet", "DaemonSet", "Rollout")
    if objects:
        return True, tuple(_loc(o.path, o.line) for o in objects[:3])
    charts = facts.glob("Chart.yaml")
    if charts:
        return True, tuple(f"{p}:1" for p in charts[:3])
    helm = facts.grep(r"^kind:\s*(Deployment|StatefulSet)\b", kinds=("yaml",), flags=re.M,
                      limit=1)
    return bool(helm), tuple(_loc(h.path, h.line) for h in helm)


def _deployed(facts: RepoFacts) -> Result:
    for name in ("CONT", "K8S"):
        value, where = facts.applicability.get(name, (False, ()))
        if value:
            return True, where
    compose = facts.compose_services()
    if compose:
        return True, (_loc(compose[0][0], compose[0][2].line),)
    other = facts.glob("Procfile", "*.tf", "app.yaml", "fly.toml", "render.yaml", "serverless.yml",
                       "template.yaml", "kustomization.yaml", "vercel.json", "railway.json",
                       "heroku.yml", "app.json", "Pulumi.yaml", "cdk.json", "zappa_settings.json")
    return bool(other), tuple(f"{p}:1" for p in other[:3])


def _multi(facts: RepoFacts) -> Result:
    dirs = {d.path.rsplit("/", 1)[0] if "/" in d.path else "." for d in facts.dockerfiles()}
    if len(dirs) >= 2:
        return True, tuple(sorted(d.path for d in facts.dockerfiles())[:3])
    built = [(p, n, s) for p, n, s in facts.compose_services() if "build" in s]
    if len({n for _, n, _ in built}) >= 2:
        return True, tuple(_loc(p, s.line) for p, _, s in built[:3])
    deployments = {o.name for o in facts.k8s_objects("Deployment", "StatefulSet")}
    if len(deployments) >= 2:
        objs = facts.k8s_objects("Deployment", "StatefulSet")
        return True, tuple(_loc(o.path, o.line) for o in objs[:3])
    return False, ()


_PII_FIELD = re.compile(r"(email|e_mail|phone|phone_number|mobile|dob|date_of_birth|birth_date|"
                        r"ssn|social_security\w*|address|street|postcode|zip_code|national_id|"
                        r"first_name|last_name|full_name)", re.I)
_PII_ENTITY = re.compile(r"(Student|Patient|Customer|Client|Employee|Member|Person|Learner)s?\b")


def _pii(facts: RepoFacts) -> Result:
    for module, assign in facts.assigns(_PII_FIELD):
        if assign.class_name:
            return True, (_loc(module.path, assign.line),)
    for module, cls in facts.classes():
        if _PII_ENTITY.fullmatch(cls.name):
            return True, (_loc(module.path, cls.line),)
    docs = facts.grep(r"\b(FERPA|HIPAA|GDPR|PII|personally identifiable)\b",
                      kinds=("markdown",), production=None, limit=1)
    return bool(docs), tuple(_loc(h.path, h.line) for h in docs)


def _ml(facts: RepoFacts) -> Result:
    where = _imports(facts, ML_LIBS)
    if where:
        return True, where
    loads = [(m, c) for m, c in facts.calls("joblib.load", "pickle.load", "torch.load",
                                             "*.load_model", "onnxruntime.InferenceSession")
             if any(MODEL_FILE.search(a) for a in c.args) or c.name.endswith("load_model")]
    if not loads:
        loads = _artefact_loads(facts)
    return bool(loads), tuple(_loc(m.path, c.line) for m, c in loads[:3])


def _artefact_loads(facts: RepoFacts) -> list[tuple[ModuleFacts, Call]]:
    """Loads whose path is a variable, in a tree that ships model artefacts (``*.joblib``,
    ``*.pkl``, ...): a service serving a model it does not train."""
    artefacts = [p for p in facts.glob("*.pkl", "*.pickle", "*.joblib", "*.onnx", "*.pt",
                                       "*.pth", "*.h5", "*.keras", "*.safetensors", "*.cbm",
                                       "*.ubj")]
    if not artefacts:
        return []
    return facts.calls("joblib.load", "pickle.load", "torch.load", "onnxruntime.InferenceSession")


_PREDICT = ("*.predict", "*.predict_proba", "*.predict_log_proba", "*.decision_function",
            "*.generate", "*.forward", "*.inference", "*.infer")


def _mls(facts: RepoFacts) -> Result:
    if not facts.applies("ML"):
        return False, ()
    serving = facts.applies("HTTP") or facts.applies("Q")
    if not serving:
        return False, ()
    calls = [(m, c) for m, c in facts.calls(*_PREDICT)
             if not re.search(r"(^|/)(train|training|notebooks?|scripts?)[/_.]", m.path)]
    return bool(calls), tuple(_loc(m.path, c.line) for m, c in calls[:3])


_FIT = ("*.fit", "*.fit_transform", "*.train", "*.partial_fit", "*.fit_resample",
        "*.compare_models", "*.backward", "*.train_model")


def _training_modules(facts: RepoFacts) -> list[tuple[str, int]]:
    found = []
    ml_paths = {m.path for m, _ in facts.imports(*ML_LIBS)}
    for module, call in facts.calls(*_FIT):
        if module.path in ml_paths:
            found.append((module.path, call.line))
    return found


def _mlt(facts: RepoFacts) -> Result:
    found = _training_modules(facts)
    if found:
        return True, tuple(_loc(p, line) for p, line in found[:3])
    for path, module in facts.notebooks.items():
        if facts.role(path) == "vendor":
            continue
        for call in module.calls:
            if call.leaf in ("fit", "fit_transform", "train"):
                return True, (_loc(path, call.line),)
    return False, ()


_CLASSIFIER = re.compile(r"(Classifier|LogisticRegression|SVC|NaiveBayes|GaussianNB|"
                         r"classification_report|accuracy_score|roc_auc_score|f1_score|"
                         r"confusion_matrix|precision_score|recall_score|binary:logistic|"
                         r"multi:softprob|BCELoss|CrossEntropyLoss|classify|"
                         r"BCEWithLogitsLoss|NLLLoss|categorical_crossentropy|"
                         r"binary_crossentropy)")


def _clf(facts: RepoFacts) -> Result:
    if not facts.applies("MLT"):
        return False, ()
    hits = facts.grep(_CLASSIFIER, kinds=("python",), limit=1)
    if not hits:
        hits = [h for h in facts.grep(_CLASSIFIER, kinds=("notebook",), limit=1)]
    return bool(hits), tuple(_loc(h.path, h.line) for h in hits)


def _ts(facts: RepoFacts) -> Result:
    where = _imports(facts, TS_LIBS)
    if where:
        return True, where
    calls = facts.calls("*.TimeSeriesSplit")
    return bool(calls), tuple(_loc(m.path, c.line) for m, c in calls[:3])


def _tenant(facts: RepoFacts) -> Result:
    for module, assign in facts.assigns(re.compile(r"(tenant|org|organization|institution)_id")):
        if assign.class_name:
            return True, (_loc(module.path, assign.line),)
    for module, cls in facts.classes():
        if cls.name in ("Tenant", "Organization", "Organisation", "Institution"):
            return True, (_loc(module.path, cls.line),)
    return False, ()


def _webhook(facts: RepoFacts) -> Result:
    routes = [r for r in facts.routes() if "webhook" in r.path.lower()]
    return bool(routes), tuple(_loc(r.file, r.line) for r in routes[:3])


def _ci(facts: RepoFacts) -> Result:
    files = facts.ci_files()
    return bool(files), tuple(f"{p}:1" for p in files[:3])


def _cors(facts: RepoFacts) -> Result:
    calls = facts.calls("*.CORSMiddleware", "*.CORS", "flask_cors.cross_origin",
                        "*.add_middleware", "*.Middleware")
    calls = [(m, c) for m, c in calls if "CORS" in c.name or any("CORS" in a for a in c.args)]
    if calls:
        return True, tuple(_loc(m.path, c.line) for m, c in calls[:3])
    settings = facts.grep(r"\bCORS_(ALLOWED_ORIGINS|ORIGIN_ALLOW_ALL|ALLOW_ALL_ORIGINS|"
                          r"ORIGIN_WHITELIST|ALLOWED_ORIGIN_REGEXES)\b|corsheaders|"
                          r"Access-Control-Allow-Origin|enableCORS",
                          kinds=("python", "nginx", "toml", "yaml"), limit=3)
    return bool(settings), tuple(_loc(h.path, h.line) for h in settings)


def _streamlit(facts: RepoFacts) -> Result:
    return _lib_result(facts, ("streamlit",))


PREDICATES: dict[str, Callable[[RepoFacts], Result]] = {
    "ALL": lambda facts: (True, ()),
    "HTTP": _http,
    "ROUTES": _routes,
    "API": _api,
    "BROWSER": _browser,
    "AUTHN": _authn,
    "USERS": _users,
    "DB": _db,
    "SQL": _sql,
    "OUT": _out,
    "Q": _queue,
    "UP": _upload,
    "CONT": _container,
    "K8S": _k8s,
    "DEPLOYED": _deployed,
    "MULTI": _multi,
    "PII": _pii,
    "ML": _ml,
    "MLS": _mls,
    "MLT": _mlt,
    "CLF": _clf,
    "TS": _ts,
    "LLM": lambda facts: _lib_result(facts, LLM_LIBS),
    "JWT": lambda facts: _lib_result(facts, JWT_LIBS),
    "TENANT": _tenant,
    "WEBHOOK": _webhook,
    "CI": _ci,
    "CORS": _cors,
    "STREAMLIT": _streamlit,
}


class _Lazy(dict[str, Result]):
    """Computes a predicate on first use, so predicates may depend on each other."""

    def __init__(self, facts: RepoFacts) -> None:
        super().__init__()
        self._facts = facts

    def __missing__(self, key: str) -> Result:
        function = PREDICATES.get(key)
        if function is None:
            raise KeyError(f"unknown applicability predicate {key!r}")
        self[key] = (False, ())  # guards against cycles
        try:
            value = function(self._facts)
        except BaseException:
            del self[key]  # never leave the guard behind: a failure must stay visible
            raise
        self[key] = value
        return value

    def get(self, key: str, default: Result | None = None) -> Result:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default if default is not None else (False, ())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in PREDICATES


def compute(facts: RepoFacts) -> dict[str, Result]:
    return _Lazy(facts)


_TOKEN = re.compile(r"\(|\)|\band\b|\bor\b|\bnot\b|[A-Z][A-Z0-9_]*")


def evaluate(expression: str, facts: RepoFacts) -> bool:
    """Evaluate ``"OUT or DB"``-style expressions over the predicates (no ``eval``)."""
    tokens = _TOKEN.findall(expression)
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        token: str = tokens[position]
        position += 1
        return token

    def parse_or() -> bool:
        value = parse_and()
        while peek() == "or":
            take()
            right = parse_and()
            value = value or right
        return value

    def parse_and() -> bool:
        value = parse_not()
        while peek() == "and":
            take()
            right = parse_not()
            value = value and right
        return value

    def parse_not() -> bool:
        if peek() == "not":
            take()
            return not parse_not()
        if peek() == "(":
            take()
            value = parse_or()
            if peek() == ")":
                take()
            return value
        token = take()
        return facts.applies(token)

    if not tokens:
        return True
    return parse_or()


def predicate_names(expression: str) -> list[str]:
    return [t for t in _TOKEN.findall(expression) if t not in ("(", ")", "and", "or", "not")]
