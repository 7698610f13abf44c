"""The policy tables of docs/security.md, rendered from the services' own policies (so the
document cannot drift from the code: a unit test compares them).

    python -m huisacademie.security_doc   # rewrites the tables in docs/security.md
"""

from pathlib import Path
from typing import Any

from confluent_kafka.admin import ResourceType

from huisacademie.serve import SERVICES
from huisacademie.stack.acls import READ, WRITE, service_grants
from services.shared.definition import ServiceDefinition
from services.shared.identity.access import Role, Rule, Scope

DOC = Path(__file__).resolve().parent.parent / "docs" / "security.md"
BEGIN, END = "<!-- policy tables: begin -->", "<!-- policy tables: end -->"
HEADINGS = {
    Role.STAFF: "staff", Role.LEADER: "leader", Role.ACADEMY_ADMIN: "academy admin",
    Role.BOARD_ADMIN: "board admin", Role.AUDITOR: "auditor",
    Role.PRIVACY_OFFICER: "privacy officer", Role.INTEGRATION: "integration",
    Role.OPERATOR: "operator",
}  # fmt: skip


def _cell(rule: Rule, role: Role) -> str:
    scopes = rule.get(role)
    if scopes is None:
        return "·"
    return ", ".join(str(s) for s in (scopes if isinstance(scopes, tuple) else (scopes,)))


def table(definition: ServiceDefinition[Any]) -> str:
    policy = definition.policy
    head = "| route | " + " | ".join(HEADINGS.values()) + " |"
    lines = [head, "|" + "---|" * (len(HEADINGS) + 1)]
    for (method, path), rule in policy.rules.items():
        cells = " | ".join(_cell(rule, role) for role in HEADINGS)
        lines.append(f"| `{method} {path}` | {cells} |")
    for method, path in sorted(policy.public):
        lines.append(f"| `{method} {path}` | " + " | ".join(["anyone"] * len(HEADINGS)) + " |")
    return "\n".join(lines)


def broker_table() -> str:
    """Each service principal's ACLs on the brokers (huisacademie/stack/acls.py)."""
    lines = [
        "| principal | writes | reads | in consumer groups |",
        "|---|---|---|---|",
    ]
    for name, definition in SERVICES.items():
        subscriptions = [(s.group, s.topics) for s in definition.subscriptions]
        grants = service_grants(name, subscriptions)
        writes = [
            g.name for g in grants if g.resource is ResourceType.TOPIC and g.operations == WRITE
        ]
        reads = [
            g.name for g in grants if g.resource is ResourceType.TOPIC and g.operations == READ
        ]
        groups = [g.name for g in grants if g.resource is ResourceType.GROUP]
        cells = [", ".join(f"`{n}`" for n in names) for names in (writes, reads, groups)]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    lines.append(
        "| `admin` (the operator's tools) | super user: topics, ACLs, dead-letter replay,"
        " the rebuild | | |"
    )
    lines.append(
        "| a subscriber (`huisacademie subscriber add NAME --topics ...`) | nothing |"
        " the topics granted | `NAME.*` |"
    )
    return "\n".join(lines)


def render() -> str:
    scopes = ", ".join(f"*{s}*" for s in Scope)
    parts = [
        BEGIN,
        f"Each cell says how far the role reaches on the route ({scopes}); · means the role"
        " may not use it (403). `/health/*` is open to anyone; everything else needs a token.",
    ]
    for name, definition in SERVICES.items():
        parts += [f"\n### {name}\n", table(definition)]
    parts += ["\n### the brokers\n", broker_table()]
    parts.append(END)
    return "\n".join(parts)


def current(text: str) -> str:
    return text[text.index(BEGIN) : text.index(END) + len(END)]


def main() -> None:
    text = DOC.read_text()
    DOC.write_text(text.replace(current(text), render()))
    print(f"{DOC}: policy tables rewritten")


if __name__ == "__main__":
    main()
