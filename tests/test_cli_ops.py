"""The operator's command line: every job a seed describes, on SQLite and PostgreSQL.

Each test runs the command line as an operator would, and checks the exit code, the one
line of an error, and the library's state afterwards: the many-step jobs run it in this
process (`cli`, the same `main` the console script calls, a second faster per call), the
file and encoding tests run the installed console script in a subprocess.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.cli import main

from .backends import POSTGRES
from .test_cli import script

ADMIN = ("--platform-admin", "platform")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A database URL and table prefix that `teamaccess init` set up."""
    if request.param == "sqlite":
        url, prefix = f"sqlite:///{tmp_path / 'ops.sqlite'}", "teamaccess_"
    else:
        url, prefix = POSTGRES.url_of_run, "tacli_"
    done = cli("init", "--db", url, "--prefix", prefix)
    assert done.returncode == 0, done.stderr
    yield url, prefix
    store = SqlStore.from_url(url, prefix=prefix)
    store.drop_schema()
    store.engine.dispose()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the command line in this process; the result as `script` gives it."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(list(args), out=out)
    return subprocess.CompletedProcess(["teamaccess", *args], code, out.getvalue(), err.getvalue())


def _lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_operator_jobs_run_through_the_rules(db: tuple[str, str]) -> None:
    """Users, companies, members, the main contact, invitations, products, seats, accounts, licenses and lead roles, each from the command line, with e-mails and names as keys."""
    url, prefix = db
    common = ("--db", url, "--prefix", prefix)

    def ok(*args: str) -> subprocess.CompletedProcess[str]:
        done = cli(*args, *common)
        assert done.returncode == 0, (args, done.stderr)
        return done

    for user in ("platform", "anna", "ben", "carl"):
        ok("user", "add", user, f"{user}@example.com")
    ok("user", "add", "anna", "Anna@Example.com", "--exist-ok")  # a host's repeated sync
    clash = cli("user", "add", "anna", "other@example.com", "--exist-ok", *common)
    assert clash.returncode == 2
    assert clash.stderr.count("\n") == 1
    assert "another e-mail" in clash.stderr

    ok("company", "create", "ACME GmbH", "--id", "acme", "--as", "anna@example.com")
    ok("member", "add", "ACME GmbH", "ben@example.com", "--as", "anna")  # name and e-mail
    members = _lines(ok("member", "list", "acme", "--json").stdout)
    assert [(m["user"], m["email"], m["role"]) for m in members] == [
        ("anna", "anna@example.com", "admin"),
        ("ben", "ben@example.com", "member"),
    ]
    refused = cli("member", "remove", "acme", "anna", "--as", "anna", *common)
    assert refused.returncode == 2
    assert "R-MC-4" in refused.stderr
    ok("member", "role", "acme", "ben", "admin", "--as", "anna")
    ok("member", "transfer", "acme", "ben", "--as", "anna")
    ok("member", "remove", "acme", "anna", "--as", "anna")

    sent = ok("invite", "send", "acme", "carl@example.com", "--as", "ben", "--json")
    invitation = json.loads(sent.stdout)
    assert invitation["email"] == "carl@example.com"
    assert invitation["token"]
    resent = json.loads(ok("invite", "resend", "acme", invitation["invitation"], "--as", "ben",
                           "--json").stdout)  # fmt: skip
    listed = _lines(ok("invite", "list", "acme", "--as", "ben", "--json").stdout)
    assert {i["invitation"]: i["status"] for i in listed} == {
        invitation["invitation"]: "superseded",
        resent["invitation"]: "pending",
    }
    ok("invite", "revoke", "acme", resent["invitation"], "--as", "ben")

    ok(
        "product",
        "create",
        "course",
        "Course",
        "--tag",
        "course-access",
        "--as",
        "platform",
        *ADMIN,
    )
    assert _lines(ok("product", "list", "--json").stdout)[0]["tag"] == "course-access"
    bought = json.loads(ok("seats", "buy", "course", "3", "Team", "--company", "acme",
                           "--as", "ben", "--json").stdout)  # fmt: skip
    group = str(bought["group"])
    ok("seats", "enroll", group, "carl@example.com", "--as", "ben")
    shown = _lines(ok("seats", "show", group, "--json").stdout)
    assert [(p["user"], p["email"]) for p in shown] == [("carl", "carl@example.com")]
    ok("seats", "resize", group, "5", "--as", "ben")
    ok("seats", "remove", group, "carl@example.com", "--as", "ben")
    pools = _lines(ok("seats", "list", "--json").stdout)
    assert (pools[0]["seats"], pools[0]["used"], pools[0]["leader_email"]) == (
        5,
        0,
        "ben@example.com",
    )

    ok("partner", "child", "acme", "Kunde", "--id", "kunde", "--as", "ben")
    ok("license", "set", "kunde", "create_asset", "3", "--as", "platform", *ADMIN)
    licenses = _lines(ok("license", "list", "kunde", "--json").stdout)
    assert licenses == [{"kind": "create_asset", "limit": 3, "used": 0, "usage": "0/3 used"}]
    roles = json.loads(ok("lead", "roles", "ACME GmbH", "operator", "lead_giver", "--as",
                          "platform", *ADMIN, "--json").stdout)  # fmt: skip
    assert roles == {"company": "acme", "roles": ["lead_giver", "operator"]}

    service = TeamAccess(SqlStore.from_url(url, prefix=prefix))
    assert service.members.main_contact("acme").user_id == "ben"  # type: ignore[union-attr]
    assert service.seats.get(group).seats == 5
    assert service.companies.get("kunde").parent_id == "acme"
    service.store.engine.dispose()  # type: ignore[attr-defined]

    explained = cli("explain", "carl@example.com", "edit_profile", "ACME GmbH", *common)
    assert explained.returncode == 1
    assert explained.stdout.splitlines()[0] == "denied: not_a_member (R-MEM-1)"
    assert "  user    carl" in explained.stdout
    page = ok("outbox", "--limit", "2")
    assert len(page.stdout.splitlines()) == 2
    assert "more event(s) pending beyond these 2" in page.stderr


