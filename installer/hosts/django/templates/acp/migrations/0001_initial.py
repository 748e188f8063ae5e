"""Create the ACP tables (``acp_api_key``, ``acp_audit_log``); CreateModel only, nothing else."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="ApiKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("prefix", models.CharField(max_length=32, unique=True)),
                ("key_hash", models.CharField(max_length=64)),
                (
                    "scopes",
                    models.TextField(blank=True, default="", help_text="Comma-separated scopes"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "db_table": "acp_api_key",
            },
        ),
        migrations.CreateModel(
            name="AuditLog",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("request_id", models.CharField(db_index=True, max_length=32)),
                ("action", models.CharField(blank=True, max_length=200, null=True)),
                ("kind", models.CharField(blank=True, max_length=8, null=True)),
                ("key_prefix", models.CharField(blank=True, max_length=32, null=True)),
                ("status", models.PositiveSmallIntegerField()),
                ("code", models.CharField(max_length=64)),
                ("outcome", models.CharField(max_length=16)),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("duration_ms", models.FloatField()),
            ],
            options={
                "db_table": "acp_audit_log",
            },
        ),
    ]
