# Expected findings (sqlite dialect) are listed in expected.json.
from django.db import migrations, models


class Migration(migrations.Migration):
    operations = [
        migrations.CreateModel("Own", [("id", models.AutoField(primary_key=True))]),
        migrations.CreateModel("Other", [("id", models.AutoField(primary_key=True))]),
        migrations.AddField("own", "a", models.IntegerField(default=0)),
        migrations.AlterField("own", "a", models.BigIntegerField(default=0)),
        migrations.RenameField("own", "a", "b"),
        migrations.RemoveField("own", "b"),
        migrations.AddConstraint(
            "own", models.CheckConstraint(condition=models.Q(id__gte=0), name="own_id_pos")
        ),
        migrations.RemoveConstraint("own", "own_id_pos"),
        migrations.AddIndex("own", models.Index(fields=["id"], name="own_id_ix")),
        migrations.RenameIndex("own", new_name="own_id_ix2", old_name="own_id_ix"),
        migrations.RemoveIndex("own", "own_id_ix2"),
        migrations.AlterModelTable("own", "acp_own"),
        migrations.AlterModelTableComment("own", "owned"),
        migrations.AlterModelOptions("own", {"verbose_name": "own"}),
        migrations.AlterUniqueTogether("own", set()),
        migrations.AlterIndexTogether("own", set()),
        migrations.AlterOrderWithRespectTo("other", None),
        migrations.RenameModel("Other", "Renamed"),
        migrations.AddField("renamed", "c", models.IntegerField(default=0)),
        migrations.DeleteModel("Renamed"),
        migrations.AlterModelOptions("user", {"verbose_name": "x"}),
        migrations.AlterModelManagers("user", managers=[]),
        # host models from here on: every one is ACP301
        migrations.AddField("renamed", "d", models.IntegerField(default=0)),
        migrations.RemoveField("user", "email"),
        migrations.AlterField("user", "email", models.TextField()),
        migrations.RenameField("user", "email", "mail"),
        migrations.DeleteModel("User"),
        migrations.RenameModel("User", "Person"),
        migrations.AlterModelTable("user", "people"),
        migrations.AlterUniqueTogether("user", {("email", "username")}),
    ]