def test_actions_and_completion_scripts(capsys: pytest.CaptureFixture[str]) -> None:
    """`actions` lists each action with its rule; `completion` prints a script per shell."""
    assert main(["actions", "--json"]) == 0
    rows = _lines(capsys.readouterr().out)
    assert {"action": "edit_profile", "rule": "R-MC-2"}.items() <= rows[2].items()
    assert {row["action"] for row in rows} >= {"open_backoffice", "view_lead", "view"}
    for shell, marker in [("bash", "complete"), ("zsh", "compdef"), ("fish", "complete")]:
        assert main(["completion", shell]) == 0
        out = capsys.readouterr().out
        assert "teamaccess" in out
        assert marker in out


def test_operator_errors_are_one_line(tmp_path: Path, db: tuple[str, str]) -> None:
    """A wrong prefix names the prefixes found; postgres:// gets the right scheme; a missing driver names its extra; a read-only command creates no file."""
    url, prefix = db
    wrong = cli("company", "list", "--db", url, "--prefix", "typo_")
    assert wrong.returncode == 2
    assert (
        wrong.stderr
        == (
            f"teamaccess: {url if 'sqlite' in url else wrong.stderr.split(': ')[1]} has no teamaccess "
            f"tables with prefix 'typo_'; it has them with '{prefix}' (pass --prefix)\n"
        )
        or f"it has them with '{prefix}'" in wrong.stderr
    )
    assert wrong.stderr.count("\n") == 1

    heroku = cli("company", "list", "--db", "postgres://u:secret@db.example:5432/app")
    assert heroku.returncode == 2
    assert heroku.stderr == (
        "teamaccess: unsupported URL scheme 'postgres'; "
        "use postgresql+psycopg://u:***@db.example:5432/app\n"
    )
    code = (
        "import sys; sys.modules['psycopg'] = None; from teamaccess.cli import main; "
        "sys.exit(main(['company', 'list', '--db', 'postgresql+psycopg://u@127.0.0.1/x']))"
    )
    missing = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert missing.returncode == 2
    assert missing.stderr == (
        "teamaccess: the driver 'psycopg' is not installed: pip install \"teamaccess[postgres]\"\n"
    )

    nowhere = tmp_path / "nowhere.sqlite"
    for command in (["company", "list"], ["user", "list"], ["seats", "list"], ["outbox"]):
        done = cli(*command, "--db", f"sqlite:///{nowhere}")
        assert done.returncode == 2
        assert (
            done.stderr == f"teamaccess: no database file {nowhere}: run 'teamaccess init' first\n"
        )
        assert not nowhere.exists()


@pytest.fixture
def pool_db(tmp_path: Path) -> Iterator[tuple[str, str, TeamAccess]]:
    """A SQLite file with a leader, a product and a pool of 20,000 seats."""
    url = f"sqlite:///{tmp_path / 'import.sqlite'}"
    assert cli("init", "--db", url).returncode == 0
    store = SqlStore.from_url(url)
    ta = TeamAccess(store, platform_admins={"platform"})
    ta.users.register("platform", "platform@example.com")
    ta.users.register("lea", "lea@example.com")
    ta.seats.create_product("platform", "course", "Course", tag="course-access")
    pool = ta.seats.purchase("lea", "course", 20_000, "Everyone")
    yield url, pool.id, ta
    store.engine.dispose()


