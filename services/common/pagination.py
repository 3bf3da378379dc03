"""Pages of a resident's own lists (applications, messages, an access log) read without counting the list.

Django's Paginator counts every row of the list to number the pages: for a resident with years of messages (or an
agency's account with thousands of applications) that count is most of the page's time, and it grows with them.
A page here reads its rows and one more, which says whether an older page exists; the links are "Newer" and
"Older" and the page says its own number, not how many there are.
"""

from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class Page:
    object_list: list
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def page_of(queryset: QuerySet, number, per_page: int) -> Page:
    """Return page ``number`` (as typed in ``?page=``: anything but a whole number from 1 is the first page) of the
    ordered ``queryset``. A page past the end (a link kept from a longer list) is the last page: only then is the
    list counted."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    if not rows and number > 1:
        return page_of(queryset, max(1, -(-queryset.count() // per_page)), per_page)
    return Page(object_list=rows[:per_page], number=number, has_next=len(rows) > per_page)
