"""Which containers run the application, and the text of a command value."""

from __future__ import annotations

import re

from readiness.facts.yaml_facts import YMap

_DB_IMAGE = re.compile(r"\b(postgres|postgis|pgvector|timescale|mysql|mariadb|mongo|redis|"
                       r"valkey|memcached|rabbitmq|kafka|zookeeper|elasticsearch|opensearch|"
                       r"minio|cockroach|clickhouse|neo4j|qdrant|weaviate|milvus|chroma|"
                       r"nats)\b", re.I)


def is_app_container(container: YMap) -> bool:
    """A container running the project's code, not a database, cache or broker image."""
    return not _DB_IMAGE.search(str(container.get("image", "")))


def command_of(value: object) -> str:
    """The text of a compose/Kubernetes value written as a string or a list of words."""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value or "")
