from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.common.pagination import page_of

from .actions import notification_mark_read, notifications_mark_all_read
from .selectors import inbox_get, inbox_list, notification_message


@login_required
def inbox(request):
    page = page_of(inbox_list(user=request.user), request.GET.get("page"), 20)
    items = [(notification, notification_message(notification=notification)) for notification in page]
    return render(request, "notifications/inbox.html", {"page": page, "items": items})


@login_required
@require_POST
def mark_read(request, public_id):
    notification_mark_read(notification=inbox_get(user=request.user, public_id=public_id))
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    notifications_mark_all_read(user=request.user)
    messages.success(request, _("All your messages are marked as read."))
    return redirect("notifications:inbox")
