"""Rotating the data key (docs/keys.md): the platform keeps reading and finding rows under the old key while
``grassroots rotate_data_key`` re-encrypts them in batches; a crash loses at most one batch; afterwards every
row opens with the new key alone and every look-up by number still finds it."""

from __future__ import annotations

import ast
import json
import os
import re
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.cases import services as case_services
from grassroots.core import crypto, rotation
from grassroots.core.backup import current_key
from grassroots.core.models import AuditEntry, KeyRotation
from grassroots.notifications.models import OutboxMessage
from grassroots.people.models import Person, Resident
from grassroots.people.selectors import residents_by_number
from grassroots.people.services import ResidentRow, person_find, person_upsert, residents_bulk_create
from grassroots.portal import accounts
from grassroots.portal.models import HouseholdClaim, ResidentAccount
from grassroots.registers.specs.base import ImportContext
from grassroots.registers.specs.persons import PersonCells
from grassroots.wishes.services import wish_publish

OLD = os.environ["GRASSROOTS_DATA_KEY"]  # tests/conftest.py's key: every row of a test starts under it
NEW = "a-brand-new-data-key-0123456789-abcdefghij"
THIRD = "a-third-data-key-nobody-configured-0123456789"
SRC = Path(__file__).resolve().parents[2] / "src" / "grassroots"


@pytest.fixture
def switch(monkeypatch):
    """Put the new key in place as the operator does: NEW current, OLD still read."""

    def to(current: str = NEW, previous: str | None = OLD) -> None:
        monkeypatch.setenv("GRASSROOTS_DATA_KEY", current)
        if previous is None:
            monkeypatch.delenv("GRASSROOTS_DATA_KEY_PREVIOUS", raising=False)
        else:
            monkeypatch.setenv("GRASSROOTS_DATA_KEY_PREVIOUS", previous)

    return to


def code_sent_to(phone: str) -> str:
    message = OutboxMessage.objects.filter(address_index__in=crypto.blind_indexes(phone)).order_by("-pk").first()
    return re.search(r"验证码是 (\d{6})", message.text).group(1)


def signed_up(phone: str) -> accounts.SignedIn:
    caches["shared"].clear()  # (the send limits)
    accounts.signin_code_send(phone=phone)
    return accounts.signin_code_verify(phone=phone, code=code_sent_to(phone))


def plain_values() -> dict[tuple[str, object, str], str]:
    """Every encrypted value in the database, decrypted with the keys of the moment."""
    found = {}
    for em in rotation.encrypted_models():
        for obj in em.model._base_manager.all():
            for name in em.names:
                if token := getattr(obj, f"{name}_enc"):
                    found[(em.label, obj.pk, name)] = crypto.decrypt(token)
    return found


@pytest.fixture
def world(tree):
    """Encrypted rows of several models, all under the old key: the tree's 16 residents (ID number and
    phone), a case with a contact, a wish's private contact, resident accounts and their text messages,
    a pending household claim."""
    case_services.case_receive(title="楼道灯坏了", body="3栋2单元楼道灯不亮", channel="resident_web",
                               area=tree.grid("A"), contact_name="王先生", contact_phone="137 0000 0001")
    wish_publish(community=tree.communities[0], actor=tree.user("community_worker_1"), title="一台收音机",
                 story="独居老人想听戏", private_name="李奶奶", private_contact="13600000001 幸福路1号")
    account = signed_up("13912345678").account
    name, id_number = "李四", tree.residents[1].person.plain("id_number")
    claim = accounts.household_claim_submit(account=account, name=name, id_number=id_number,
                                            household=tree.households[1]).claim
    assert claim is not None  # a wrong name for a registered number: the grid worker decides
    signed_up("13912340000")
    return tree


# --- what is covered ------------------------------------------------------------------------------------


def _declared_enc_fields() -> set[tuple[str, str]]:
    """``(app.model, field)`` of every ``<name>_enc = models.…`` in the source, read without Django."""
    found = set()
    for path in SRC.glob("*/models.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if (isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)
                            and stmt.targets[0].id.endswith("_enc")):
                        found.add((f"{path.parent.name}.{node.name.lower()}", stmt.targets[0].id))
    return found


