"""The isolated worker processes that parse and draw untrusted files (``worker``). It runs
the jobs table it is started with (``app.runtime.worker_ops``) and knows none of them."""
