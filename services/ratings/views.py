"""The rating form on its own page: shown again with its errors (nothing lost) when a rating from the
application page is refused."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from services.applications.selectors import application_get_for_resident
from services.common.errors import DomainError

from .actions import rating_submit
from .forms import RatingForm
from .selectors import rating_can_rate


@login_required
def rate(request, public_id):
    application = application_get_for_resident(user=request.user, public_id=public_id)
    if not rating_can_rate(application=application, user=request.user):
        messages.info(request, _("You have already rated this step of the application."))
        return redirect(application)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rating = rating_submit(application=application, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            if rating.is_bad:
                messages.success(
                    request,
                    _("Thank you for your rating. A supervisor will contact you within 1 working day."),
                )
            else:
                messages.success(request, _("Thank you for your rating."))
            return redirect(application)
    return render(request, "ratings/rate.html", {"application": application, "form": form})
