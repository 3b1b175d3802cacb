"""The only SSH algorithms the client accepts. deploy/sftp/sshd_config offers the same set.

asyncssh's defaults include SHA-1 key exchange (group14-sha1) and CBC/CTR ciphers, so every
list is passed explicitly on each connection.
"""

from __future__ import annotations

KEX = ("curve25519-sha256",)
CIPHERS = ("aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com")
# Unused with the AEAD ciphers above, but the protocol negotiates a MAC anyway.
MACS = ("hmac-sha2-512-etm@openssh.com", "hmac-sha2-256-etm@openssh.com")
HOST_KEYS = ("ssh-ed25519", "rsa-sha2-512")
CLIENT_SIGNATURES = ("ssh-ed25519", "rsa-sha2-512")
COMPRESSION = ("none",)
MIN_RSA_BITS = 3072
