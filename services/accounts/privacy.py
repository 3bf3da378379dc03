"""The registry of what each app holds about a resident, for "export my data" and "delete my account".

The accounts app sits below the apps that keep a resident's data, so it does not import them: each of them
offers ``export_for(user)`` and ``erase_for(user)`` in its own ``personal_data.py`` and registers them here
(``register``); AccountsConfig.ready() imports those modules, as Django's admin finds each app's ``admin.py``.
Export and deletion then go through the registry, and a new app with personal data is one more module, not an
edit here.

Erasure runs from the top layer down (reverse INSTALLED_APPS order, which lists the apps bottom-up as
docs/architecture.md's layers; a test keeps the two in step): a higher app's rows that keep a lower app's data
(an application keeping its documents) are dealt with before the lower app decides what it may erase.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class ExportFile:
    """A file for the export's zip: its name in the archive and how to open it (binary)."""

    name: str
    open: Callable[[], BinaryIO]


@dataclass(frozen=True)
class Holder:
    """An app that holds a resident's personal data."""

    app_label: str
    section: str  # its part of data.json
    export_for: Callable[[Any], tuple[Any, Iterable[ExportFile]]]  # user -> (JSON-ready data, files)
    erase_for: Callable[[Any], None]  # user -> None; what the law keeps stays


_holders: dict[str, Holder] = {}


def register(*, app_label: str, section: str, export_for, erase_for) -> None:
    """Register a part of an app's personal data: its section of the export, how to export and how to erase it."""
    _holders[section] = Holder(app_label=app_label, section=section, export_for=export_for, erase_for=erase_for)


def discover() -> None:
    """Import every installed app's ``personal_data`` module, which registers what the app holds."""
    autodiscover_modules("personal_data")


def holders() -> list[Holder]:
    """Return the registered holders bottom-up (in INSTALLED_APPS order)."""
    order = {config.label: position for position, config in enumerate(apps.get_app_configs())}
    return sorted(_holders.values(), key=lambda holder: order[holder.app_label])


def personal_data_export(*, user) -> tuple[dict, list[ExportFile]]:
    """Return what a data export holds: each app's section of data.json, and the files to put beside it."""
    content, files = {}, []
    for holder in holders():
        data, holder_files = holder.export_for(user)
        content[holder.section] = data
        files += holder_files
    return content, files


def personal_data_erase(*, user) -> None:
    """Erase what every app holds about the user and the law does not keep, top layer first."""
    for holder in reversed(holders()):
        holder.erase_for(user)
