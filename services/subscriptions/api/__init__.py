"""The subscriptions service's HTTP API."""

from services.subscriptions.api.routes import router

__all__ = ["router"]
