from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class NewestFirstCursorPagination(CursorPagination):
    """Stable cursor pages over ``created_at``, newest first; the page size is capped."""

    ordering = "-created_at"
    page_size_query_param = "page_size"
    max_page_size = 100

    def decode_cursor(self, request):
        """Return the cursor; one the API never gave out is a 400 on the ``cursor`` parameter, not DRF's 404."""
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({"cursor": [_("This cursor is not valid: use a next or previous link.")]}) from None
