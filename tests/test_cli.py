"""The ``teamaccess`` console script (extra ``cli``) against a temporary SQLite file."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.cli import main
from teamaccess.cli._app import build_parser
from teamaccess.cli._progress import ProgressBar
from teamaccess.domain.events import ParticipantEnrolled

pytestmark = pytest.mark.sqlite

SCRIPT = shutil.which("teamaccess", path=str(Path(sys.executable).parent)) or shutil.which(
    "teamaccess"
)


def script(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console script, as an operator would."""
    assert SCRIPT is not None, "the teamaccess console script is not installed"
    return subprocess.run(
        [SCRIPT, *args], capture_output=True, text=True, timeout=120, check=False, env=env
    )


@pytest.fixture
def db(tmp_path: Path) -> Iterator[str]:
    """A database URL whose schema `teamaccess init` made, with a company and a seat pool."""
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    out = io.StringIO()
    assert main(["init", "--db", url], out=out) == 0  # in this process: a second faster
    assert "schema at version" in out.getvalue()
    return url


@pytest.fixture
def ta(db: str) -> Iterator[TeamAccess]:
    """The library on the same file: the facts the CLI is asked about."""
    store = SqlStore.from_url(db)
    service = TeamAccess(store, platform_admins={"platform"})
    for user in ("platform", "lea", "anna", "ben"):
        service.users.register(user, f"{user}@example.com")
    acme = service.companies.create("anna", "ACME GmbH", company_id="acme")
    service.members.add("anna", acme.id, "ben")
    service.seats.create_product("platform", "course", "Course", tag="course-x")
    yield service
    store.engine.dispose()


