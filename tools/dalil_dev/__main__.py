"""`python -m tools.dalil_dev` (from the repository root)."""
from tools.dalil_dev.cli import main

main()
