"""A tiny web shop: SQLAlchemy models, a stdlib WSGI app and a CLI (serve / seed)."""

from sample_app.shop.app import ShopApp, make_app
from sample_app.shop.db import database_url, make_engine

__all__ = ["ShopApp", "database_url", "make_app", "make_engine"]
