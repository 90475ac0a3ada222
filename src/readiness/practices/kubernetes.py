"""The pod spec and main containers of a Kubernetes workload, whatever its kind."""

from __future__ import annotations

from collections.abc import Iterator

from readiness.facts import K8sObject
from readiness.facts.yaml_facts import YList, YMap


def pod_containers(obj: K8sObject) -> Iterator[YMap]:
    """The (main, not init) containers of a workload's pod template."""
    spec = pod_spec(obj)
    items = spec.get("containers") if spec is not None else None
    if isinstance(items, YList):
        yield from (item for item in items if isinstance(item, YMap))


def pod_spec(obj: K8sObject) -> YMap | None:
    """The pod spec of a workload (Deployment, StatefulSet, Job, CronJob, Pod...)."""
    node: object = obj.doc.get("spec")
    if obj.kind == "CronJob" and isinstance(node, YMap):
        node = node.get("jobTemplate")
        node = node.get("spec") if isinstance(node, YMap) else None
    if obj.kind == "Pod":
        return node if isinstance(node, YMap) else None
    if isinstance(node, YMap):
        template = node.get("template")
        if isinstance(template, YMap):
            spec = template.get("spec")
            return spec if isinstance(spec, YMap) else None
    return None
