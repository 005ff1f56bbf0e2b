"""The participant's own profile page (/my/profile/)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from participant.profile_forms import ProfileForm, availability_formset
from participant.views import participant_required
from people.models import ParticipantProfile, User
from people.services import participant_profile_update


@participant_required
@require_http_methods(["GET", "POST"])
def my_profile(request: HttpRequest, participant: ParticipantProfile) -> HttpResponse:
    if request.method == "POST":
        form = ProfileForm(request.POST, participant=participant)
        slots = availability_formset(participant=participant, data=request.POST)
        if form.is_valid() and slots.is_valid():
            changes = {**form.changes(), "availability": slots.slots()}
            assert isinstance(request.user, User)  # participant_required signed her in
            try:
                participant_profile_update(
                    participant=participant, actor=request.user, changes=changes
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                language = changes["language"]
                # Her new language at once: this response's message, and every page after.
                translation.activate(language)
                request.LANGUAGE_CODE = language
                messages.success(request, _("プロフィールを保存しました。"))
                response = redirect("my_profile")
                # A language chosen in the footer's switcher would keep winning
                # over the one she just saved: forget it.
                response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
                return response
        status = 400
    else:
        form = ProfileForm(participant=participant)
        slots = availability_formset(participant=participant)
        status = 200
    return render(
        request,
        "participant/profile.html",
        {"form": form, "slots": slots, "participant": participant},
        status=status,
    )
