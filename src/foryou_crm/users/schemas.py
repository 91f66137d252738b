from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from foryou_crm.core.bounds import NoNul
from foryou_crm.core.schemas import CamelModel


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    password: str = Field(min_length=8, max_length=1024)
    name: Annotated[str, Field(max_length=200), NoNul] = ""


class UserOut(CamelModel):
    id: int
    email: str
    name: str


class TokenOut(CamelModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    user: UserOut
