"""Markings on shareable rows and the one visibility function every query uses.

Rules (TLP 2.0 read for a multi-organisation platform):

- CLEAR: everyone, including the public portal.
- GREEN: every signed-in member of the community (any organisation on this node).
- AMBER / AMBER+STRICT: the owner organisation and the organisations named as recipients.
  The two differ in what a recipient may pass on (``may_reshare``), not in who sees.
- RED: only the users named as recipients, and the user who created the row.

A row a user may not see is *not found*: callers use :func:`get_visible` (404) and
:func:`visible` in every list, count, search, export and sync. There is no second path.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    Select,
    String,
    and_,
    exists,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from contactpoint.core.actor import Actor
from contactpoint.core.db import Base, IdMixin, str_enum
from contactpoint.core.errors import NotFound
from contactpoint.core.markings import PAP, TLP, HandlingCode


class Recipient(IdMixin, Base):
    """An explicit recipient of one marked row: an organisation, or a user (for RED)."""

    __tablename__ = "share_recipients"
    # One index on the object: an index on object_type alone (a handful of values) led
    # SQLite's planner to scan every report's recipients for one report at a million.
    __table_args__ = (Index("ix_share_recipients_object", "object_id", "object_type"),)

    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[uuid.UUID] = mapped_column()
    org_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )


class Marked:
    """Mixin for shareable rows: owner organisation, markings, creator."""

    __marked_type__: str  # the object_type used in share_recipients and the audit log

    @declared_attr
    def owner_org_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("organisations.id"), index=True, nullable=True)

    @declared_attr
    def created_by_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("users.id"), nullable=True)

    @declared_attr
    def tlp(cls) -> Mapped[TLP]:
        return mapped_column(str_enum(TLP, "tlp"), default=TLP.AMBER, nullable=False, index=True)

    @declared_attr
    def pap(cls) -> Mapped[PAP]:
        return mapped_column(str_enum(PAP, "pap"), default=PAP.AMBER, nullable=False)

    @declared_attr
    def handling_code(cls) -> Mapped[HandlingCode | None]:
        return mapped_column(str_enum(HandlingCode, "handling_code"), nullable=True)

    @declared_attr
    def handling_text(cls) -> Mapped[str | None]:
        return mapped_column(String(500), nullable=True)


M = TypeVar("M", bound=Marked)


def visible(model: type[Marked], actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause for rows of ``model`` that ``actor`` may see."""
    if "system" in actor.roles:
        return true()
    m: Any = model
    clear = m.tlp == TLP.CLEAR
    if not actor.is_authenticated:
        return clear
    rec = Recipient
    same_row = and_(rec.object_type == model.__marked_type__, rec.object_id == m.id)
    org_recipient = exists().where(same_row, rec.org_id == actor.org_id)
    user_recipient = (
        exists().where(same_row, rec.user_id == actor.user_id)
        if actor.user_id is not None
        else false()
    )
    amber = and_(
        m.tlp.in_([TLP.AMBER, TLP.AMBER_STRICT]),
        or_(m.owner_org_id == actor.org_id, org_recipient),
    )
    red = and_(
        m.tlp == TLP.RED,
        or_(m.created_by_id == actor.user_id, user_recipient)
        if actor.user_id is not None
        else false(),
    )
    return or_(clear, m.tlp == TLP.GREEN, amber, red)


def select_visible(model: type[M], actor: Actor) -> Select[Any]:
    return select(model).where(visible(model, actor))


def get_visible(session: Session, model: type[M], object_id: uuid.UUID, actor: Actor) -> M:
    """Fetch one row by id, or raise NotFound, whether it is absent or merely invisible."""
    m: Any = model
    row: M | None = session.scalars(select_visible(model, actor).where(m.id == object_id)).first()
    if row is None:
        raise NotFound(f"{model.__marked_type__} {object_id} not found")
    return row


def may_reshare(row: Marked, actor: Actor) -> bool:
    """Whether ``actor`` may pass the row on to another organisation."""
    if row.handling_code is HandlingCode.H2 and row.owner_org_id != actor.org_id:
        return False
    if row.tlp in (TLP.AMBER_STRICT, TLP.RED):
        return row.owner_org_id == actor.org_id and row.tlp is TLP.AMBER_STRICT
    return True


def set_recipients(
    session: Session,
    row: Marked,
    *,
    org_ids: list[uuid.UUID] | None = None,
    user_ids: list[uuid.UUID] | None = None,
) -> None:
    """Replace the explicit recipients of ``row``."""
    rid: Any = row.id  # type: ignore[attr-defined]
    for old in session.scalars(
        select(Recipient).where(
            Recipient.object_type == row.__marked_type__, Recipient.object_id == rid
        )
    ):
        session.delete(old)
    for org_id in org_ids or []:
        session.add(Recipient(object_type=row.__marked_type__, object_id=rid, org_id=org_id))
    for user_id in user_ids or []:
        session.add(Recipient(object_type=row.__marked_type__, object_id=rid, user_id=user_id))
    session.flush()
