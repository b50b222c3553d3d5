"""Personal data is encrypted at rest, looked up by blind index, and masked by default."""

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from grassroots.core import crypto
from grassroots.people.models import Person
from grassroots.people.services import person_find, person_upsert

VALID_ID = crypto.id_number_with_check("42030319850312001")


@given(st.text(min_size=1, max_size=200))
def test_encrypt_round_trip(value):
    assert crypto.decrypt(crypto.encrypt(value)) == value


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1))
def test_ciphertext_never_contains_the_plain_text(value):
    assert value not in crypto.encrypt(value)


def test_encryption_is_randomised_but_blind_index_is_stable():
    assert crypto.encrypt(VALID_ID) != crypto.encrypt(VALID_ID)
    assert crypto.blind_index(VALID_ID) == crypto.blind_index(VALID_ID.lower())
    assert crypto.blind_index(" 138-0000-1234 ") == crypto.blind_index("13800001234")
    assert crypto.blind_index(VALID_ID) != crypto.blind_index("13800001234")


def test_masks():
    assert crypto.mask_phone("13812341234") == "138****1234"
    assert crypto.mask_id_number("420303198503120011") == "420303********0011"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("4203031985", "应为18位"),
        ("42030319850312001A", "前17位应为数字"),
        ("420303198502300011", "出生日期19850230不存在"),
        (VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1"), "校验位错误"),
    ],
)
def test_id_number_problems_are_explained_in_chinese(value, fragment):
    assert fragment in crypto.id_number_problem(value)


def test_valid_id_number_has_no_problem():
    assert crypto.id_number_problem(VALID_ID) is None


def test_production_refuses_to_run_without_a_key(monkeypatch):
    monkeypatch.delenv("GRASSROOTS_DATA_KEY")
    monkeypatch.setenv("GRASSROOTS_DEBUG", "0")
    with pytest.raises(crypto.DataKeyError):
        crypto.encrypt("x")


def test_wrong_key_fails_loudly(monkeypatch):
    token = crypto.encrypt(VALID_ID)
    monkeypatch.setenv("GRASSROOTS_DATA_KEY", "another-key-another-key-another-key-000")
    with pytest.raises(crypto.DataKeyError):
        crypto.decrypt(token)


def test_database_holds_no_plain_personal_data(db):
    person = person_upsert(name="张三", district_code="420303", id_number=VALID_ID, phone="13912345678")
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM people_person WHERE id = %s", [person.pk])
        row = " ".join(str(v) for v in cur.fetchone())
    assert VALID_ID not in row and "13912345678" not in row
    assert "139****5678" in row
    person.refresh_from_db()
    assert person.gender == "M" and person.birth_date.isoformat() == "1985-03-12"


def test_same_id_number_finds_the_same_person(db):
    first = person_upsert(name="张三", district_code="420303", id_number=VALID_ID)
    again = person_upsert(name="张三丰", district_code="420303", id_number=VALID_ID.lower())
    assert first.pk == again.pk
    assert Person.objects.count() == 1
    assert person_find(id_number=VALID_ID).name == "张三丰"