def test_every_encrypted_column_in_the_source_is_rotated():
    declared = _declared_enc_fields()
    covered = {(em.label, f"{n}_enc") for em in rotation.encrypted_models() for n in em.names}
    assert len(declared) >= 10
    assert declared - covered == set(), "an encrypted column the rotation does not cover"
    indexed = {(em.label, n) for em in rotation.encrypted_models() for n in em.indexed}
    assert {("people.person", "id_number"), ("people.person", "phone"), ("portal.residentaccount", "phone"),
            ("cases.case", "contact_phone"), ("notifications.outboxmessage", "address")} <= indexed


def test_every_encrypted_value_is_written_to_an_enc_column():
    """A value encrypted into a column named otherwise would be missed by the rotation (and lost with the
    old key): every ``crypto.encrypt(…)`` result goes to a ``…_enc`` attribute or keyword."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name in ("crypto.py", "sensitive.py", "rotation.py") and path.parent.name == "core":
            continue
        tree = ast.parse(path.read_text())
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
                    and getattr(node.func, "attr", getattr(node.func, "id", "")) == "encrypt"):
                continue
            up = parents[node]
            while isinstance(up, ast.IfExp | ast.BoolOp):
                up = parents[up]
            names = ([up.arg] if isinstance(up, ast.keyword) else
                     [getattr(t, "attr", getattr(t, "id", "")) for t in up.targets] if isinstance(up, ast.Assign) else [])
            if not names or not all(n.endswith("_enc") for n in names):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == []


def test_an_index_without_its_ciphertext_is_a_known_short_lived_one():
    """Only the sign-in codes' phone index stands alone (not rotated: a code lives ten minutes; docs/keys.md).
    A new one must be decided on: rotate it with its value, or say why it may simply expire."""
    assert rotation.unpaired_indexes() == ["portal.signincode.phone_index"]


# --- the keys --------------------------------------------------------------------------------------------


def test_previous_keys_are_read_and_the_current_key_writes(switch):
    old_token, old_index = crypto.encrypt("13800000001"), crypto.blind_index("13800000001")
    old_fingerprint = crypto.fingerprints()[0]
    switch(previous=f" {THIRD} ,{OLD}")
    assert crypto.decrypt(old_token) == "13800000001"
    assert crypto.open_token(old_token) == ("13800000001", 2)
    new_token = crypto.encrypt("13800000001")
    assert crypto.open_token(new_token) == ("13800000001", 0)
    indexes = crypto.blind_indexes("138-0000-0001")
    assert len(indexes) == 3 and indexes[0] == crypto.blind_index("13800000001") != old_index
    assert indexes[2] == old_index
    fingerprints = crypto.fingerprints()
    assert fingerprints[2] == old_fingerprint and len(set(fingerprints)) == 3
    assert all(len(f) == 16 and f not in (NEW + OLD + THIRD) for f in fingerprints)
    assert current_key().fingerprint == fingerprints[0]  # the backup manifest names the key alike
    assert crypto.blind_indexes(" - ") == []
    switch(previous=None)  # the old key removed: its tokens are refused, its indexes no longer looked up
    with pytest.raises(crypto.DataKeyError):
        crypto.decrypt(old_token)
    assert crypto.blind_indexes("13800000001") == [indexes[0]]


def test_a_short_previous_key_is_refused(switch):
    switch(previous="too-short")
    with pytest.raises(crypto.DataKeyError, match="PREVIOUS"):
        crypto.decrypt(crypto.encrypt("x"))


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=1, max_size=100))
def test_any_value_survives_a_key_change(value):
    saved = {k: os.environ.get(k) for k in ("GRASSROOTS_DATA_KEY", "GRASSROOTS_DATA_KEY_PREVIOUS")}
    token = crypto.encrypt(value)
    try:
        os.environ["GRASSROOTS_DATA_KEY"], os.environ["GRASSROOTS_DATA_KEY_PREVIOUS"] = NEW, OLD
        assert crypto.decrypt(token) == value
        plain, n = crypto.open_token(token)
        assert (plain, n) == (value, 1)
        os.environ.pop("GRASSROOTS_DATA_KEY_PREVIOUS")
        assert crypto.decrypt(crypto.encrypt(value)) == value
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# --- while the rotation runs: old rows still read and found ----------------------------------------------


@pytest.mark.django_db
def test_before_the_rotation_old_rows_are_read_and_found_by_number(world, switch):
    person = world.residents[0].person
    id_number, phone = person.plain("id_number"), person.plain("phone")
    switch()
    person.refresh_from_db()
    assert person.plain("id_number") == id_number and person.plain("phone") == phone
    assert person_find(id_number=id_number) == person and person_find(phone=phone) == person
    assert list(residents_by_number(Resident.objects.all(), id_number)) == [world.residents[0]]
    assert list(residents_by_number(Resident.objects.all(), phone)) == [world.residents[0]]
    ctx = ImportContext(user=None, scope=None)
    indexes = tuple(crypto.blind_indexes(id_number))
    ctx.load_persons([PersonCells(name=person.name, id_number=id_number, index=indexes[0], phone="", indexes=indexes)])
    assert ctx.person_ids == {indexes[0]: person.pk}
    # a register import of an existing resident into another household matches the person, creates none
    other = world.residents[1].person
    counts = residents_bulk_create(rows=[ResidentRow(household_id=world.households[5].pk,
                                                     household_code=world.households[5].code, name=other.name,
                                                     id_number=other.plain("id_number"), phone="")])
    assert counts["persons_created"] == 0 and counts["persons_matched"] == 1
    # what is written now is under the new key
    new = person_upsert(name="新居民", district_code="420303",
                        id_number=crypto.id_number_with_check("42030319900101555"), phone="13500000009")
    assert crypto.open_token(new.id_number_enc)[1] == 0 and new.phone_index == crypto.blind_index("13500000009")


@pytest.mark.django_db
def test_signing_in_during_the_rotation_finds_the_account_and_creates_no_second_one(world, switch):
    before = ResidentAccount.objects.get(phone_masked="139****5678")
    switch()
    again = signed_up("13912345678")
    assert not again.created and again.account == before
    assert ResidentAccount.objects.filter(phone_masked="139****5678").count() == 1
    call_command("rotate_data_key", stdout=StringIO())
    switch(previous=None)
    after = signed_up("13912345678")
    assert not after.created and after.account == before
    assert ResidentAccount.objects.get(pk=before.pk).phone_index == crypto.blind_index("13912345678")


@pytest.mark.django_db
def test_a_claim_under_the_old_key_finds_the_person_already_rotated(world, switch):
    claim = HouseholdClaim.objects.get()
    registered = world.residents[1].person
    switch()
    person_upsert(name=registered.name, district_code="420303", id_number=registered.plain("id_number"))
    registered.refresh_from_db()
    assert registered.id_number_index != claim.id_number_index  # the person is under the new key, the claim not
    persons = Person.objects.count()
    accounts.household_claim_decide(claim=claim, actor=world.user("grid_worker_A"), confirm=True)
    assert Person.objects.count() == persons
    assert ResidentAccount.objects.get(pk=claim.account_id).person == registered


@pytest.mark.django_db
def test_a_sign_in_code_sent_before_the_switch_expires_with_it(world, switch):
    """Sign-in codes are not rotated (docs/keys.md): one sent a moment before the restart must be asked again."""
    caches["shared"].clear()
    accounts.signin_code_send(phone="13712345678")
    code = code_sent_to("13712345678")
    switch()
    with pytest.raises(ValidationError, match="已失效"):
        accounts.signin_code_verify(phone="13712345678", code=code)
    assert signed_up("13712345678").created


# --- the command -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_check_counts_the_rows_still_under_the_old_key(world, switch):
    total = len({(label, pk) for label, pk, _ in plain_values()})
    out = StringIO()
    call_command("rotate_data_key", check=True, stdout=out)  # nothing to do yet
    assert f"所有 {total} 行加密数据都在当前密钥下" in out.getvalue()
    switch()
    out = StringIO()
    with pytest.raises(CommandError, match=f"仍有 {total} 行在旧密钥下"):
        call_command("rotate_data_key", check=True, stdout=out)
    old_fingerprint = crypto.fingerprints()[1]
    assert f"people.person：{Person.objects.count()} 行，当前密钥 0 行，旧密钥 {Person.objects.count()} 行" \
           f"（{old_fingerprint} {Person.objects.count()} 行）" in out.getvalue()
    assert not KeyRotation.objects.exists()  # --check writes nothing
    call_command("rotate_data_key", stdout=StringIO())
    out = StringIO()
    call_command("rotate_data_key", check=True, stdout=out)
    assert f"所有 {total} 行加密数据都在当前密钥下" in out.getvalue()


@pytest.mark.django_db
def test_the_rotation_re_encrypts_everything_and_the_new_key_alone_reads_it(world, switch):
    before = plain_values()
    labels = {label for label, _, _ in before}
    assert {"people.person", "cases.case", "wishes.wish", "portal.residentaccount", "portal.householdclaim",
            "notifications.outboxmessage"} <= labels
    switch()
    out = StringIO()
    call_command("rotate_data_key", batch=3, stdout=out)
    text = out.getvalue()
    persons = Person.objects.count()
    assert f"people.person：{persons} 行加密数据，本次扫描 {persons} 行，改写 {persons} 行" in text
    assert "cases.case：1 行加密数据" in text and "核验通过" in text and "GRASSROOTS_DATA_KEY_PREVIOUS" in text

    switch(previous=None)  # the old key is gone
    assert plain_values() == before
    for em in rotation.encrypted_models():
        for obj in em.model._base_manager.all():
            for name in em.names:
                if token := getattr(obj, f"{name}_enc"):
                    assert crypto.open_token(token)[1] == 0
                    if name in em.indexed:
                        assert getattr(obj, f"{name}_index") == crypto.blind_index(crypto.decrypt(token))
    person = Person.objects.get(pk=world.residents[3].person_id)
    assert person_find(id_number=before[("people.person", person.pk, "id_number")]) == person
    assert person_find(phone="138 0000 0004") == person
    assert list(residents_by_number(Resident.objects.all(), "13800000004")) == [world.residents[3]]

    entry = AuditEntry.objects.get(action="data_key.rotate")
    fingerprint = crypto.fingerprints()[0]
    assert entry.object_id == fingerprint and entry.detail["key"] == fingerprint
    assert entry.detail["models"]["people.person"]["rotated"] == persons
    assert entry.detail["rows"]["people.person"] == persons
    dumped = json.dumps(entry.detail)
    assert NEW not in dumped and OLD not in dumped
    progress = KeyRotation.objects.get(model="people.person")
    assert progress.done and progress.rotated == persons and progress.key_fingerprint == fingerprint

    out = StringIO()  # a second run finds nothing left to do
    call_command("rotate_data_key", stdout=out)
    assert "people.person：" in out.getvalue() and "此前已完成" in out.getvalue()


@pytest.mark.django_db
def test_a_crash_mid_way_loses_one_batch_and_the_rerun_resumes_after_the_last_one(world, switch, monkeypatch):
    before = plain_values()
    switch()
    persons = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    real = rotation._renewed
    seen = []

    def crashing(obj, em, keys):
        if em.label == "people.person":
            seen.append(obj.pk)
            if len(seen) == 5:  # the second row of the second batch of four
                raise RuntimeError("the machine lost power")
        return real(obj, em, keys)

    monkeypatch.setattr(rotation, "_renewed", crashing)
    with pytest.raises(RuntimeError, match="lost power"):
        call_command("rotate_data_key", batch=4, stdout=StringIO())
    progress = KeyRotation.objects.get(model="people.person")
    assert progress.last_pk == str(persons[3]) and progress.rows == 4 and progress.rotated == 4 and not progress.done
    assert KeyRotation.objects.get(model="cases.case").done  # the models before it were finished
    assert not KeyRotation.objects.filter(model="wishes.wish").exists()  # the ones after were not started
    keys = [crypto.open_token(p.id_number_enc)[1] for p in Person.objects.order_by("pk")]
    assert keys == [0] * 4 + [1] * (len(persons) - 4)  # the interrupted batch was rolled back, row 5 too

    seen.clear()
    monkeypatch.setattr(rotation, "_renewed", lambda obj, em, keys: (seen.append((em.label, obj.pk)),
                                                                      real(obj, em, keys))[1])
    monkeypatch.setattr(rotation, "survey", lambda plan, size: [])  # count only the rotation's own reads
    out = StringIO()
    call_command("rotate_data_key", batch=4, stdout=out)
    rotated = [pk for label, pk in seen if label == "people.person"]
    assert rotated == persons[4:]  # the first batch was not redone
    assert not any(label == "cases.case" for label, _ in seen)
    assert f"从主键 {persons[3]} 之后继续" in out.getvalue() and "cases.case：" in out.getvalue()
    progress.refresh_from_db()
    assert progress.done and progress.rotated == len(persons)
    monkeypatch.undo()  # (also puts the old key back: set the new one alone)
    switch(previous=None)
    assert plain_values() == before


@pytest.mark.django_db
def test_a_value_no_known_key_opens_stops_the_rotation_and_says_why(world, switch):
    person = world.residents[2].person
    switch(current=THIRD, previous=None)
    stranger = crypto.encrypt("13800009999")
    Person.objects.filter(pk=person.pk).update(phone_enc=stranger)
    switch()  # THIRD is not among the keys
    with pytest.raises(CommandError, match=f"people.person #{person.pk} 的 phone_enc 无法.*解密"):
        call_command("rotate_data_key", stdout=StringIO())
    out = StringIO()
    with pytest.raises(CommandError, match="1 行无法处理"):
        call_command("rotate_data_key", check=True, stdout=out)
    assert "无法解密 1 行" in out.getvalue()
    assert not AuditEntry.objects.filter(action="data_key.rotate").exists()


@pytest.mark.django_db
def test_an_index_that_is_not_its_values_blind_index_is_not_overwritten(world, switch):
    """A column named ``_index`` that holds something else (as a sign-in code's hash does) would be broken
    by the rotation: it stops instead, and the batch is left as it was."""
    person = world.residents[0].person
    Person.objects.filter(pk=person.pk).update(phone_index=crypto.blind_index("signin:something-else"))
    switch()
    with pytest.raises(CommandError, match="phone_index 不是"):
        call_command("rotate_data_key", stdout=StringIO())
    assert crypto.open_token(Person.objects.get(pk=person.pk).id_number_enc)[1] == 1  # its batch rolled back


@pytest.mark.django_db
def test_two_accounts_for_one_phone_are_reported_not_merged(world, switch):
    """A process left on the old key alone could create a second account for a number whose account was
    already rotated; the unique index makes the rotation stop and say so."""
    account = ResidentAccount.objects.get(phone_masked="139****5678")
    switch()
    twin = ResidentAccount(user=world.user("community_worker_2"))
    twin.set_phone("13912345678")  # under the new key, beside the old account's old index
    twin.save()
    with pytest.raises(CommandError, match="冲突"):
        call_command("rotate_data_key", stdout=StringIO())
    account.refresh_from_db()
    assert crypto.open_token(account.phone_enc)[1] == 1


@pytest.mark.postgresql  # needs concurrent writers
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_during_a_batch_waits_for_it_and_is_not_lost(tree, switch, monkeypatch):
    """The site keeps serving: a resident's new phone saved while the rotation holds that row's batch waits
    for the batch (SELECT … FOR UPDATE) and lands after it; the rotation does not write the old value back."""
    target = tree.residents[0].person
    id_number = target.plain("id_number")
    switch()
    real, reached = rotation._renewed, threading.Event()

    def slow(obj, em, keys):
        if em.label == "people.person" and obj.pk == target.pk and not reached.is_set():
            reached.set()
            time.sleep(1.5)  # the writer below tries to save the row meanwhile
        return real(obj, em, keys)

    def writer():
        try:
            reached.wait(timeout=30)
            person_upsert(name=target.name, district_code="420303", id_number=id_number, phone="13500000077")
        finally:
            connection.close()

    monkeypatch.setattr(rotation, "_renewed", slow)
    thread = threading.Thread(target=writer)
    thread.start()
    call_command("rotate_data_key", batch=4, stdout=StringIO())
    thread.join(timeout=30)
    person = Person.objects.get(pk=target.pk)
    assert person.plain("phone") == "13500000077" and crypto.open_token(person.phone_enc)[1] == 0
    assert person_find(phone="13500000077") == person


@pytest.mark.django_db
def test_rotating_back_to_an_earlier_key_walks_every_row_again(world, switch):
    persons = Person.objects.count()
    switch()
    call_command("rotate_data_key", stdout=StringIO())
    switch(current=OLD, previous=NEW)  # back (a mistaken rotation undone)
    call_command("rotate_data_key", stdout=StringIO())
    switch()  # and forward again: the first rotation's finished progress towards NEW must not be trusted
    out = StringIO()
    call_command("rotate_data_key", stdout=out)
    assert f"people.person：{persons} 行加密数据，本次扫描 {persons} 行，改写 {persons} 行" in out.getvalue()
    switch(previous=None)
    assert all(crypto.open_token(p.phone_enc)[1] == 0 for p in Person.objects.all())
