"""Enrollment's composition root: the parts that make the service."""

from services.enrollment.api import router
from services.enrollment.api.policy import POLICY
from services.enrollment.handlers import SUBSCRIPTIONS
from services.enrollment.store import Store
from services.shared.definition import ServiceDefinition

ABOUT = "Staff enrol, wait, get approved, attend and complete; capacity holds."
DEFINITION = ServiceDefinition(
    "enrollment", 8002, ABOUT, Store, router, POLICY, SUBSCRIPTIONS, journal=Store.add_history,
    seals=True,
)  # fmt: skip
EnrollmentSettings = DEFINITION.settings
