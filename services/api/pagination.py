from rest_framework.pagination import CursorPagination


class NewestFirstCursorPagination(CursorPagination):
    """Stable cursor pages over ``created_at``, newest first; the page size is capped."""

    ordering = "-created_at"
    page_size_query_param = "page_size"
    max_page_size = 100
