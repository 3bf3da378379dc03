import urllib.request

from celery import shared_task
from django.db.models import F

from .models import Item


@shared_task
def touch_item(item_id: int) -> None:
    """Do one ORM update: the bare ceiling for a task that changes one row."""
    Item.objects.filter(pk=item_id).update(touched=F("touched") + 1)


@shared_task
def post_body(url: str, body: str) -> None:
    """POST a JSON body: the bare ceiling for a task that delivers one webhook."""
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=body.encode(), headers=headers)  # noqa: S310 (the bench's receiver)
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 (the bench's own local receiver)
        pass
