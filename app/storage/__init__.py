"""The secure storage area: the user's storage key (``storage_key``), sealing at rest
(``sealed``), replacing a file all or nothing (``atomic_files``) and the staged working
copies (``staging``)."""
