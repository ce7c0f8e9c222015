"""Who may do what: principals, roles and the permission table.

A principal is whoever is asking: the local operator (the command line and an app started
without accounts) or a signed-in person. Every read or write of a client's data is checked
here, through analysis.scope.open_scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("admin", "account_manager", "client_viewer", "client_uploader")
PROVIDER_ROLES = frozenset({"admin", "account_manager"})  # the MSP's people
CLIENT_ROLES = frozenset(ROLES) - PROVIDER_ROLES  # the client's leadership: one organisation each


def role_name(role: str) -> str:
    """A role as people read it: "client viewer", not "client_viewer"."""
    return role.replace("_", " ")


# action -> roles allowed (within the organisations granted to them; admin has every one)
PERMISSIONS: dict[str, frozenset[str]] = {
    "view": frozenset(ROLES),
    "export": frozenset(ROLES),
    "upload": PROVIDER_ROLES | {"client_uploader"},
    "undo": PROVIDER_ROLES | {"client_uploader"},
    "configure": PROVIDER_ROLES,
    "annotate": PROVIDER_ROLES,
    "portfolio": PROVIDER_ROLES,  # every organisation one may see, side by side (pages/portfolio.py)
    "manage_organisations": frozenset({"admin"}),
    "manage_users": frozenset({"admin"}),
}


class AccessDenied(PermissionError):
    """The principal may not do this to this organisation (the message never names others)."""


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    org_ids: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")

    @property
    def is_provider(self) -> bool:
        return self.role in PROVIDER_ROLES

    @property
    def is_client(self) -> bool:
        return self.role in CLIENT_ROLES

    def has_permission(self, action: str) -> bool:
        """Whether the role may do this at all (which pages to list); may() also checks the organisation."""
        return self.role in PERMISSIONS.get(action, frozenset())

    def may_see(self, org_id: object) -> bool:
        if not isinstance(org_id, int) or isinstance(org_id, bool):
            return False
        return self.role == "admin" or org_id in self.org_ids

    def may(self, action: str, org_id: object) -> bool:
        return self.has_permission(action) and self.may_see(org_id)


# The provider's operator on the server: the command line, and the app while it has no accounts.
OPERATOR = Principal(name="operator", role="admin")
