"""How Bifoga reaches the network: HTTPS sessions verified against the OS trust store,
made at the first call (``transport``), for the gateway and the identity provider alike."""
