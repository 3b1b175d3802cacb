"""A real OpenSSH sshd on this machine, with the hardened config, for tests, benchmarks and
`edimesh local`. Needs root (chroot, per-partner Unix accounts) and Debian's openssh-server.

    with LocalSshd(base=Path("/var/lib/edimesh-test/s1"), group="edt1a2b") as sshd:
        account = sshd.add_account("edt1a2b1", client_public_key)
        ...  # account.inbound is the partner's /inbound, seen from this machine
"""

from edimesh.localsftp.accounts import Account, sweep_stale_accounts
from edimesh.localsftp.errors import SshdError
from edimesh.localsftp.keys import KeyPair, generate_key
from edimesh.localsftp.server import LocalSshd
from edimesh.localsftp.template import DEFAULT_TEMPLATE, render

__all__ = [
    "DEFAULT_TEMPLATE",
    "Account",
    "KeyPair",
    "LocalSshd",
    "SshdError",
    "generate_key",
    "render",
    "sweep_stale_accounts",
]
