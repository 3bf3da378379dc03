from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import ProfileForm
from .selectors import profile_for_user


@login_required
def profile_edit(request):
    form = ProfileForm(request.POST or None, instance=profile_for_user(user=request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect(request.GET.get("next") if _is_local(request.GET.get("next")) else "accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


def _is_local(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")
