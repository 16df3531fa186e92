from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: the demo, the production server, the data generator and their commands."""

    name = "rapport.ops"
    label = "ops"
