"""The caseworker's workspace: department-scoped application queues in the Django admin.

Nothing here changes an application directly: every button calls a workflow action, and every look at an
application, a document or an export, and every action, is written to the audit log. Importing the modules registers
their admins (Django's autodiscovery imports this package).
"""

from . import dashboard, rejection_reasons
from .applications import ApplicationAdmin

__all__ = ["ApplicationAdmin", "dashboard", "rejection_reasons"]
