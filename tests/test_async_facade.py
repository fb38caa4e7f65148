"""AsyncTeamAccess: the same namespaces and methods as TeamAccess, awaitable; MemoryStore under it."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from teamaccess import AsyncTeamAccess, MemoryStore, TeamAccess
from teamaccess.errors import AccessDenied, InvalidName
from teamaccess.testing import FrozenClock, SequentialIds, SequentialTokens, make_service

SYNC = TeamAccess(MemoryStore())
ASYNC = AsyncTeamAccess(MemoryStore())


def _namespaces(service: object) -> dict[str, object]:
    return {name: value for name, value in vars(service).items() if not name.startswith("_")}


def _methods(namespace: object) -> dict[str, inspect.Signature]:
    """Public method names and signatures; an awaitable twin shows the method it wraps."""
    methods = {}
    for name in dir(type(namespace)):
        if not name.startswith("_"):
            method = getattr(type(namespace), name)
            methods[name] = inspect.signature(getattr(method, "__wrapped__", method))
    return methods


def test_every_namespace_and_method_has_an_awaitable_twin() -> None:
    """Adding a method to a namespace without its awaitable twin (or renaming one) fails here."""
    assert _namespaces(SYNC).keys() == _namespaces(ASYNC).keys()
    for name, namespace in _namespaces(SYNC).items():
        twin = _namespaces(ASYNC)[name]
        assert _methods(namespace) == _methods(twin), name
        for method in _methods(twin):
            assert inspect.iscoroutinefunction(getattr(twin, method)), f"{name}.{method}"
            assert getattr(twin, method).__doc__ == getattr(namespace, method).__doc__
    for method in ("check", "require"):
        assert inspect.iscoroutinefunction(getattr(ASYNC, method))
        assert inspect.signature(getattr(ASYNC, method)) == inspect.signature(getattr(SYNC, method))


def test_memory_store_under_the_async_facade_gives_the_sync_answers() -> None:
    """The same history on TeamAccess and AsyncTeamAccess (both in memory) gives equal answers and errors."""
    sync = make_service()

    async def history(ata: AsyncTeamAccess) -> list[object]:
        answers: list[object] = []
        for user in ("anna", "ben", "cleo"):
            answers.append(await ata.users.register(user, f"{user}@example.com"))
        company = await ata.companies.create("anna", "ACME", company_id="acme")
        answers.append(company)
        answers.append(await ata.members.add("anna", "acme", "ben"))
        answers.append(await ata.check("ben", "acme", "add_member"))
        answers.append(await ata.check("cleo", "acme", "view_members"))
        with pytest.raises(AccessDenied) as caught:
            await ata.require("cleo", "acme", "add_member")
        answers.append(str(caught.value))
        with pytest.raises(AccessDenied) as caught:
            await ata.members.remove("cleo", "acme", "ben")
        answers.append(str(caught.value))
        with pytest.raises(InvalidName):
            await ata.check("", "acme", "view_members")
        answers.append(await ata.members.list("anna", "acme"))
        answers.append(await ata.outbox.count_pending())
        return answers

    ata = AsyncTeamAccess(
        MemoryStore(), clock=FrozenClock(), ids=SequentialIds(), tokens=SequentialTokens()
    )
    got = asyncio.run(history(ata))

    expected: list[object] = [
        sync.users.register(u, f"{u}@example.com") for u in ("anna", "ben", "cleo")
    ]
    expected.append(sync.companies.create("anna", "ACME", company_id="acme"))
    expected.append(sync.members.add("anna", "acme", "ben"))
    expected.append(sync.check("ben", "acme", "add_member"))
    expected.append(sync.check("cleo", "acme", "view_members"))
    with pytest.raises(AccessDenied) as caught:
        sync.require("cleo", "acme", "add_member")
    expected.append(str(caught.value))
    with pytest.raises(AccessDenied) as caught:
        sync.members.remove("cleo", "acme", "ben")
    expected.append(str(caught.value))
    expected.append(sync.members.list("anna", "acme"))
    expected.append(sync.outbox.count_pending())
    assert got == expected


def test_concurrent_awaits_on_the_memory_store_keep_exactly_one_main_contact() -> None:
    """R-MC-1: 50 concurrent member additions through the async facade: all join, one main contact."""

    async def crowd() -> AsyncTeamAccess:
        ata = AsyncTeamAccess(MemoryStore())
        await ata.users.register("anna", "anna@example.com")
        await ata.companies.create("anna", "ACME", company_id="acme")
        users = [f"u{i}" for i in range(50)]
        await asyncio.gather(*(ata.users.register(u, f"{u}@example.com") for u in users))
        await asyncio.gather(*(ata.members.add("anna", "acme", u) for u in users))
        return ata

    ata = asyncio.run(crowd())
    members = asyncio.run(ata.members.list("anna", "acme"))
    assert len(members) == 51
    assert [m.user_id for m in members if m.is_main_contact] == ["anna"]


def test_the_descriptor_shows_itself_on_the_class() -> None:
    """``AsyncMembers.add`` on the class is the descriptor, documented like ``Members.add``."""
    from teamaccess.service.async_namespaces import AsyncMembers, awaitable
    from teamaccess.service.members import Members

    assert isinstance(AsyncMembers.__dict__["add"], awaitable)
    assert AsyncMembers.add.__doc__ == Members.add.__doc__
