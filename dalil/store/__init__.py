"""Storage: the `Store` interface (base/) and its backends (sqlite/)."""
