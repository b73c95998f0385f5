"""The shared cache's table (settings.CACHES, JIGONG_CACHE=db), made by every migrate so
that each process of a migrated database finds it, whatever its own cache setting."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "jigong_cache"


def create(apps, schema_editor):
    alias = schema_editor.connection.alias
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    atomic = False  # createcachetable runs its own transaction

    dependencies = [("core", "0004_audit_action_export")]

    operations = [migrations.RunPython(create, drop)]
