"""Rendering a Kustomization as `kubectl apply -k` would, and validating what comes out.

Rendering: `kubectl kustomize` (Kustomize built into kubectl) where kubectl is installed,
as on this project's machines; elsewhere a renderer of the few features our
kustomizations use (resources, namespace, images), checked against kubectl's output
where both exist.

Validation: built-in kinds against the Kubernetes OpenAPI schemas shipped by the PyPI
package kubernetes-validate (strict: unknown fields are errors); Strimzi's and the
Prometheus Operator's kinds against their CustomResourceDefinitions, vendored unchanged in
deploy/schemas/crds/, made strict the same way.
"""
from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml

REPO = Path(__file__).resolve().parents[2]
CRDS = REPO / "deploy" / "schemas" / "crds"
KUBERNETES_VERSION = "1.33"
CLUSTER_SCOPED = {"Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"}


def render(folder: Path) -> list[dict]:
    if shutil.which("kubectl"):
        return render_with_kubectl(folder)
    return render_ourselves(folder)


def render_with_kubectl(folder: Path) -> list[dict]:
    built = subprocess.run(["kubectl", "kustomize", str(folder)], capture_output=True, text=True,
                           timeout=120, check=True)
    return [doc for doc in yaml.safe_load_all(built.stdout) if doc]


def render_ourselves(folder: Path) -> list[dict]:
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    documents = []
    for resource in kustomization.get("resources", []):
        path = folder / resource
        if path.is_dir():
            documents += render_ourselves(path)
        else:
            documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    for doc in documents:
        if "namespace" in kustomization and doc["kind"] not in CLUSTER_SCOPED:
            doc["metadata"]["namespace"] = kustomization["namespace"]
        for image in kustomization.get("images", []):
            for container in _containers(doc):
                if container["image"].split(":")[0] == image["name"]:
                    container["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"
    return documents


def _containers(doc: dict) -> list[dict]:
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    return spec.get("containers", []) + spec.get("initContainers", [])


@cache
def crd_schemas() -> dict[tuple[str, str], dict]:
    """(apiVersion, kind) -> the strict JSON schema of every vendored CRD's served versions."""
    schemas = {}
    for path in sorted(CRDS.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        for version in crd["spec"]["versions"]:
            if version.get("served"):
                key = (f"{crd['spec']['group']}/{version['name']}", crd["spec"]["names"]["kind"])
                schemas[key] = strict(version["schema"]["openAPIV3Schema"])
    return schemas


def strict(schema):
    """An object schema that lists its properties allows no others (as the API server's
    field validation does), unless Kubernetes says unknown fields are kept there."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: strict(value) for key, value in schema.items()}
    if ("properties" in schema and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")):
        result["additionalProperties"] = False
    return result


def validate(doc: dict) -> None:
    """Raise if `doc` is not a valid resource of its kind."""
    key = (doc["apiVersion"], doc["kind"])
    if key in crd_schemas():
        jsonschema.Draft7Validator(crd_schemas()[key]).validate(doc)
        _validate_object_meta(doc["metadata"])
    else:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def _validate_object_meta(metadata: dict) -> None:
    probe = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata}
    kubernetes_validate.validate(probe, KUBERNETES_VERSION, strict=True)
