from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .forms import ProfileForm
from .middleware import set_language_cookie
from .selectors import profile_for_user


@login_required
def profile_edit(request):
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=profile_for_user(user=request.user))
    if request.method == "POST" and form.is_valid():
        profile = form.save()
        translation.activate(profile.preferred_language)  # the confirmation is in the language just chosen
        messages.success(request, _("Your profile has been saved."))
        next_url = request.GET.get("next")
        if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None, require_https=False):
            response = redirect(next_url)
        else:
            response = redirect("accounts:profile")
        set_language_cookie(response, profile.preferred_language)
        return response
    return render(request, "accounts/profile.html", {"form": form})
