"""What the catalogue's routers share: strict bodies and the use cases per request."""

from typing import Annotated

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict

from contracts.values import Text
from services.catalogue.service import Catalogue
from services.shared.http import runtime_of


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reason(Body):
    reason: Text = ""


def catalogue(request: Request) -> Catalogue:
    runtime = runtime_of(request)
    return Catalogue(runtime.pool, runtime.source)


Service = Annotated[Catalogue, Depends(catalogue)]
