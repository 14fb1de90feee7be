"""What the client and the sandbox gateway share: the words of the domain (``model``), the
gateway's limits (``limits``), the sign-off's subject and digest (``review``), personal
identity numbers (``identifiers``), the accepted file types (``filetypes``) and the file-name
rules (``filenames``). Plain data and pure functions, importing nothing else of ``app``:
the sandbox imports only this room (a contract in pyproject.toml)."""
