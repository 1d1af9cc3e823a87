"""recall.operations.rows.instance_maker: instances as from_db makes them, signals kept."""

from __future__ import annotations

from django.db.models.signals import post_init

from recall.library.models import Topic
from recall.operations.rows import instance_maker


def test_an_instance_is_saved_state_with_only_the_given_fields_loaded():
    topic = instance_maker(Topic, "default")({"id": 7, "is_approved": True})

    assert (topic.pk, topic.is_approved) == (7, True)
    assert topic._state.adding is False and topic._state.db == "default"
    assert topic.get_deferred_fields() == {
        f.attname for f in Topic._meta.concrete_fields if f.attname not in {"id", "is_approved"}
    }


def test_with_an_init_receiver_the_instance_goes_through_from_db_and_the_signal():
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Topic)
    try:
        topic = instance_maker(Topic, "default")({"is_approved": False, "id": 3})
    finally:
        post_init.disconnect(receiver, sender=Topic)

    assert seen == [topic]
    assert (topic.pk, topic.is_approved, topic._state.adding) == (3, False, False)
    assert "name" in topic.get_deferred_fields()
