"""transfer: partner SFTP inbound directories → staging area → one FileStaged event per file.

Per partner: list the inbound directory, take the files that are complete, download each over a
hardened SSH connection into `staging/<partner>/<id>.part` while hashing it, promote it to
`staging/<partner>/<sha256>`, publish `FileStaged` (with the staged-files ledger, in one Kafka
transaction), and only then archive or delete the remote file. Content already in the ledger is
not published again.
"""