def test_import_of_20000_rows_shows_the_writing_phase_advance(
    pool_db: tuple[str, str, TeamAccess], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R-SEAT-7: on a terminal the bar redraws through checking, then writing in batches of 1,000, to 20000/20000."""
    url, group, ta = pool_db
    big = tmp_path / "big.csv"
    big.write_text("email\n" + "".join(f"p{i}@example.com\n" for i in range(20_000)))

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    out = io.StringIO()
    assert main(["seats", "import", str(big), "--group", group, "--as", "lea", "--db", url],
                out=out) == 0  # fmt: skip
    frames = screen.getvalue().replace("\n", "\r").split("\r")
    writing = [f.split("]")[1].split()[0] for f in frames if ": writing [" in f]
    assert writing[:3] == ["1000/20000", "2000/20000", "3000/20000"]
    assert writing[-1] == "20000/20000"
    assert len(writing) >= 20
    checking = [f for f in frames if ": checking [" in f]
    assert frames.index(checking[-1]) < frames.index(next(f for f in frames if ": writing [" in f))
    assert "enrolled 20000 participant(s)" in out.getvalue()
    assert ta.seats.get(group).used == 20_000


def test_dry_run_leaves_the_sqlite_file_byte_for_byte(
    pool_db: tuple[str, str, TeamAccess], tmp_path: Path
) -> None:
    """R-SEAT-7: --dry-run reports what would be enrolled, or every bad row, and does not change a byte of the database file."""
    url, group, ta = pool_db
    ta.store.engine.dispose()  # type: ignore[attr-defined]
    file = Path(url.removeprefix("sqlite:///"))
    good = tmp_path / "good.csv"
    good.write_text("email\nkim@example.com\nlou@example.com\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("email\nkim@example.com\nnope\n")
    before = hashlib.sha256(file.read_bytes()).hexdigest()
    done = script("seats", "import", str(good), "--group", group, "--dry-run", "--as", "lea",
                  "--db", url)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "dry run: 2 participant(s) would be enrolled" in done.stdout
    refused = script("seats", "import", str(bad), "--group", group, "--dry-run", "--as", "lea",
                     "--db", url)  # fmt: skip
    assert refused.returncode == 2
    assert "row 3, column email" in refused.stderr
    assert hashlib.sha256(file.read_bytes()).hexdigest() == before
    from_stdin = subprocess.run(
        [*script_command(), "seats", "import", "-", "--group", group, "--as", "lea", "--db", url],
        input="email\nmo@example.com\n", capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert "enrolled 1 participant(s)" in from_stdin.stdout


def script_command() -> list[str]:
    """The console script, as `script` runs it."""
    from .test_cli import SCRIPT

    assert SCRIPT is not None
    return [SCRIPT]


@pytest.mark.parametrize(("encoding", "bom"), [("cp1252", b""), ("utf-16", b"")])
def test_excel_encodings_are_refused_with_a_hint_and_imported_when_named(
    pool_db: tuple[str, str, TeamAccess], tmp_path: Path, encoding: str, bom: bytes
) -> None:
    """A file saved as cp1252 or UTF-16 is refused with the 'CSV UTF-8' hint, and imported with --encoding."""
    url, group, ta = pool_db
    file = tmp_path / f"{encoding}.csv"
    file.write_bytes(bom + "Name;E-Mail\nJürgen Müller;jürgen@müller.example\n".encode(encoding))
    refused = script("seats", "import", str(file), "--group", group, "--as", "lea", "--db", url)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1
    assert "save it as 'CSV UTF-8'" in refused.stderr
    assert f"--encoding {encoding}" in refused.stderr
    done = script("seats", "import", str(file), "--group", group, "--as", "lea", "--db", url,
                  "--encoding", encoding)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert ta.users.find_by_email("jürgen@müller.example") is not None


def test_a_header_without_email_column_is_shown(pool_db: tuple[str, str, TeamAccess],
                                                tmp_path: Path) -> None:  # fmt: skip
    """A tab-separated file without an e-mail column gets an error that shows the header it found."""
    url, group, _ = pool_db
    file = tmp_path / "tabs.csv"
    file.write_text("Vorname\tNachname\nJan\tBerg\n")
    done = script("seats", "import", str(file), "--group", group, "--as", "lea", "--db", url)
    assert done.returncode == 2
    assert "the first row holds 'Vorname', 'Nachname'" in done.stderr
