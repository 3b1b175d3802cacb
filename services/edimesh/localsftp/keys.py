"""Key pairs made with ssh-keygen (the same tool an operator would use)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from edimesh.localsftp.errors import SshdError


@dataclass(frozen=True, slots=True)
class KeyPair:
    private: Path  # mode 0600
    public_line: str  # "ssh-ed25519 AAAA... comment"

    @property
    def public_key(self) -> str:
        """The key without its comment: "ssh-ed25519 AAAA..."."""
        return " ".join(self.public_line.split()[:2])


def generate_key(path: Path, kind: str = "ed25519", bits: int | None = None) -> KeyPair:
    """A new unencrypted key pair at `path` and `path`.pub."""
    keygen = shutil.which("ssh-keygen")
    if keygen is None:
        raise SshdError("ssh-keygen not found: apt-get install openssh-client")
    command = [keygen, "-q", "-t", kind, "-N", "", "-C", "edimesh-test", "-f", str(path)]
    if bits is not None:
        command += ["-b", str(bits)]
    path.unlink(missing_ok=True)
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        command, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SshdError(f"ssh-keygen failed: {result.stderr.strip()}")
    path.chmod(0o600)
    public = path.with_name(path.name + ".pub").read_text(encoding="ascii").strip()
    return KeyPair(path, public)
