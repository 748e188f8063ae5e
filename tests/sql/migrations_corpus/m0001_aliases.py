# Expected findings (sqlite dialect) are listed in expected.json.
import django.db.migrations
from django.db import migrations, models
from django.db import migrations as m
from django.db.migrations import AddIndex
from django.db.migrations import RunSQL as R
from django.db.migrations.operations import AddField
from django.db.migrations.operations.models import AlterModelManagers
from django.db.migrations.operations.special import RunPython as RP


def forwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    operations = [
        migrations.CreateModel(
            name="AcpKey",
            fields=[("id", models.AutoField(primary_key=True))],
            options={"db_table": "acp_key"},
        ),
        m.CreateModel("AcpLog", [("id", models.AutoField(primary_key=True))]),
        AddField("acpkey", "name", models.CharField(max_length=10, default="")),
        AddIndex("AcpKey", models.Index(fields=["name"], name="acp_key_name")),
        AlterModelManagers("acplog", managers=[]),
        AddField("user", "acp", models.IntegerField(default=0)),
        django.db.migrations.operations.AddField("group", "acp", models.IntegerField(default=0)),
        R("INSERT INTO acp_key (name) VALUES ('a')", reverse_sql="DELETE FROM acp_key"),
        RP(forwards),
        migrations.operations.RunSQL(sql="VACUUM"),
    ]
