"""Who may use each of the subscriptions service's routes (docs/security.md shows them all)."""

from services.shared.identity.access import OPERATIONS, Policy
from services.shared.identity.access import Role as R
from services.shared.identity.access import Scope as S

MANAGE: dict[R, S] = {R.BOARD_ADMIN: S.THEIR_BOARD, R.INTEGRATION: S.THEIR_BOARD}
"""A board's subscriptions: its administrators, and its integration clients (the tools)."""
CONSENT: dict[R, S] = {R.PRIVACY_OFFICER: S.THEIR_BOARD}
"""Events from before a subscription existed go out only with the privacy officer's consent."""
HISTORY: dict[R, S] = {**MANAGE, **CONSENT}

POLICY = Policy(
    {
        **OPERATIONS,
        ("GET", "/boards/{board_id}/subscriptions"): MANAGE,
        ("POST", "/boards/{board_id}/subscriptions"): MANAGE,
        ("GET", "/subscriptions/{subscription_id}"): HISTORY,
        ("PATCH", "/subscriptions/{subscription_id}"): MANAGE,
        ("DELETE", "/subscriptions/{subscription_id}"): MANAGE,
        ("POST", "/subscriptions/{subscription_id}/pause"): MANAGE,
        ("POST", "/subscriptions/{subscription_id}/resume"): MANAGE,
        ("POST", "/subscriptions/{subscription_id}/secret"): MANAGE,
        ("GET", "/subscriptions/{subscription_id}/deliveries"): MANAGE,
        ("POST", "/subscriptions/{subscription_id}/replay"): MANAGE,
        ("GET", "/subscriptions/{subscription_id}/history"): HISTORY,
        ("POST", "/subscriptions/{subscription_id}/history"): MANAGE,
        ("POST", "/subscriptions/{subscription_id}/history/{request_id}/consent"): CONSENT,
    }
)
