"""Django app configuration for the ACP endpoint."""

from django.apps import AppConfig


class AcpConfig(AppConfig):
    """Registers the app; ``ready()`` is left alone on purpose.

    Nothing is read, built or sent at start-up: the runtime is initialised lazily on the
    first enabled request, so a missing variable can never crash the host at boot.
    """

    # The package the installer wrote (``acp`` by default, ``--app-name`` otherwise); the label
    # stays ``acp`` so that migrations, tables and the management command never change.
    name = __name__.rpartition(".")[0]
    label = "acp"
    verbose_name = "Agentic Control Plane"
    default_auto_field = "django.db.models.BigAutoField"
