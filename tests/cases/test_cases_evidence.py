"""Evidence: hashed at intake, encrypted on disk, declared-hash and size checks, streamed
download with custody and audit entries, transfers, the custody chain and its tampering,
and nothing left behind when an upload fails."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.accounts.models import User
from contactpoint.cases import custody, evidence, vault
from contactpoint.cases.models import CustodyEntry, Evidence
from contactpoint.cases.schemas import EvidenceIn
from contactpoint.core.audit import AuditEntry
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from factories import actor_of, bearer, evidence_form, make_case, make_org, make_token, make_user

PERMS = ["cases:manage", "reports:read"]
# Bigger than one 64 KiB chunk, so the chunked encryption is exercised across chunks.
CONTENT = b"Received: from mx.paypa1-secure.net\r\nSubject: verify your account\r\n" * 3000


@dataclass
class World:
    fr: dict[str, str]
    de: dict[str, str]
    nl: dict[str, str]
    fr_org: uuid.UUID
    de_org: uuid.UUID
    nl_org: uuid.UUID
    case_id: uuid.UUID
    fr_user_id: uuid.UUID


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    with transaction(factory) as s:
        fr = make_org(s, "OFAC", "law-enforcement", "FR")
        de = make_org(s, "BKA", "law-enforcement", "DE")
        nl = make_org(s, "Politie", "law-enforcement", "NL")
        fr_user = make_user(s, fr, ["investigator"])
        de_user = make_user(s, de, ["investigator"])
        nl_user = make_user(s, nl, ["investigator"])
        case = make_case(s, actor_of(fr_user))
        return World(
            fr=bearer(make_token(s, fr_user, PERMS)[1]),
            de=bearer(make_token(s, de_user, PERMS)[1]),
            nl=bearer(make_token(s, nl_user, PERMS)[1]),
            fr_org=fr.id,
            de_org=de.id,
            nl_org=nl.id,
            case_id=case.id,
            fr_user_id=fr_user.id,
        )


def evidence_dir(settings: Settings) -> Path:
    return settings.var_dir / "evidence"


def stored_files(settings: Settings) -> list[Path]:
    root = evidence_dir(settings)
    return sorted(root.iterdir()) if root.exists() else []


def upload(client: TestClient, w: World, content: bytes = CONTENT, **form: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/cases/{w.case_id}/evidence",
        files={"file": ("mail.eml", content, "message/rfc822")},
        data=evidence_form(**form),
        headers=w.fr,
    )


def evidence_rows(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as s:
        return int(s.scalar(select(func.count()).select_from(Evidence)) or 0)


def test_upload_is_hashed_and_encrypted_and_downloads_clear(
    client: TestClient, world: World, settings: Settings, factory: sessionmaker[Session]
) -> None:
    sha = hashlib.sha256(CONTENT).hexdigest()
    resp = upload(client, world, sha256=sha.upper())  # the declared hash may be upper case
    assert resp.status_code == 201, resp.text
    ev = resp.json()
    assert ev["sha256"] == sha and ev["size"] == len(CONTENT)
    assert ev["acquired_by"] == "Insp. Martin"
    assert ev["custodian_org_id"] == str(world.fr_org)

    files = stored_files(settings)
    assert [f.name for f in files] == [f"{sha}.enc"]
    on_disk = files[0].read_bytes()
    assert CONTENT[:64] not in on_disk and b"paypa1" not in on_disk

    got = client.get(
        f"/api/v1/cases/{world.case_id}/evidence/{ev['id']}/content?reason=court+copy",
        headers=world.fr,
    )
    assert got.status_code == 200
    assert got.content == CONTENT
    assert got.headers["x-content-sha256"] == sha
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"mail.eml\"; filename*=utf-8''mail.eml"
    )

    log = client.get(
        f"/api/v1/cases/{world.case_id}/evidence/{ev['id']}/custody", headers=world.fr
    ).json()
    assert log["chain_ok"] is True
    assert [(e["action"], e["reason"]) for e in log["entries"]] == [
        ("acquired", None),
        ("downloaded", "court copy"),
    ]
    assert log["entries"][0]["details"]["source"] == "victim's e-mail account"
    with transaction(factory) as s:
        audited = list(
            s.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.object_type == "evidence", AuditEntry.object_id == ev["id"])
                .order_by(AuditEntry.seq)
            )
        )
    assert audited == ["evidence.acquired", "evidence.downloaded"]


def test_a_declared_hash_that_does_not_match_is_refused_and_nothing_is_kept(
    client: TestClient, world: World, settings: Settings, factory: sessionmaker[Session]
) -> None:
    resp = upload(client, world, sha256="0" * 64)
    assert resp.status_code == 422
    errors = resp.json()["errors"]
    assert errors[0]["field"] == "sha256"
    assert hashlib.sha256(CONTENT).hexdigest() in errors[0]["message"]
    assert "does not match" in resp.json()["detail"]
    malformed = upload(client, world, sha256="abc")
    assert malformed.json()["errors"][0]["field"] == "sha256"
    assert evidence_rows(factory) == 0
    assert stored_files(settings) == []


def test_missing_acquisition_details_are_named(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    resp = upload(client, world, acquired_by="", source="", acquired_at="yesterday")
    assert resp.status_code == 422
    assert {e["field"] for e in resp.json()["errors"]} == {"acquired_at"}
    resp = upload(client, world, acquired_by="", source="")
    assert {e["field"] for e in resp.json()["errors"]} == {"acquired_by", "source"}
    assert evidence_rows(factory) == 0


def test_oversize_is_413_and_nothing_is_kept(
    client: TestClient,
    app: FastAPI,
    world: World,
    settings: Settings,
    factory: sessionmaker[Session],
) -> None:
    app.state.settings.evidence_max_bytes = 1000
    resp = upload(client, world, content=b"x" * 1001)
    assert resp.status_code == 413, resp.text
    assert resp.json()["errors"][0]["field"] == "file"
    assert evidence_rows(factory) == 0
    assert stored_files(settings) == []
    assert upload(client, world, content=b"x" * 1000).status_code == 201
    huge = upload(client, world, content=b"x" * 200_000)  # refused by its Content-Length
    assert huge.status_code == 413 and huge.json()["errors"][0]["field"] == "file"
    assert evidence_rows(factory) == 1


def test_a_rolled_back_upload_leaves_no_file(
    factory: sessionmaker[Session], world: World, settings: Settings
) -> None:
    meta = EvidenceIn(filename="a.bin", acquired_by="me", acquisition_method="copy", source="x")
    with pytest.raises(RuntimeError), transaction(factory) as s:
        s.info["settings"] = settings
        user = s.get(User, world.fr_user_id)
        assert user is not None
        actor = actor_of(user)
        evidence.add_evidence(s, actor, world.case_id, meta, io.BytesIO(b"secret bytes"))
        assert len(stored_files(settings)) == 1
        raise RuntimeError("something later in the request failed")
    assert stored_files(settings) == []
    assert evidence_rows(factory) == 0


def test_participants_see_evidence_and_receive_transfers(client: TestClient, world: World) -> None:
    ev = upload(client, world).json()
    base = f"/api/v1/cases/{world.case_id}/evidence/{ev['id']}"
    assert client.get(base, headers=world.de).status_code == 404
    invite = client.post(
        f"/api/v1/cases/{world.case_id}/participants",
        json={"org_id": str(world.de_org)},
        headers=world.fr,
    )
    assert invite.status_code == 201
    assert client.get(base, headers=world.de).status_code == 200
    assert [
        e["id"]
        for e in client.get(f"/api/v1/cases/{world.case_id}/evidence", headers=world.de).json()
    ] == [ev["id"]]
    assert client.get(base, headers=world.nl).status_code == 404
    assert client.get(f"{base}/content", headers=world.nl).status_code == 404

    outsider = client.post(
        f"{base}/transfers",
        json={"to_org_id": str(world.nl_org), "reason": "x" * 5},
        headers=world.fr,
    )
    assert outsider.json()["errors"][0]["field"] == "to_org_id"
    moved = client.post(
        f"{base}/transfers",
        json={"to_org_id": str(world.de_org), "reason": "for the BKA's forensic lab"},
        headers=world.fr,
    )
    assert moved.status_code == 201, moved.text
    assert moved.json()["from_org_id"] == str(world.fr_org)
    assert moved.json()["to_org_id"] == str(world.de_org)
    assert client.get(base, headers=world.fr).json()["custodian_org_id"] == str(world.de_org)
    not_holder = client.post(
        f"{base}/transfers",
        json={"to_org_id": str(world.fr_org), "reason": "back"},
        headers=world.fr,
    )
    assert not_holder.status_code == 403  # only the holder hands over
    log = client.get(f"{base}/custody", headers=world.de).json()
    assert [e["action"] for e in log["entries"]] == [
        "acquired",
        "viewed",
        "transferred",
        "viewed",
    ]
    assert log["chain_ok"] is True


def test_custody_chain_detects_tampering(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    ev = upload(client, world).json()
    base = f"/api/v1/cases/{world.case_id}/evidence/{ev['id']}"
    client.get(f"{base}/content", headers=world.fr)
    client.get(base, headers=world.fr)
    eid = uuid.UUID(ev["id"])
    with transaction(factory) as s:
        assert custody.verify(s, eid).ok
        assert custody.verify(s, eid).checked == 3
        s.execute(
            update(CustodyEntry)
            .where(CustodyEntry.evidence_id == eid, CustodyEntry.seq == 2)
            .values(actor_label="someone else")
        )
    with transaction(factory) as s:
        result = custody.verify(s, eid)
    assert not result.ok and result.broken_seq == 2
    log = client.get(f"{base}/custody", headers=world.fr).json()
    assert log["chain_ok"] is False
    assert log["problem"].startswith("entry 2")
    with transaction(factory) as s:
        s.execute(
            CustodyEntry.__table__.delete().where(
                CustodyEntry.evidence_id == eid, CustodyEntry.seq == 1
            )
        )
    with transaction(factory) as s:
        assert custody.verify(s, eid).problem == "entry 1 is missing"


def test_a_tampered_file_does_not_decrypt(tmp_path: Path, keyring: object) -> None:
    stored = vault.write(tmp_path, io.BytesIO(CONTENT), max_bytes=10**7)
    assert vault.sha256_of(stored.path) == stored.sha256
    raw = bytearray(stored.path.read_bytes())
    raw[-10] ^= 1
    stored.path.write_bytes(bytes(raw))
    with pytest.raises(vault.CorruptEvidence):
        vault.sha256_of(stored.path)
    stored.path.write_bytes(bytes(raw[: len(raw) // 2]))
    with pytest.raises(vault.CorruptEvidence):
        vault.sha256_of(stored.path)
