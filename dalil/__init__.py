"""dalil — an investigation workbench for released and leaked email archives."""
from dalil.archive import Archive

__version__ = "0.1.0"
__all__ = ["Archive", "__version__"]
