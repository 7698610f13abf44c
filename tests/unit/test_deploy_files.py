"""The deploy files say what the code says: the KafkaTopics are contracts/topics.py's, each
KafkaUser's ACLs are what huisacademie/stack/acls.py grants its service, every service has
its Deployment (with its probes), Service and PodDisruptionBudget and its place in the
compose file, and the alerts name the metrics' own labels. And the offline validation of
`make lint` (deploy/validate.py) refuses a broken manifest, compose file or Dockerfile."""

import copy
import re
from pathlib import Path
from typing import Any

import prometheus_client
import pytest
import yaml
from confluent_kafka.admin import AclOperation, ResourceType

from contracts.topics import all_topics, dead_letter
from deploy import validate
from huisacademie.serve import SERVICES as DEFINITIONS
from huisacademie.stack.acls import service_grants
from huisacademie.stack.layout import SERVICES
from huisacademie.stack.topics import DEAD_LETTER_RETENTION
from services.shared import metrics

pytestmark = pytest.mark.unit

Document = dict[str, Any]
RENDERED = validate.render(validate.KUSTOMIZATION)
COMPOSE: Document = yaml.safe_load(validate.COMPOSE.read_text())
PORT = 8000
"""Every service's port in its container (deploy/container/Dockerfile)."""


def of_kind(kind: str) -> dict[str, Document]:
    return {d["metadata"]["name"]: d for d in RENDERED if d["kind"] == kind}


def container(deployment: Document) -> Document:
    containers: list[Document] = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def test_the_kafka_topics_are_those_of_the_contracts() -> None:
    topics = [t["spec"] for t in of_kind("KafkaTopic").values()]
    assert sorted((t["topicName"], t["partitions"]) for t in topics) == sorted(all_topics())
    kept = int(DEAD_LETTER_RETENTION.total_seconds() * 1000)
    for t in topics:
        assert t["replicas"] == 3
        assert t["config"]["min.insync.replicas"] == 2
        assert t["config"]["unclean.leader.election.enable"] is False
        dlt = t["topicName"].endswith(dead_letter(""))
        assert t["config"]["retention.ms"] == (kept if dlt else -1), t["topicName"]


OPERATIONS = {
    AclOperation.READ: "Read",
    AclOperation.WRITE: "Write",
    AclOperation.DESCRIBE: "Describe",
    AclOperation.IDEMPOTENT_WRITE: "IdempotentWrite",
}
RESOURCES = {
    ResourceType.TOPIC: "topic",
    ResourceType.GROUP: "group",
    ResourceType.BROKER: "cluster",
}

Acl = tuple[str, str | None, str, str]
"""(resource type, name, pattern type, operation), as Strimzi's KafkaUser says it."""


def granted(service: str) -> set[Acl]:
    subscriptions = [(s.group, s.topics) for s in DEFINITIONS[service].subscriptions]
    return {
        (
            RESOURCES[g.resource],
            None if g.resource is ResourceType.BROKER else g.name,
            "prefix" if g.prefixed else "literal",
            OPERATIONS[operation],
        )
        for g in service_grants(service, subscriptions)
        for operation in g.operations
    }


def declared(user: Document) -> set[Acl]:
    assert user["spec"]["authorization"]["type"] == "simple"
    acls = set()
    for acl in user["spec"]["authorization"]["acls"]:
        assert acl.get("type", "allow") == "allow" and acl.get("host", "*") == "*"
        resource = acl["resource"]
        name = resource.get("name")
        pattern = resource.get("patternType", "literal") if name is not None else "literal"
        acls |= {(resource["type"], name, pattern, op) for op in acl["operations"]}
    return acls


@pytest.mark.parametrize("service", SERVICES)
def test_each_kafka_user_is_granted_what_acls_py_grants_its_service(service: str) -> None:
    user = of_kind("KafkaUser")[service]
    assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
    assert declared(user) == granted(service)