def test_seats_import_bad_rows_then_good_then_explain(
    ta: TeamAccess, db: str, tmp_path: Path
) -> None:
    """R-SEAT-7 from the command line: bad rows listed, nothing enrolled; then all of a good file."""
    pool = ta.seats.purchase("lea", "course", 3, "ACME staff")
    bad = tmp_path / "bad.csv"
    bad.write_text("email\nkim@example.com\nnot-an-address\nkim@example.com\n", encoding="utf-8")
    done = script("seats", "import", str(bad), "--group", pool.id, "--as", "lea", "--db", db)
    assert done.returncode == 2
    assert "2 bad row(s)" in done.stderr
    assert "nothing enrolled" in done.stderr
    assert f"{bad}:row 3, column email" in done.stderr
    assert f"{bad}:row 4, column email" in done.stderr
    assert ta.seats.get(pool.id).used == 0
    assert not [m for m in ta.outbox.pending(1000) if isinstance(m.event, ParticipantEnrolled)]

    good = tmp_path / "good.csv"
    good.write_text("email\nkim@example.com\nlou@example.com\nmo@example.com\n", encoding="utf-8")
    done = script("seats", "import", str(good), "--group", pool.id, "--as", "lea", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "importing good.csv: checking [" in done.stderr
    assert "importing good.csv: writing [" in done.stderr
    assert "3/3 100%" in done.stderr
    assert f"enrolled 3 participant(s) into {pool.id}: 0/3 free" in done.stdout
    assert ta.seats.get(pool.id).used == 3

    one_more = tmp_path / "more.csv"
    one_more.write_text("email\nnat@example.com\n", encoding="utf-8")
    done = script("seats", "import", str(one_more), "--group", pool.id, "--as", "lea", "--db", db)
    assert done.returncode == 2
    assert "row 2, column email: no free seat" in done.stderr
    assert ta.seats.get(pool.id).used == 3

    allowed = script("explain", "anna", "edit_profile", "acme", "--db", db)
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.splitlines()[0] == str(ta.check("anna", "acme", "edit_profile"))
    assert "allowed: is_main_contact (R-MC-2)" in allowed.stdout
    denied = script("explain", "ben", "edit_profile", "acme", "--db", db, "--json")
    assert denied.returncode == 1
    answer = json.loads(denied.stdout)
    assert (answer["allowed"], answer["reason"], answer["rule"]) == (
        False,
        "not_main_contact",
        "R-MC-2",
    )


def test_database_comes_from_the_environment(ta: TeamAccess, db: str) -> None:
    """Without --db the script reads TEAMACCESS_DATABASE_URL."""
    env = {**os.environ, "TEAMACCESS_DATABASE_URL": db}
    done = script("company", "list", env=env)
    assert done.returncode == 0, done.stderr
    assert "acme" in done.stdout
    assert "ACME GmbH" in done.stdout


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command line in this process (fast), returning code, stdout and stderr."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_company_and_member_editing(
    ta: TeamAccess, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Operators edit through the same rules as the host app: denied edits change nothing."""
    assert run(capsys, "user", "add", "carla", "Carla@Example.com", "--db", db)[0] == 0
    code, out, _ = run(capsys, "member", "add", "acme", "carla", "--as", "ben", "--db", db)
    assert (code, out) == (0, "added carla to acme as member\n")
    code, _, err = run(
        capsys, "member", "role", "acme", "carla", "admin", "--as", "ben", "--db", db
    )
    assert code == 2
    assert (
        err
        == "teamaccess: AccessDenied: denied: not_permitted (R-MEM-8): role lacks 'manage_team'\n"
    )
    assert (
        run(capsys, "member", "role", "acme", "carla", "admin", "--as", "anna", "--db", db)[0] == 0
    )
    code, out, _ = run(capsys, "member", "list", "acme", "--db", db)
    assert [line.split()[:3] for line in out.splitlines()[1:]] == [
        ["anna", "anna@example.com", "admin"],
        ["ben", "ben@example.com", "member"],
        ["carla", "carla@example.com", "admin"],
    ]
    code, _, err = run(capsys, "company", "rename", "acme", "ACME AG", "--as", "ben", "--db", db)
    assert code == 2
    assert "not_main_contact (R-MC-2)" in err
    assert ta.companies.get("acme").name == "ACME GmbH"
    assert run(capsys, "company", "rename", "acme", "ACME AG", "--as", "anna", "--db", db)[0] == 0
    assert ta.companies.get("acme").name == "ACME AG"
    code, out, _ = run(
        capsys, "--db", db, "--as", "carla", "company", "create", "Nord", "--id", "nord"
    )
    assert code == 0
    assert "main contact carla" in out
    code, out, _ = run(capsys, "company", "show", "nord", "--db", db)
    assert "nord: Nord" in out
    assert "carla" in out
    assert run(capsys, "member", "remove", "acme", "carla", "--as", "carla", "--db", db)[0] == 0
    assert [m.user_id for m in ta.members.list("anna", "acme")] == ["anna", "ben"]
    code, out, _ = run(capsys, "user", "list", "--db", db)
    assert ["carla", "carla@example.com"] in [line.split() for line in out.splitlines()]


def test_errors_are_one_line_and_non_zero(
    tmp_path: Path, db: str, ta: TeamAccess, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unknown ids, a missing --as, an empty database, a missing file: one line, exit 2."""
    empty = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    cases = [
        (["company", "list", "--db", empty], "no database file"),
        (["member", "add", "acme", "zed", "--as", "anna", "--db", db], "UnknownUser"),
        (["member", "add", "acme", "ben", "--db", db], "pass --as USER"),
        (["company", "show", "nope", "--db", db], "no company with id or name 'nope'"),
        (
            [
                "seats",
                "import",
                str(tmp_path / "none.csv"),
                "--group",
                "g",
                "--as",
                "lea",
                "--db",
                db,
            ],
            "cannot read",
        ),
        (["explain", "ben", "view_lead", "acme", "--lead", "l1", "--db", db, "--as", "x"], ""),
        (["explain", "ben", "fly_to_moon", "acme", "--db", db], "unknown action 'fly_to_moon'"),
        (["outbox", "--limit", "0", "--db", db], "limit must be a whole number"),
    ]
    for args, message in cases:
        code, _, err = run(capsys, *args)
        if not message:  # an unknown lead is denied (R-ALL-1), not an error
            assert code == 1
            continue
        assert code == 2, args
        assert err.count("\n") == 1, err
        assert err.startswith("teamaccess: ")
        assert message in err


def test_explain_leads_records_and_colleagues(
    db: str, ta: TeamAccess, capsys: pytest.CaptureFixture[str]
) -> None:
    """Explain answers exactly what the library answers, for each kind of target."""
    cases = [
        (
            ["ben", "manage_team", "acme", "--member", "anna"],
            ta.check("ben", "acme", "manage_team", target_user_id="anna"),
        ),
        (
            ["ben", "view_lead", "acme", "--lead", "l1"],
            ta.leads.check("ben", "acme", "l1", "view_lead"),
        ),
        (["ben", "view", "acme", "--record", "r1"], ta.records.check("ben", "acme", "r1")),
    ]
    for args, expected in cases:
        code, out, _ = run(capsys, "explain", *args, "--db", db)
        assert code == (0 if expected else 1)
        assert out.splitlines()[0] == str(expected)
        assert f"  rule    {expected.rule}" in out
    code, _, err = run(capsys, "explain", "ben", "edit", "acme", "--record", "r1", "--db", db)
    assert code == 2
    assert "known: view" in err


def test_outbox_shows_then_drains(
    db: str, ta: TeamAccess, capsys: pytest.CaptureFixture[str]
) -> None:
    """R-ALL-4: pending events as JSON lines, oldest first; --drain marks them delivered."""
    pending = ta.outbox.pending(1000)
    code, out, _ = run(capsys, "outbox", "--limit", "2", "--db", db)
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [line["position"] for line in lines] == [m.position for m in pending[:2]]
    assert lines[0]["type"] == pending[0].event.type
    code, out, _ = run(capsys, "outbox", "--drain", "--limit", "3", "--db", db)
    assert code == 0
    assert len(out.splitlines()) == len(pending)
    assert ta.outbox.pending(1000) == []
    assert run(capsys, "outbox", "--db", db)[1] == ""


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    """`--help` works on the script and on every command and subcommand."""
    paths: list[list[str]] = [[]]
    found: list[list[str]] = []
    while paths:
        path = paths.pop()
        found.append(path)
        with pytest.raises(SystemExit) as exited:
            main([*path, "--help"])
        assert exited.value.code == 0
        text = capsys.readouterr().out
        assert text.startswith("usage: teamaccess")
        parser = build_parser()
        for name in path:
            parser = next(
                action.choices[name]
                for action in parser._actions
                if isinstance(action.choices, dict) and name in action.choices
            )
        for action in parser._actions:
            if isinstance(action.choices, dict):
                paths.extend([*path, name] for name in action.choices)
    assert len(found) == 61


def test_progress_bar_draws_quarters_in_logs_and_redraws_on_a_terminal() -> None:
    """Not a terminal: a line per quarter; a terminal: one redrawn line."""
    log = io.StringIO()
    bar = ProgressBar("importing", log)
    for done in range(0, 101):
        bar(done, 100)
    assert [line.split()[-1] for line in log.getvalue().splitlines()] == [
        "0%", "25%", "50%", "75%", "100%",
    ]  # fmt: skip

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    live = ProgressBar("importing", screen)
    live(0, 2)
    live(2, 2)
    assert screen.getvalue() == (
        "\rimporting [..............................] 0/2   0%"
        "\rimporting [##############################] 2/2 100%\n"
    )
    empty = io.StringIO()
    ProgressBar("x", empty)(0, 0)
    assert "0/0 100%" in empty.getvalue()


def test_platform_admins_come_from_the_option_or_the_environment(
    ta: TeamAccess,
    db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """R-SEAT-4 from the command line: only the leader or a platform admin imports."""
    pool = ta.seats.purchase("lea", "course", 5, "ACME staff")
    first, second = tmp_path / "one.csv", tmp_path / "two.csv"
    first.write_text("email\nkim@example.com\n", encoding="utf-8")
    second.write_text("email\nlou@example.com\n", encoding="utf-8")
    code, _, err = run(
        capsys, "seats", "import", str(first), "--group", pool.id, "--as", "anna", "--db", db
    )
    assert code == 2
    assert "not_group_leader (R-SEAT-4)" in err
    assert ta.seats.get(pool.id).used == 0
    args = ["seats", "import", str(first), "--group", pool.id, "--as", "anna", "--db", db]
    assert run(capsys, *args, "--platform-admin", "anna")[0] == 0
    monkeypatch.setenv("TEAMACCESS_PLATFORM_ADMINS", "someone, anna")
    monkeypatch.setenv("TEAMACCESS_USER", "anna")
    code, out, _ = run(capsys, "seats", "import", str(second), "--group", pool.id, "--db", db)
    assert code == 0
    assert out == f"enrolled 1 participant(s) into {pool.id}: 3/5 free\n"
    code, out, _ = run(capsys, "seats", "show", pool.id, "--db", db)
    assert out.splitlines()[0] == f"{pool.id}: ACME staff (3/5 free)"
    assert len(out.splitlines()) == 4  # title, header, two participants
    code, out, _ = run(capsys, "seats", "list", "--db", db)
    assert pool.id in out


def test_r_all_7_stored_control_characters_print_escaped(ta: TeamAccess, db: str) -> None:
    """R-ALL-7: text stored before names were validated (here written straight into the table) reaches the terminal escaped: no ESC sequence or bidi override comes out raw."""
    store = SqlStore.from_url(db)
    hostile = "Evil\x1b]0;owned\x07\x1b[2J\u202eCorp"
    with store.engine.begin() as conn:
        companies = store.tables.companies
        conn.execute(companies.update().where(companies.c.id == "acme").values(name=hostile))
    store.engine.dispose()
    done = script("company", "list", "--db", db)
    assert done.returncode == 0, done.stderr
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in done.stdout
    assert "Evil\\x1b]0;owned\\x07\\x1b[2J\\u202eCorp" in done.stdout


def test_r_co_5_company_suspend_and_resume_by_a_platform_admin(db: str, ta: TeamAccess) -> None:
    """R-CO-5: the platform admin suspends ACME (explain then says company_suspended) and resumes it."""
    admin = ("--db", db, "--platform-admin", "platform", "--as", "platform")
    refused = script(
        "company", "suspend", "acme", "--reason", "unpaid invoice", "--db", db, "--as", "anna"
    )
    assert refused.returncode == 2
    assert "R-CO-5" in refused.stderr
    done = script("company", "suspend", "acme", "--reason", "unpaid invoice", *admin)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "suspended acme: unpaid invoice"
    explained = script("explain", "anna", "edit_profile", "acme", "--db", db)
    assert explained.returncode == 1
    assert "company_suspended (R-CO-5)" in explained.stdout
    assert "suspended" in script("company", "show", "acme", "--db", db).stdout
    assert script("company", "resume", "acme", *admin).stdout.strip() == "resumed acme"
    assert script("explain", "anna", "edit_profile", "acme", "--db", db).returncode == 0


def test_r_co_6_access_review_json_csv_and_since(db: str, ta: TeamAccess, tmp_path: Path) -> None:
    """R-CO-6: access-review prints JSON and inert CSV, refuses a plain member, diffs --since."""
    earlier = script("access-review", "acme", "--db", db, "--as", "anna")
    assert earlier.returncode == 0, earlier.stderr
    first = tmp_path / "review.json"
    first.write_text(earlier.stdout, encoding="utf-8")
    assert {row["subject"] for row in json.loads(earlier.stdout)["rows"]} == {"anna", "ben"}
    refused = script("access-review", "acme", "--db", db, "--as", "ben")
    assert refused.returncode == 2
    assert "R-CO-6" in refused.stderr
    ta.users.register("=cmd|' /C calc'!A0", "calc@example.com")
    ta.members.add("anna", "acme", "=cmd|' /C calc'!A0")
    ta.members.change_role("anna", "acme", "ben", "admin")
    as_csv = script("access-review", "acme", "--format", "csv", "--db", db, "--as", "anna")
    cells = [c for row in csv.reader(io.StringIO(as_csv.stdout)) for c in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert [c for c in cells if c.startswith(("=", "+", "-", "@"))] == []
    since = script("access-review", "acme", "--since", str(first), "--db", db, "--as", "anna")
    diff = json.loads(since.stdout)
    assert {(r["subject"], r["grant"]) for r in diff["gained"]} == {
        ("ben", "admin"), ("=cmd|' /C calc'!A0", "member"),
    }  # fmt: skip
    assert [(r["subject"], r["grant"]) for r in diff["lost"]] == [("ben", "member")]
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    refused = script("access-review", "acme", "--since", str(bad), "--db", db, "--as", "anna")
    assert refused.returncode == 2
    assert "not an access review" in refused.stderr


def test_seats_buy_takes_an_id_and_groups_are_found_by_title(
    ta: TeamAccess, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`seats buy --id` names the pool; a group is found by its title within a company, and a title two groups share is refused with their ids."""
    code, out, err = run(capsys, "seats", "buy", "course", "3", "ACME staff", "--company", "acme",
                         "--id", "acme-staff", "--as", "anna", "--db", db)  # fmt: skip
    assert (code, err) == (0, "")
    assert out == "bought acme-staff: ACME staff (3/3 free)\n"
    assert ta.seats.get("acme-staff").company_id == "acme"
    code, _, err = run(capsys, "seats", "buy", "course", "1", "Other", "--id", "acme-staff",
                       "--as", "lea", "--db", db)  # fmt: skip
    assert (code, err) == (2, "teamaccess: a group with id 'acme-staff' exists already\n")
    code, _, _ = run(capsys, "seats", "enroll", "ACME staff", "kim@example.com", "--as", "anna",
                     "--db", db)  # fmt: skip
    assert code == 0
    assert [e.user_id for e in ta.seats.group("anna", "acme-staff").participants] != []

    elsewhere = ta.seats.purchase("lea", "course", 2, "ACME staff")  # the same title, no company
    code, _, err = run(capsys, "seats", "enroll", "ACME staff", "ben@example.com", "--as", "anna",
                       "--db", db)  # fmt: skip
    assert code == 2
    assert err == (
        "teamaccess: 2 groups are titled 'ACME staff': acme-staff (company acme), "
        f"{elsewhere.id} (company -); pass the id, or --company\n"
    )
    code, out, _ = run(capsys, "seats", "enroll", "ACME staff", "ben@example.com",
                       "--company", "ACME GmbH", "--as", "anna", "--db", db)  # fmt: skip
    assert (code, out) == (0, "enrolled ben into acme-staff: 1/3 free\n")
    code, out, _ = run(capsys, "seats", "show", "ACME staff", "--company", "acme", "--db", db)
    assert out.splitlines()[0] == "acme-staff: ACME staff (1/3 free)"
    for company_first in (True, False):  # COMPANY before or after the options
        where = (
            ["acme", "--group", "ACME staff"]
            if company_first
            else ["--group", "ACME staff", "acme"]
        )
        code, out, _ = run(capsys, "explain", "anna", "manage_group", *where, "--db", db)
        assert (code, out.splitlines()[0]) == (0, "allowed: is_group_leader (R-SEAT-4)")
    with pytest.raises(SystemExit):  # one positional too many is still refused
        main(["explain", "anna", "edit_profile", "acme", "more", "--db", db])
    assert "unrecognized arguments: more" in capsys.readouterr().err
    code, _, err = run(capsys, "seats", "show", "Nobody's", "--company", "acme", "--db", db)
    assert (code, err) == (2, 'teamaccess: no group with id or title "Nobody\'s" in company acme\n')


def test_explain_answers_course_access_and_group_management(
    ta: TeamAccess, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """R-TAG-4 and R-SEAT-4 from `explain`: content access by tag and group management by title, exactly as the library answers; exit 0 or 1."""
    pool = ta.seats.purchase("lea", "course", 3, "ACME staff", company_id=None)
    ta.seats.enroll("lea", pool.id, "ben@example.com")
    cases = [
        (["ben", "open_content", "--tag", "course-x"], ta.tags.can_access("ben", ["course-x"])),
        (["lea", "open_content", "--tag", "course-x", "--tag", "other"],
         ta.tags.can_access("lea", ["course-x", "other"])),
        (["lea", "manage_group", "--group", "ACME staff"], ta.seats.check_group("lea", pool.id)),
        (["ben", "manage_group", "--group", pool.id], ta.seats.check_group("ben", pool.id)),
    ]  # fmt: skip
    assert [bool(expected) for _, expected in cases] == [True, False, True, False]
    for args, expected in cases:
        code, out, err = run(capsys, "explain", *args, "--db", db)
        assert (code, err) == (0 if expected else 1, ""), args
        assert out.splitlines()[0] == str(expected)
        assert f"  rule    {expected.rule}" in out
    code, out, _ = run(capsys, "explain", "ben", "open_content", "--tag", "course-x", "--json",
                       "--db", db)  # fmt: skip
    assert json.loads(out)["target"] == "content tagged course-x"
    for args, message in [
        (["ben", "open_content"], "open_content needs --tag TAG"),
        (["ben", "manage_group", "acme"], "manage_group needs --group GROUP"),
        (["ben", "open_content", "acme", "--tag", "course-x"], "leave out 'acme'"),
        (["ben", "edit_profile", "--tag", "course-x"], "known: open_content"),
        (["ben", "edit_profile"], "edit_profile is decided in a company"),
    ]:
        code, _, err = run(capsys, "explain", *args, "--db", db)
        assert code == 2, args
        assert message in err
    code, out, _ = run(capsys, "actions", "--json")
    rules = {row["action"]: row["rule"] for row in map(json.loads, out.splitlines())}
    assert (rules["open_content"], rules["manage_group"]) == ("R-TAG-4", "R-SEAT-4")


def test_explain_of_an_unknown_user_is_an_error_not_a_denial(
    ta: TeamAccess, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown user (or colleague) is answered "unknown user" on one line with exit 2, like every other error, not `denied: not_a_member`."""
    for args in (
        ["zed", "open_backoffice", "acme"],
        ["ben", "remove_member", "acme", "--member", "zed"],
        ["zed", "open_content", "--tag", "course-x"],
    ):
        code, out, err = run(capsys, "explain", *args, "--db", db)
        assert (code, out) == (2, ""), args
        assert err == "teamaccess: UnknownUser: unknown user 'zed'\n"


def test_user_show_lists_the_seats_a_user_holds(
    ta: TeamAccess, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`user show` lists each seat: its group, title, company, product and when; --json too."""
    pool = ta.seats.purchase("anna", "course", 2, "ACME staff", company_id="acme")
    enrolled = ta.seats.enroll("anna", pool.id, "ben@example.com")
    code, out, _ = run(capsys, "user", "show", "ben@example.com", "--db", db)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "ben <ben@example.com>"
    assert lines[-2].split() == ["seat", "in", "group", "title", "company", "product", "enrolled"]
    assert lines[-1].split() == [
        pool.id, "ACME", "staff", "acme", "course", f"{enrolled.enrolled_at:%Y-%m-%d}",
    ]  # fmt: skip
    code, out, _ = run(capsys, "user", "show", "ben", "--json", "--db", db)
    [seat] = json.loads(out)["seats"]
    assert (seat["group"], seat["title"], seat["company"]) == (pool.id, "ACME staff", "acme")
    code, out, _ = run(capsys, "user", "show", "lea", "--db", db)
    assert out.splitlines()[-1] == "(none)"


@pytest.mark.parametrize(
    ("url", "module", "hint"),
    [
        ("mysql://u:secret@db.example/app", "MySQLdb",
         'pip install "teamaccess[mysql]" and use mysql+pymysql://u:***@db.example/app'),
        ("mariadb://u@db.example/app", "MySQLdb",
         'pip install "teamaccess[mysql]" and use mariadb+pymysql://u@db.example/app'),
        ("postgresql+psycopg2://u@db.example/app", "psycopg2",
         'pip install "teamaccess[postgres]" and use postgresql+psycopg://u@db.example/app'),
    ],
)  # fmt: skip
def test_a_url_of_sqlalchemys_default_driver_names_the_extra_and_its_url(
    url: str,
    module: str,
    hint: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """mysql:// (MySQLdb) and postgresql:// (psycopg2) name the extra to install and the URL of its driver, not the default driver."""
    monkeypatch.setitem(sys.modules, module, None)  # not installed, as on a user's machine
    code, out, err = run(capsys, "company", "list", "--db", url)
    assert (code, out) == (2, "")
    assert err == f"teamaccess: the driver {module!r} is not installed: {hint}\n"


def test_product_create_help_and_denial_name_the_same_rule_and_platform_admin(
    ta: TeamAccess, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`product create --help` and its denial both cite R-SEAT-4 and say how to name a platform admin."""
    with pytest.raises(SystemExit):
        main(["product", "create", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "(R-SEAT-4)" in help_text
    assert "--platform-admin USER or $TEAMACCESS_PLATFORM_ADMINS" in help_text
    code, _, err = run(capsys, "product", "create", "p2", "P", "--tag", "t", "--as", "anna",
                       "--db", db)  # fmt: skip
    assert code == 2
    assert err == (
        "teamaccess: AccessDenied: denied: not_platform_admin (R-SEAT-4): platform admins only "
        "(name them with --platform-admin USER or $TEAMACCESS_PLATFORM_ADMINS)\n"
    )


class Terminal(io.StringIO):
    """Standard error on a terminal: the bar redraws its line."""

    def isatty(self) -> bool:
        return True


def screen_lines(text: str) -> list[str]:
    """What a terminal shows: each line as its last redraw after a carriage return left it."""
    return [line.split("\r")[-1] for line in text.split("\n")]


@pytest.mark.parametrize("terminal", [True, False])
def test_the_progress_bar_ends_full_before_the_bad_rows_of_a_failing_file(
    ta: TeamAccess,
    db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    terminal: bool,
) -> None:
    """R-SEAT-7: on a 4-row file with 2 bad rows the checking bar ends at 2/2 100% on its own line, then the bad rows follow; a dry run ends its line too."""
    pool = ta.seats.purchase("lea", "course", 5, "ACME staff")
    file = tmp_path / "four.csv"
    file.write_text("email\nkim@example.com\nnope\nlou@example.com\nnada\n", encoding="utf-8")
    stderr = Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    args = ["seats", "import", str(file), "--group", pool.id, "--as", "lea", "--db", db]
    assert main(args, out=io.StringIO()) == 2
    shown = screen_lines(stderr.getvalue())
    start = next(i for i, line in enumerate(shown) if line.startswith("teamaccess: "))
    assert shown[start - 1].endswith("] 2/2 100%")
    assert shown[start - 1].startswith("importing four.csv: checking [####")
    assert shown[start:] == [
        f"teamaccess: 2 bad row(s) in {file}; nothing enrolled",
        f"  {file}:row 3, column email: invalid e-mail address: missing '@'",
        f"  {file}:row 5, column email: invalid e-mail address: missing '@'",
        "",
    ]
    good = tmp_path / "good.csv"
    good.write_text("email\nkim@example.com\n", encoding="utf-8")
    stderr.seek(0)
    stderr.truncate()
    assert main(["seats", "import", str(good), "--group", pool.id, "--dry-run", "--as", "lea",
                 "--db", db], out=io.StringIO()) == 0  # fmt: skip
    assert stderr.getvalue().endswith("] 1/1 100%\n")


def test_progress_bar_end_completes_only_when_asked() -> None:
    """`end(complete=True)` draws the phase full and ends the line; `end(complete=False)` only ends an open line."""
    screen = Terminal()
    bar = ProgressBar("x", screen)
    bar(1, 4, "writing")
    bar.end(complete=False)
    assert screen_lines(screen.getvalue()) == [
        "x writing [########......................] 1/4  25%",
        "",
    ]
    bar.end(complete=False)  # nothing open: nothing written
    assert screen.getvalue().count("\n") == 1
    log = io.StringIO()
    bar = ProgressBar("x", log)
    bar.end(complete=True)  # no phase began: nothing to end
    bar(0, 4, "checking")
    bar.end(complete=True)
    assert log.getvalue().splitlines()[-1].endswith("4/4 100%")


DOCS_CLI = Path(__file__).parent.parent / "docs" / "cli.md"
RUN_MARK = "<!-- run by tests/test_cli.py -->"


def docs_sessions(text: str) -> list[str]:
    """The console blocks of docs/cli.md that follow the mark saying the tests run them."""
    return re.findall(re.escape(RUN_MARK) + r"\n```console\n(.*?)\n```", text, re.S)


def play(session: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run a console block's commands and return the transcript a terminal would show.

    ``$ teamaccess ...`` runs the command line; ``$ echo $?`` prints its exit code;
    ``$ export NAME=VALUE`` sets a variable; ``$ cat FILE`` writes the lines that follow
    it into FILE (and shows them). Dates print as YYYY-MM-DD.
    """
    shown: list[str] = []
    code = 0
    lines = session.splitlines()
    for number, line in enumerate(lines):
        if not line.startswith("$ "):
            continue
        shown.append(line)
        command = shlex.split(line[2:])
        if command[0] == "teamaccess":
            screen = Terminal()
            monkeypatch.setattr(sys, "stderr", screen)
            code = main(command[1:], out=screen)
            shown += screen_lines(screen.getvalue())[:-1]
        elif command == ["echo", "$?"]:
            shown.append(str(code))
        elif command[0] == "export":
            name, value = command[1].split("=", 1)
            monkeypatch.setenv(name, value)
        elif command[0] == "cat":
            content = list(itertools.takewhile(lambda x: not x.startswith("$ "),
                                               lines[number + 1 :]))  # fmt: skip
            Path(command[1]).write_text("\n".join(content) + "\n", encoding="utf-8")
            shown += content
        else:  # pragma: no cover - a command the docs should not show
            raise AssertionError(f"docs/cli.md runs {line!r}, which this test cannot play")
    return [re.sub(r"\d{4}-\d{2}-\d{2}", "YYYY-MM-DD", line) for line in shown]


def test_docs_cli_sessions_print_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every console block of docs/cli.md marked as run shows exactly what its commands print (user add included), in one database, in order."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TEAMACCESS_PLATFORM_ADMINS", raising=False)
    monkeypatch.delenv("TEAMACCESS_USER", raising=False)
    sessions = docs_sessions(DOCS_CLI.read_text(encoding="utf-8"))
    assert len(sessions) == 2
    for session in sessions:
        expected = [re.sub(r"\d{4}-\d{2}-\d{2}", "YYYY-MM-DD", line)
                    for line in session.splitlines()]  # fmt: skip
        assert play(session, monkeypatch) == expected


def test_grants_expire_due_and_expiring(
    ta: TeamAccess, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """R-TIME-2, R-TIME-3: `grants expiring` lists a membership ending soon; `grants expire-due --now` ends it once with its event and prints the schedule hint, as JSON too."""
    from datetime import datetime, timedelta, timezone

    soon = datetime.now(timezone.utc) + timedelta(days=3)
    ta.members.add("anna", "acme", "lea", expires_at=soon)
    code, out, err = run(capsys, "grants", "expiring", "--db", db, "--company", "acme",
                         "--days", "7", "--as", "anna")  # fmt: skip
    assert (code, err) == (0, "")
    assert "lea" in out
    assert soon.isoformat() in out
    code, out, _ = run(capsys, "grants", "expire-due", "--db", db, "--json")
    assert code == 0
    assert json.loads(out) == {
        "expired": [], "more": False, "next_due": soon.isoformat(), "sleep_seconds": 3600,
    }  # fmt: skip
    later = (soon + timedelta(seconds=1)).isoformat()
    code, out, _ = run(capsys, "grants", "expire-due", "--db", db, "--now", later)
    assert code == 0
    assert "1 grant(s) expired; next due: none" in out
    assert "lea" not in [m.user_id for m in ta.members.list("anna", "acme")]
    code, out, _ = run(capsys, "grants", "expire-due", "--db", db, "--now", later)
    assert "0 grant(s) expired" in out
    code, _, err = run(capsys, "grants", "expire-due", "--db", db, "--now", "tomorrow")
    assert code == 2
    assert "ISO 8601" in err
