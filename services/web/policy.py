"""Who may use the web application's API routes (its pages sign in with a session and
reach records only through the services' APIs, as the visitor: see frame.MENU)."""

from services.shared.identity.access import OPERATIONS, Policy

POLICY = Policy(dict(OPERATIONS))
