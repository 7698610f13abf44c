"""Every route of every service is in its policy table, and the table names no route the
service does not have: a route added without saying who may use it fails here."""

from typing import Any

import pytest

from huisacademie import security_doc
from huisacademie.serve import SERVICES
from huisacademie.stack import acls
from services.shared.definition import ServiceDefinition
from services.shared.http import create_http_app
from services.shared.identity.access import Role, Scope

pytestmark = pytest.mark.unit

OPEN = {
    ("GET", "/health"), ("GET", "/health/live"), ("GET", "/health/ready"),
    ("GET", "/health/consumers"),
}  # fmt: skip


def routes(definition: ServiceDefinition[Any]) -> set[tuple[str, str]]:
    """The routes the service's OpenAPI document lists."""
    app = create_http_app(definition, definition.settings(database_url="postgresql://unused"))
    paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    return {(method.upper(), path) for path, item in paths.items() for method in item} - OPEN


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_route_has_a_rule_and_every_rule_a_route(name: str) -> None:
    definition = SERVICES[name]
    policy = definition.policy
    assert routes(definition) == set(policy.rules) | set(policy.public)
    assert not set(policy.rules) & set(policy.public)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_rule_admits_someone_within_a_scope(name: str) -> None:
    for route, rule in SERVICES[name].policy.rules.items():
        assert rule, f"{route}: a rule naming no role closes the route to everyone"
        for role, scopes in rule.items():
            assert isinstance(role, Role)
            for scope in scopes if isinstance(scopes, tuple) else (scopes,):
                assert isinstance(scope, Scope), route


def test_the_operations_metrics_are_the_operators_only() -> None:
    for definition in SERVICES.values():
        assert definition.policy.rules[("GET", "/metrics")] == {Role.OPERATOR: Scope.ANY}


def test_docs_security_holds_the_tables_as_the_code_has_them() -> None:
    text = security_doc.DOC.read_text()
    assert security_doc.current(text) == security_doc.render(), (
        "docs/security.md differs from the policies: run python -m huisacademie.security_doc"
    )


@pytest.mark.parametrize("name", ["admin", "catalogue", "broker", "Tool", "a", "x y"])
def test_a_subscriber_never_takes_a_services_or_the_operators_name(name: str) -> None:
    with pytest.raises(ValueError):
        acls.subscriber_grants(name, ["portfolio.entries"])


def test_a_subscriber_reads_only_event_topics() -> None:
    with pytest.raises(ValueError, match="no such event topics"):
        acls.subscriber_grants("hr-tool", ["portfolio.entries.dlt"])
    grants = acls.subscriber_grants("hr-tool", ["portfolio.entries"])
    assert [(g.name, g.prefixed) for g in grants] == [
        ("portfolio.entries", False),
        ("hr-tool.", True),
    ]
