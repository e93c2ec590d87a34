"""Who is acting: the existing user a command or request acts as, and whether their role suffices."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import User
from app.errors import Forbidden
from app.statuses import Role


def acting_user(session: Session, name: str, minimum: str | Role) -> User:
    """The user ``name`` if it exists and holds at least ``minimum``; otherwise 403 with what to do."""
    need = Role(minimum)
    user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
    if user is None:
        raise Forbidden(f"no Opsplan user {name!r}: act as an existing user with --user NAME or OPSPLAN_USER, or "
                        f"create one with `opsplan users create {name} --role {need}`", code="unknown_user")
    if not Role(user.role).allows(need):
        raise Forbidden(f"user {name!r} is {user.role}; this needs the {need} role or higher", code="forbidden")
    return user
