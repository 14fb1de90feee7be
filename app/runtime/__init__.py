"""What a running Bifoga holds and starts: its services (``services``: the gateway client,
the identity provider, the session, the staging area, the workers, the outbox), the jobs
table the isolated workers are started with (``worker_ops``) and the log filter that keeps
personnummer and tokens out of logs (``logging_filter``)."""
