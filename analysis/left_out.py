"""The words for rows a load leaves out because they are not this organisation's (a company in a
ticket export, an e-mail domain in a user id).

A client (client_uploader) must not learn from them which companies or domains belong to other
clients: for a client the message for another client's company or domain and for one nobody
has are the same, and the rows are treated the same. The provider's staff (is_provider) see
which it is, so they can map a company or fix a file.
"""

from __future__ import annotations

from collections.abc import Callable

from analysis.access import Principal


def company_reason(principal: Principal, company: str, mapped_elsewhere: bool) -> str:
    """Why a row of a company not mapped to this organisation is left out."""
    if not principal.is_provider:
        return f"company {company!r} is not mapped to this organisation: ask your provider to map it"
    if mapped_elsewhere:
        return f"company {company!r} is mapped to another organisation: load the export there for its rows"
    return f"company {company!r} is not mapped to an organisation: map it on the Data page"


def companies_summary(principal: Principal, rows: int, shown: list[tuple[str, int, bool]], more: int) -> str:
    """The preview's line on left-out companies; shown: (company, rows, not mapped to anyone)."""
    provider = principal.is_provider
    names = ", ".join(
        f"{name} ({rows_of} row{'' if rows_of == 1 else 's'}{', not mapped yet' if unmapped and provider else ''})"
        for name, rows_of, unmapped in shown
    )
    tail = f" and {more} more" if more else ""
    if provider:
        return (
            f"{rows:,} rows of other companies were left out: {names}{tail}. Map a company to its organisation "
            "on the Data page"
        )
    counted = "1 row names a company that is" if rows == 1 else f"{rows:,} rows name companies that are"
    return (
        f"{counted} not mapped to this organisation, left out: {names}{tail}. Ask your provider to map a "
        "company that is yours"
    )


def domain_check(principal: Principal, own: set[str], foreign: set[str]) -> Callable[[str], str | None]:
    """A function: the domain of a user id -> why the row is not this organisation's, or None.

    Providers: a domain of another organisation is refused (the file is probably the wrong
    client's). Clients: when the organisation has e-mail domains, every other domain is refused
    alike (known to another client or not); when it has none, no domain is refused."""
    if principal.is_provider:
        return lambda domain: (
            (f"the domain {domain} belongs to another organisation: this row is not for this organisation")
            if domain in foreign
            else None
        )
    if not own:
        return lambda _domain: None
    listed = ", ".join(sorted(own))

    def check(domain: str) -> str | None:
        if domain in own or any(domain.endswith("." + d) for d in own):
            return None
        return f"the domain {domain} is not one of this organisation's e-mail domains ({listed})"

    return check
