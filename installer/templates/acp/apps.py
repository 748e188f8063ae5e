"""Django app configuration for the ACP endpoint."""

from django.apps import AppConfig


class AcpConfig(AppConfig):
    """Registers the app; ``ready()`` is left alone on purpose.

    Nothing is read, built or sent at start-up: the runtime is initialised lazily on the
    first enabled request, so a missing variable can never crash the host at boot.
    """

    name = "acp"
    label = "acp"
    verbose_name = "Agentic Control Plane"
    default_auto_field = "django.db.models.BigAutoField"
