"""`edimesh local`: the whole mesh on one machine, fed with samples or your files.

`runner.LocalRun` starts the broker, an SFTP source (`sftpd`), the services as child
processes (`processes`), feeds the inbox (`feed`, `samples`), watches the output topics
(`watch`, `tally`) and prints progress and a summary (`summary`, `display`).
"""
