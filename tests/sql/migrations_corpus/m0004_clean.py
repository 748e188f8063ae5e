# Expected findings (sqlite dialect) are listed in expected.json.
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.CreateModel(
            name="ApiKey",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=100)),
                ("owner", models.ForeignKey("auth.User", on_delete=models.CASCADE)),
            ],
            options={"db_table": "acp_api_key"},
        ),
        migrations.AddIndex("apikey", models.Index(fields=["name"], name="acp_key_name_ix")),
        migrations.RunSQL(
            "CREATE INDEX acp_key_owner_ix ON acp_api_key (owner_id);"
            "INSERT INTO acp_api_key (name, owner_id) SELECT 'seed', id FROM auth_user"
            " WHERE 1 = 0;",
            reverse_sql="DROP INDEX acp_key_owner_ix;",
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.CreateModel(
                    "AuditLog",
                    [("id", models.BigAutoField(primary_key=True))],
                    options={"db_table": "acp_audit_log"},
                )
            ],
            state_operations=[],
        ),
    ]
