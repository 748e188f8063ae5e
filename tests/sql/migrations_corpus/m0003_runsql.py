# Expected findings (sqlite dialect) are listed in expected.json.
from django.db import migrations

CREATE = "CREATE TABLE acp_c (id integer);"
SEED = CREATE + " INSERT INTO acp_c VALUES (1);"
STATEMENTS = ["CREATE TABLE acp_l (id integer)", ("INSERT INTO acp_l VALUES (%s)", [1])]


def table():
    return "users"


class Migration(migrations.Migration):
    operations = [
        migrations.RunSQL(SEED, reverse_sql="DROP TABLE acp_c"),
        migrations.RunSQL(STATEMENTS),
        migrations.RunSQL(
            """
            CREATE TABLE acp_t (id integer);
            INSERT INTO acp_t VALUES (1);
            DELETE FROM auth_user WHERE id = 0;
            DROP TABLE auth_group; -- noqa: ACP301
            """,
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "CREATE TABLE acp_u (id integer, name varchar(100), created timestamp);"
            " UPDATE auth_user SET is_staff = 0;"
        ),
        migrations.RunSQL(migrations.RunSQL.noop, reverse_sql="DROP TABLE auth_user"),
        migrations.RunSQL(sql=[("SELECT %s", [1])]),
        migrations.RunSQL("DELETE FROM " + "auth_user"),
        migrations.RunSQL("SELECT 1; " + table()),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel("User")],
            database_operations=[migrations.RunSQL("DROP TABLE auth_permission")],
        ),
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
        migrations.RunSQL("CREATE TABLE acp_v (id integer);\n\tTRUNCATE auth_user;"),
        migrations.RunSQL(r"CREATE TABLE acp_w (id integer); DO $$ BEGIN NULL; END $$;"),
    ]
