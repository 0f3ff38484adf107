"""Command line entry point: ``python -m sample_app.shop {serve,seed}``."""

from __future__ import annotations

import argparse
import contextlib
import sys
from wsgiref.simple_server import make_server

from sqlalchemy import inspect

from sample_app.shop.app import ShopApp
from sample_app.shop.db import database_url, make_engine
from sample_app.shop.features import LOYALTY, LOYALTY_REVISION, register_flags
from sample_app.shop.models import Base
from sample_app.shop.seed import seed


def check_schema(url: str) -> bool:
    engine = make_engine(url)
    try:
        missing = set(Base.metadata.tables) - set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    if missing:
        print(
            f"database {url} is missing tables {sorted(missing)}; migrate it first, e.g.\n"
            "    alembic -c sample_app/alembic.ini upgrade head",
            file=sys.stderr,
        )
    return not missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_app.shop", description=__doc__)
    parser.add_argument("--url", default=None, help="database URL (default: SHOP_DATABASE_URL)")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="run the JSON API with wsgiref")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    commands.add_parser("seed", help="insert demo customers, products and an order")
    args = parser.parse_args(argv)

    url = args.url or database_url()
    if not check_schema(url):
        return 1
    engine = make_engine(url)
    try:
        if args.command == "seed":
            inserted = seed(engine)
            print("seeded demo data" if inserted else "already seeded; nothing to do")
            if register_flags(engine):
                print(f"registered the flag {LOYALTY} (requires {LOYALTY_REVISION})")
            return 0
        shop = ShopApp(engine)
        try:
            with make_server(args.host, args.port, shop) as server:
                print(f"shop listening on http://{args.host}:{args.port} (database: {url})")
                with contextlib.suppress(KeyboardInterrupt):
                    server.serve_forever()
        finally:
            shop.flags.close()
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
