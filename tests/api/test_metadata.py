"""Server-set metadata: uids are version-4 UUIDs drawn from the api's seeded generator."""

from __future__ import annotations

import random
import uuid

from reconciler.api.metadata import new_uid


def test_a_new_uid_is_the_version_4_uuid_of_the_same_draw() -> None:
    ours, theirs = random.Random(7), random.Random(7)
    for _ in range(2_000):
        expected = uuid.UUID(int=theirs.getrandbits(128), version=4)
        uid = new_uid(ours)
        assert uid == str(expected)
        assert uuid.UUID(uid).version == 4
