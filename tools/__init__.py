"""Development tools of the dalil repository (run from the repository root; not installed)."""
