"""contactpoint: the open platform for the EU cyber crime contact points."""

__version__ = "0.1.0"
