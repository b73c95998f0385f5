"""The `jigong` console script: Django's management commands under one name."""

import os
import re
import sys

# Subcommands whose management command has another name (`import` is a Python keyword).
ALIASES = {"import": "import_data"}
# Commands that set the database up themselves.
SETS_UP = {"migrate", "up", "demo", "makemigrations", "showmigrations", "sqlmigrate", "restore"}
# The database's words for "this table is missing" (SQLite, PostgreSQL).
MISSING_TABLE = re.compile(r"no such table|relation .* does not exist|UndefinedTable")
# Data files and keys are created 0600 (umask 077), except by the commands that write
# files meant to be served by another user (collected static files, for an nginx alias).
PRIVATE_UMASK = 0o077
PUBLIC_FILES = {"collectstatic"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    if not args or args[0] not in PUBLIC_FILES:
        # Files this process (and the server's and worker's processes it starts) creates
        # are the service user's only: the SQLite database and its -wal/-shm, keys,
        # uploads, reports, backups, logs.
        os.umask(PRIVATE_UMASK)
    if args and args[0] == "serve":
        # JSON log lines from the first record on (Django's set-up logs before the
        # command runs); the server's workers inherit it (jigong/settings.py LOGGING).
        os.environ["JIGONG_LOG_JSON"] = "1"
    try:
        execute_from_command_line(["jigong", *args])
    except DatabaseError as exc:
        if not args or args[0] in SETS_UP or not MISSING_TABLE.search(str(exc)):
            raise
        from django.conf import settings
        from django.utils.translation import gettext as _

        where = settings.DATABASES["default"]["NAME"]
        sys.stderr.write(
            _("数据库（%(db)s）尚未初始化：请先运行 scripts/setup.sh，或 jigong migrate。")
            % {"db": where}
            + "\n"
        )
        sys.exit(2)