def test_the_kafka_cluster_replicates_and_authorises() -> None:
    (pool,) = of_kind("KafkaNodePool").values()
    assert pool["spec"]["replicas"] == 3
    assert sorted(pool["spec"]["roles"]) == ["broker", "controller"]
    (kafka,) = of_kind("Kafka").values()
    assert kafka["metadata"]["annotations"] == {
        "strimzi.io/kraft": "enabled",
        "strimzi.io/node-pools": "enabled",
    }
    spec = kafka["spec"]["kafka"]
    assert [(lst["tls"], lst["authentication"]["type"]) for lst in spec["listeners"]] == [
        (True, "scram-sha-512")
    ]
    assert spec["authorization"]["type"] == "simple"
    assert spec["config"]["min.insync.replicas"] == 2
    assert spec["config"]["default.replication.factor"] == 3
    assert spec["config"]["unclean.leader.election.enable"] is False
    assert spec["config"]["auto.create.topics.enable"] is False
    everyone = {pool["metadata"]["labels"]["strimzi.io/cluster"]}
    for kind in ("KafkaTopic", "KafkaUser"):
        everyone |= {d["metadata"]["labels"]["strimzi.io/cluster"] for d in of_kind(kind).values()}
    assert everyone == {kafka["metadata"]["name"]}


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_a_deployment_with_its_probes_a_service_and_a_budget(
    service: str,
) -> None:
    deployment = of_kind("Deployment")[service]
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    pod_labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= pod_labels.items()
    main = container(deployment)
    assert main["args"] == ["serve", service]
    assert main["ports"] == [{"name": "http", "containerPort": PORT, "protocol": "TCP"}]
    probes = {kind: main[kind]["httpGet"] for kind in ("startupProbe", "livenessProbe")}
    probes["readinessProbe"] = main["readinessProbe"]["httpGet"]
    assert probes == {
        "startupProbe": {"path": "/health/live", "port": "http"},
        "livenessProbe": {"path": "/health/live", "port": "http"},
        "readinessProbe": {"path": "/health/ready", "port": "http"},
    }
    assert set(main["resources"]) == {"requests", "limits"}
    assert main["securityContext"]["readOnlyRootFilesystem"] is True
    assert spec["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    password = {"secretKeyRef": {"name": service, "key": "password"}}  # Strimzi's Secret
    assert {"name": f"{service.upper()}_KAFKA_PASSWORD", "valueFrom": password} in main["env"]

    budget = of_kind("PodDisruptionBudget")[service]
    assert budget["spec"]["minAvailable"] == 1
    assert budget["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    ports = of_kind("Service")[service]["spec"]["ports"]
    assert [(p["port"], p["targetPort"]) for p in ports] == [(PORT, "http")]


def test_the_migration_job_migrates_with_the_same_image() -> None:
    (job,) = of_kind("Job").values()
    assert container(job)["args"] == ["migrate"]
    images = {container(d)["image"] for d in [job, *of_kind("Deployment").values()]}
    assert len(images) == 1


def test_compose_runs_every_service_the_migration_and_three_kafka_nodes() -> None:
    services: dict[str, Document] = COMPOSE["services"]
    for service in SERVICES:
        assert services[service]["command"] == ["serve", service]
        assert services[service]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert "healthcheck" in services[service]
    assert services["migrate"]["command"] == ["migrate"]
    nodes = [s for s in services.values() if str(s.get("image", "")).startswith("apache/kafka:")]
    assert len(nodes) == 3
    for name, spec in services.items():
        for needed in spec.get("depends_on", {}):
            assert needed in services, f"{name} depends on {needed}, which is not there"


def metric_labels() -> dict[str, set[str]]:
    """Each of our metrics' names (a counter's with _total) and its labels."""
    found = {}
    for value in vars(metrics).values():
        if isinstance(value, prometheus_client.metrics.MetricWrapperBase):
            suffix = "_total" if value._type == "counter" else ""
            found[value._name + suffix] = set(value._labelnames)
    return found


def test_the_alerts_use_our_metrics_and_their_labels() -> None:
    (rule,) = of_kind("PrometheusRule").values()
    alerts = {r["alert"]: r["expr"] for g in rule["spec"]["groups"] for r in g["rules"]}
    known = metric_labels()
    target = {"namespace", "pod"}  # what the ServiceMonitor's scrape adds
    for name, expr in alerts.items():
        ours = set(re.findall(r"huisacademie_[a-z_]+", expr))
        for metric in ours:
            assert metric in known, f"{name}: no metric {metric}"
        labels = {
            label.strip()
            for group in re.findall(r"by \(([^)]*)\)", expr)
            for label in group.split(",")
        }
        if ours:
            allowed = set.union(*(known[m] for m in ours)) | target
            assert labels <= allowed, f"{name}: {labels - allowed} are not labels of {ours}"
    expressions = " ".join(alerts.values())
    for concern in (
        "huisacademie_consumer_assigned_partitions",  # a consumer without partitions
        "huisacademie_consumer_lag",  # lag growing
        "kube_deployment_status_replicas_ready",  # readiness failing
    ):
        assert concern in expressions


# The validation refuses what is broken.


def deployment() -> Document:
    return copy.deepcopy(of_kind("Deployment")["catalogue"])


def test_the_deploy_files_as_committed_pass() -> None:
    assert validate.main([]) == 0


def test_a_probe_port_of_the_wrong_type_is_refused() -> None:
    broken = deployment()
    container(broken)["readinessProbe"]["httpGet"]["port"] = 8000.5
    (problem,) = {p.split(": ", 1)[1] for p in validate.check_kubernetes([broken])}
    assert problem.startswith("spec.template.spec.containers.0.readinessProbe.httpGet.port:")


def test_an_unknown_field_is_refused() -> None:
    broken = deployment()
    container(broken)["livenessProbe"]["httpGet"]["paht"] = "/health/live"
    assert validate.check_kubernetes([broken])


def test_a_topic_of_six_partitions_in_words_is_refused() -> None:
    topic = copy.deepcopy(of_kind("KafkaTopic")["catalogue.offerings"])
    topic["spec"]["partitions"] = "six"
    assert validate.check_kubernetes([topic]) == [
        "KafkaTopic catalogue.offerings: spec.partitions: 'six' is not of type 'integer'"
    ]


def test_an_acl_operation_strimzi_does_not_know_is_refused() -> None:
    user = copy.deepcopy(of_kind("KafkaUser")["portfolio"])
    user["spec"]["authorization"]["acls"][0]["operations"] = ["Wrte"]
    (problem,) = validate.check_kubernetes([user])
    assert "'Wrte' is not one of" in problem


def test_a_name_kubernetes_refuses_is_refused() -> None:
    topic = copy.deepcopy(of_kind("KafkaTopic")["portfolio.school-audits"])
    topic["metadata"]["name"] = topic["spec"]["topicName"]  # an underscore
    assert validate.check_kubernetes([topic]) == [
        "KafkaTopic portfolio.school_audits: metadata.name must be a DNS subdomain (RFC 1123)"
    ]


def test_a_kind_without_a_schema_is_refused() -> None:
    unknown = {"apiVersion": "example.org/v1", "kind": "Gadget", "metadata": {"name": "x"}}
    assert validate.check_kubernetes([unknown])


def test_a_broken_compose_file_is_refused() -> None:
    broken = copy.deepcopy(COMPOSE)
    broken["services"]["web"]["depends_on"]["migrate"]["condition"] = "service_done"
    broken["services"]["catalogue"]["healthcheck"] = {"test": ["CMD", "true"], "interval": 10}
    problems = validate.check_compose(broken)
    assert "compose: services.catalogue.healthcheck.interval: 10 is not of type 'string'" in (
        problems
    )
    assert [p for p in problems if p.startswith("compose: services.web.depends_on")]
    assert len(problems) == 2


def test_make_lint_fails_on_a_broken_manifest(tmp_path: Path) -> None:
    broken = deployment()
    container(broken)["startupProbe"]["httpGet"]["port"] = [PORT]
    (tmp_path / "deployment.yaml").write_text(yaml.safe_dump(broken))
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - deployment.yaml\n")
    assert validate.main(["--kustomization", str(tmp_path)]) == 1


def test_a_kustomization_with_more_than_resources_is_refused(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("namePrefix: x-\nresources: []\n")
    with pytest.raises(ValueError, match="namePrefix"):
        validate.render(tmp_path)


def test_a_dockerfile_hadolint_objects_to_is_refused(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text('FROM python:latest\nRUN pip install requests\nCMD ["python"]\n')
    problems = " ".join(validate.check_dockerfile(dockerfile))
    assert "DL3007" in problems  # `latest`
    assert "DL3013" in problems  # pip install without a version
