"""The demo cases: built once, shared with the German unit, evidence with a full chain."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.accounts.models import User
from contactpoint.cases import custody, service
from contactpoint.cases.models import Case, CaseStatus, Evidence
from contactpoint.cases.schemas import CaseFilter
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.training.demo_accounts import DOMAIN, seed_accounts
from contactpoint.training.demo_cases import seed_cases
from factories import actor_of, make_report


def user(s: Session, local: str) -> User:
    found = s.scalars(select(User).where(User.email == f"{local}@{DOMAIN}")).one()
    return found


def test_demo_cases_are_seeded_once_and_shared(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    with transaction(factory) as s:
        s.info["settings"] = settings
        seed_accounts(s)
        make_report(s, actor_of(user(s, "analyst.fr")))
        assert seed_cases(s) == 2
        assert seed_cases(s) == 0
    with transaction(factory) as s:
        de = actor_of(user(s, "analyst.de"))
        nl = actor_of(user(s, "analyst.nl"))
        visible_to_de = service.list_cases(s, de, CaseFilter()).items
        assert [c.status for c in visible_to_de] == [CaseStatus.OPEN]
        assert service.count_cases(s, nl, CaseFilter()) == 0
        ring = visible_to_de[0]
        assert service.linked_reports(s, actor_of(user(s, "investigator")), ring)[0]
        item = s.scalars(select(Evidence).where(Evidence.case_id == ring.id)).one()
        actions = [e.action.value for e in custody.entries(s, item.id)]
        assert actions == ["acquired", "viewed", "downloaded", "transferred"]
        assert custody.verify(s, item.id).ok
        assert len(list(s.scalars(select(Case)))) == 2
    assert (settings.var_dir / "evidence" / f"{item.sha256}.enc").exists()
