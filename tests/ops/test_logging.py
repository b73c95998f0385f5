"""JSON-lines logs: Granian's access records and Django's error records."""

import json
import logging
import logging.config

from django.conf import settings
from django.test import RequestFactory

from jigong.core.logging import ACCESS_FORMAT, JsonFormatter, config


def test_access_record_as_json():
    args = {
        "addr": "127.0.0.1",
        "time": "x",
        "dt_ms": 1.23456,
        "status": 200,
        "path": "/verify/",
        "query_string": "",
        "method": "GET",
        "scheme": "http",
        "protocol": "HTTP/1.1",
        "_h0": "203.0.113.5",
        "_h1": "curl/8",
    }
    record = logging.LogRecord("granian.access", logging.INFO, "", 0, ACCESS_FORMAT, (args,), None)
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/verify/" and line["status"] == 200 and line["dt_ms"] == 1.235
    assert line["x_forwarded_for"] == "203.0.113.5" and line["user_agent"] == "curl/8"
    assert "message" not in line and line["ts"].endswith("+08:00")


def test_error_record_with_request_and_traceback():
    request = RequestFactory().get("/schools/?q=重庆")
    try:
        raise ValueError("坏了")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            "",
            0,
            "Internal Server Error: %s",
            ("/x",),
            sys.exc_info(),
        )
    record.request, record.status_code = request, 500
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "Internal Server Error: /x" and line["status"] == 500
    assert line["method"] == "GET" and line["path"].startswith("/schools/")
    assert "ValueError: 坏了" in line["exc"]


def test_config_with_log_dir(tmp_path):
    c = config(level="INFO", log_dir=str(tmp_path / "logs"))
    assert c["handlers"]["access"]["filename"].endswith("access.log")
    assert c["handlers"]["errors"]["filename"].endswith("error.log")
    logging.config.dictConfig(c)
    try:
        logging.getLogger("jigong.test").error("出错了")
    finally:
        logging.config.dictConfig(settings.LOGGING)
    text = (tmp_path / "logs" / "error.log").read_text(encoding="utf-8")
    assert json.loads(text.splitlines()[-1])["message"] == "出错了"
