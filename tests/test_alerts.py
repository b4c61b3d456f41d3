"""Alerts through apprise to real loopback destinations: an SMTP server (aiosmtpd) and a
JSON webhook receiver. Each hit is sent once; a failing destination is retried next run."""

from __future__ import annotations

import json
import socket
import threading
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlite_utils
from aiosmtpd.controller import Controller

from newsmon.alerts import AlertsConfigError, Destination, load_destinations, send_alerts
from storage import open_db
from storage.articles import upsert_article
from storage.records import Article
from storage.watchlists import Watchlist, sync_watchlists
from tests.conftest import run_newsmon

FRAUD_RU = ("Задержан организатор телефонного мошенничества",
            "Полиция Ташкента задержала организатора телефонного мошенничества. Он обманул двенадцать пенсионеров.")
FRAUD_EN = ("Organiser of phone fraud detained", "Tashkent police detained the organiser of a phone fraud. He deceived twelve pensioners.")
OTHER_EN = ("City marathon on Sunday", "The city marathon starts on Sunday morning near the central park.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An SMTP server on loopback that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=newsmon@example.org&to=analyst@example.org&mode=insecure"


class Webhook:
    """A JSON webhook receiver on loopback; ``failing`` makes it answer 500."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.failing = False
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if hook.failing:
                    self.send_response(500)
                else:
                    hook.posts.append(json.loads(body))
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def mailbox():
    box = Mailbox()
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture
def webhook():
    hook = Webhook()
    hook.thread.start()
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "alerts.db")
    with db.conn:
        db["sources"].insert_all([{"name": "uz-police", "country": "UZ", "kind": "police"},
                                  {"name": "wire", "country": "intl", "kind": "news"}], pk="name")
    sync_watchlists(db, [Watchlist(name="fraud", terms=("мошенничеств*", "fraud"))])
    yield db
    db.close()


def store(db: sqlite_utils.Database, key: str, title: str, text: str, *, lang: str, source: str = "uz-police",
          english: tuple[str, str] | None = None) -> int:
    url = f"https://{source}.example/news/{key}"
    upsert_article(db, Article(url=url, source=source, title=title, text=text, lang=lang, published="2026-11-27"))
    article_id = db.execute("select id from articles where url = ?", [url]).fetchone()[0]
    if english:
        with db.conn:
            db["articles"].update(article_id, {"title_en": english[0], "text_en": english[1], "translation_status": "translated"})
    return article_id


def test_hits_reach_email_and_webhook_once_grouped_per_watchlist(db, mailbox, webhook):
    store(db, "1", *FRAUD_RU, lang="ru", english=FRAUD_EN)
    store(db, "2", *FRAUD_EN, lang="en", source="wire")
    store(db, "3", *OTHER_EN, lang="en", source="wire")
    destinations = [Destination(name="mail", url=mailbox.url()), Destination(name="hook", url=webhook.url())]

    report = send_alerts(db, destinations)

    assert report.failed == {}
    assert len(mailbox.messages) == 1 and len(webhook.posts) == 1  # one message for the watchlist
    mail = mailbox.messages[0]
    assert "2 new article(s) on watchlist fraud" in mail["Subject"]
    body = mail.get_body().get_content()
    assert FRAUD_EN[0] in body and FRAUD_RU[0] in body  # English and original title
    assert "https://uz-police.example/news/1" in body and "uz-police" in body and "2026-11-27" in body
    assert OTHER_EN[0] not in body
    assert webhook.posts[0]["title"] == mail["Subject"]

    assert send_alerts(db, destinations).sent == {"mail": 0, "hook": 0}  # a re-run repeats nothing
    assert len(mailbox.messages) == 1 and len(webhook.posts) == 1

    store(db, "4", "Kiberfiribgarlik: fraud sxemasi fosh etildi", "Ichki ishlar xodimlari fraud sxemasini fosh etdi.", lang="uz")
    send_alerts(db, destinations)
    assert len(mailbox.messages) == 2 and len(webhook.posts) == 2
    assert "1 new article(s)" in webhook.posts[1]["title"]
    assert "fosh etildi" in webhook.posts[1]["message"] and FRAUD_EN[0] not in webhook.posts[1]["message"]


def test_failing_destination_is_retried_next_run_and_others_still_get_theirs(db, mailbox, webhook):
    store(db, "1", *FRAUD_RU, lang="ru", english=FRAUD_EN)
    webhook.failing = True
    destinations = [Destination(name="mail", url=mailbox.url()), Destination(name="hook", url=webhook.url())]

    report = send_alerts(db, destinations)
    assert set(report.failed) == {"hook"} and len(mailbox.messages) == 1
    assert "hook: FAILED" in report.summary_line() and "retried next run" in report.summary_line()

    webhook.failing = False
    report = send_alerts(db, destinations)
    assert report.failed == {} and len(webhook.posts) == 1 and FRAUD_EN[0] in webhook.posts[0]["message"]
    assert len(mailbox.messages) == 1  # the destination that had it is not sent it again


def test_failing_and_silent_sources_are_reported_once_until_they_recover(db, webhook):
    store(db, "1", *OTHER_EN, lang="en")  # uz-police has news (not silent); wire has none
    with db.conn:
        db["crawl_runs"].insert_all([
            {"source": "uz-police", "started_at": "2026-11-27T10:00:00+00:00", "status": "failed", "error": "DNS lookup failed"},
            {"source": "wire", "started_at": "2026-11-27T10:00:00+00:00", "status": "ok"},
        ])
    destination = [Destination(name="hook", url=webhook.url())]
    send_alerts(db, destination)
    assert len(webhook.posts) == 1
    message = webhook.posts[0]["message"]
    assert "uz-police: failing" in message and "DNS lookup failed" in message and "wire: silent" in message
    send_alerts(db, destination)
    assert len(webhook.posts) == 1  # still failing: not news

    with db.conn:  # uz-police recovers, then fails again: news again
        db["crawl_runs"].insert({"source": "uz-police", "started_at": "2026-11-27T11:00:00+00:00", "status": "ok"})
    send_alerts(db, destination)
    with db.conn:
        db["crawl_runs"].insert({"source": "uz-police", "started_at": "2026-11-27T12:00:00+00:00", "status": "failed", "error": "HTTP 503"})
    send_alerts(db, destination)
    assert len(webhook.posts) == 2 and "uz-police: failing" in webhook.posts[1]["message"]
    assert "wire" not in webhook.posts[1]["message"]


def test_digest_sends_one_message_a_day(db, webhook):
    store(db, "1", *FRAUD_RU, lang="ru", english=FRAUD_EN)
    destination = [Destination(name="daily", url=webhook.url(), digest=True, sources=False)]
    today = datetime.now(timezone.utc)
    send_alerts(db, destination, now=today)
    store(db, "2", *FRAUD_EN, lang="en", source="wire")
    send_alerts(db, destination, now=today)
    assert len(webhook.posts) == 1 and "digest" in webhook.posts[0]["title"] and FRAUD_EN[0] in webhook.posts[0]["message"]
    send_alerts(db, destination, now=today + timedelta(days=1))
    assert len(webhook.posts) == 2 and "https://wire.example/news/2" in webhook.posts[1]["message"]
    assert "https://uz-police.example/news/1" not in webhook.posts[1]["message"]


def test_first_run_skips_history_older_than_a_day(db, webhook):
    store(db, "1", *FRAUD_RU, lang="ru", english=FRAUD_EN)
    with db.conn:
        db.execute("update watchlist_hits set matched_at = '2026-01-01T00:00:00+00:00'")
    send_alerts(db, [Destination(name="hook", url=webhook.url(), sources=False)])
    assert webhook.posts == []


def test_alerts_file_is_validated(tmp_path, webhook):
    path = tmp_path / "alerts.toml"
    path.write_text(f'[[destination]]\nname = "hook"\nurl = "{webhook.url()}"\nwatchlists = ["fraud"]\n', encoding="utf-8")
    assert load_destinations(path)[0].watchlists == ("fraud",)
    path.write_text('[[destination]]\nname = "x"\nurl = "json://127.0.0.1/h"\nsend_to = "all"\n', encoding="utf-8")
    with pytest.raises(AlertsConfigError, match="unknown key"):
        load_destinations(path)
    with pytest.raises(AlertsConfigError, match="apprise does not recognise"):
        load_destinations(None, env_urls="nosuchscheme://x")


def test_cli_exit_codes_and_one_line(tmp_path, db, webhook):
    store(db, "1", *FRAUD_RU, lang="ru", english=FRAUD_EN)
    db_path = db.conn.execute("pragma database_list").fetchone()[2]
    env = {"NEWSMON_ALERT_URLS": webhook.url()}
    webhook.failing = True
    failed = run_newsmon("alerts", "--db", db_path, env=env)
    assert failed.returncode == 1 and "env-1: FAILED" in failed.stdout
    assert "Traceback" not in failed.stderr
    webhook.failing = False
    ok = run_newsmon("alerts", "--db", db_path, env=env)
    assert ok.returncode == 0 and "env-1: 1 message(s), 1 article(s)" in ok.stdout
    assert run_newsmon("alerts", "--db", db_path).returncode == 2  # no destination configured


def test_crawl_sends_alerts_and_a_failing_destination_does_not_fail_it(tmp_path, site_server, site_sources, webhook):
    db_path = tmp_path / "crawl.db"
    watchlists = tmp_path / "watchlists.toml"
    watchlists.write_text('[[watchlist]]\nname = "any"\nterms = ["police", "polizia", "полиция"]\n', encoding="utf-8")
    assert run_newsmon("watchlists", "sync", "--db", str(db_path), "--watchlists", str(watchlists)).returncode == 0
    webhook.failing = True
    env = {"NEWSMON_ALERT_URLS": webhook.url()}
    result = run_newsmon("crawl", "--db", str(db_path), "--sources", str(site_sources), "--send-alerts", env=env)
    assert result.returncode == 0, result.stderr
    assert "env-1: FAILED" in result.stdout
    webhook.failing = False
    result = run_newsmon("crawl", "--db", str(db_path), "--sources", str(site_sources), "--send-alerts", env=env)
    assert result.returncode == 0 and len(webhook.posts) == 1
    hits = sqlite_utils.Database(db_path).execute("select count(distinct article) from watchlist_hits").fetchone()[0]
    assert hits > 0 and f"{hits} new article(s) on watchlist any" in webhook.posts[0]["title"]
