"""`contactpoint cases verify`: intact evidence passes; an altered chain or file is named."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from contactpoint.cases import evidence
from contactpoint.cases.models import CustodyEntry
from contactpoint.cases.schemas import EvidenceIn
from contactpoint.cli import app
from contactpoint.core.config import Settings, get_settings
from contactpoint.core.db import transaction
from factories import actor_of, make_case, make_org, make_user, use_cli_settings

runner = CliRunner()


def test_verify_names_a_broken_chain_and_a_tampered_file(
    factory: sessionmaker[Session], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_cli_settings(monkeypatch, settings)
    with transaction(factory) as s:
        s.info["settings"] = settings
        actor = actor_of(make_user(s, make_org(s), ["investigator"]))
        case = make_case(s, actor)
        meta = EvidenceIn(filename="a.txt", acquired_by="me", acquisition_method="copy", source="x")
        ev = evidence.add_evidence(s, actor, case.id, meta, io.BytesIO(b"evidence bytes"))
        evidence.view(s, actor, case.id, ev.id)
    try:
        ok = runner.invoke(app, ["cases", "verify"])
        assert ok.exit_code == 0, ok.output
        assert "1 items checked" in ok.output

        with transaction(factory) as s:
            s.execute(
                update(CustodyEntry)
                .where(CustodyEntry.evidence_id == ev.id, CustodyEntry.seq == 2)
                .values(reason="added later")
            )
        path = settings.var_dir / "evidence" / f"{ev.sha256}.enc"
        raw = bytearray(path.read_bytes())
        raw[-1] ^= 1
        path.write_bytes(bytes(raw))
        bad = runner.invoke(app, ["cases", "verify"])
        assert bad.exit_code == 1
        assert "custody entry 2" in bad.output
        assert "does not decrypt" in bad.output
        only_chain = runner.invoke(app, ["cases", "verify", "--no-files"])
        assert only_chain.exit_code == 1 and "decrypt" not in only_chain.output
    finally:
        get_settings.cache_clear()
