"""`dalil serve`: the web interface and the JSON API over `dalil.Archive`."""
from dalil.web.app import create_app

__all__ = ["create_app"]
