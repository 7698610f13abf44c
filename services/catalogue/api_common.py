"""What the catalogue's routers share: strict bodies and the use cases per request."""

from typing import Annotated

from fastapi import Depends
from pydantic import BaseModel, ConfigDict

from contracts.values import Text
from services.catalogue.service import Catalogue
from services.shared.http import commands


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reason(Body):
    reason: Text = ""


Service = Annotated[Catalogue, Depends(commands(Catalogue))]
