"""Row ids that residents, staff and other systems see are version 7 UUIDs: unguessable, and in time order."""

import time
import uuid

import pytest

from services.common.ids import uuid7
from tests.factories import ApplicationFactory


def test_a_uuid7_is_the_time_in_milliseconds_then_random_bits():
    before = time.time_ns() // 1_000_000
    ids = [uuid7() for _ in range(1000)]
    after = time.time_ns() // 1_000_000

    assert {(i.version, i.variant) for i in ids} == {(7, uuid.RFC_4122)}
    assert all(before <= i.int >> 80 <= after for i in ids)
    assert len(set(ids)) == 1000  # 74 random bits: none repeats
    assert len({i.int & (1 << 62) - 1 for i in ids}) == 1000  # the random tail differs even within a millisecond


def test_ids_made_a_millisecond_apart_sort_in_the_order_they_were_made():
    first = uuid7()
    time.sleep(0.002)
    assert first < uuid7()
    assert str(first) < str(uuid7())  # as the database's index and the text of a URL sort them


@pytest.mark.django_db
def test_a_new_application_has_a_uuid7_for_its_public_id():
    earlier = ApplicationFactory()
    time.sleep(0.002)
    later = ApplicationFactory()

    assert (earlier.public_id.version, later.public_id.version) == (7, 7)
    assert earlier.public_id < later.public_id
