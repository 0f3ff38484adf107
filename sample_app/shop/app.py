"""A stdlib-only WSGI application exposing a few JSON endpoints.

GET  /health          -> {"status": "ok"}
GET  /products        -> list of products
GET  /customers/<id>  -> one customer, with loyalty points
POST /orders          -> create an order, body:
                         {"customer_id": 1, "items": [{"product_id": 2, "quantity": 1}]}
GET  /orders/<id>     -> one order with its items, total and the customer's loyalty points

Loyalty points are behind the revision-bound flag `loyalty_points` (see features.py): when it
is off, no points are awarded and `loyalty_points` is left out of the responses, as before
0008_loyalty_points.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from flags import FlagClient
from sample_app.shop.db import make_engine, make_sessionmaker
from sample_app.shop.features import LOYALTY, make_flags
from sample_app.shop.models import Customer, Order, OrderItem, Product

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Json = dict[str, Any] | list[Any]


@dataclass(frozen=True)
class Request:
    environ: dict[str, Any]
    params: dict[str, str]
    flags: FlagClient

    def loyalty(self, customer: Customer) -> bool:
        """Whether loyalty points exist for this customer (the flag; off below 0008)."""
        return self.flags.is_enabled(LOYALTY, {"userId": str(customer.id)})


Handler = Callable[[Session, Request], tuple[HTTPStatus, Json]]

MAX_BODY_BYTES = 64 * 1024


class HTTPError(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def product_json(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "price_cents": product.price_cents,
        "price": money(product.price_cents),
        "stock": product.stock,
    }


def customer_json(customer: Customer, *, loyalty: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": customer.id,
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "full_name": customer.full_name,
    }
    if loyalty:  # the column is deferred: it is read only here, only when the flag is on
        body["loyalty_points"] = customer.loyalty_points
    return body


def order_json(order: Order, *, loyalty: bool) -> dict[str, Any]:
    return {
        "id": order.id,
        "status": order.status,
        "created_at": order.created_at.isoformat() if order.created_at else None,
        "customer": customer_json(order.customer, loyalty=loyalty),
        "items": [
            {
                "product_id": item.product_id,
                "sku": item.product.sku,
                "name": item.product.name,
                "quantity": item.quantity,
                "unit_price_cents": item.unit_price_cents,
            }
            for item in order.items
        ],
        "total_cents": order.total_cents,
        "total": money(order.total_cents),
    }


def read_json(environ: dict[str, Any]) -> Any:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        raise HTTPError(HTTPStatus.BAD_REQUEST, "a JSON body is required")
    if length > MAX_BODY_BYTES:
        raise HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
    try:
        return json.loads(environ["wsgi.input"].read(length))
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPError(HTTPStatus.BAD_REQUEST, f"invalid JSON: {exc}") from exc


def positive_int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise HTTPError(HTTPStatus.BAD_REQUEST, f"{field} must be a positive integer")
    return value


def load_order(session: Session, order_id: int) -> Order:
    order = session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .options(
            selectinload(Order.items).selectinload(OrderItem.product),
            selectinload(Order.customer),
        )
    )
    if order is None:
        raise HTTPError(HTTPStatus.NOT_FOUND, f"order {order_id} not found")
    return order


# --- handlers -----------------------------------------------------------------------------


def health(session: Session, request: Request) -> tuple[HTTPStatus, Json]:
    return HTTPStatus.OK, {"status": "ok"}


def list_products(session: Session, request: Request) -> tuple[HTTPStatus, Json]:
    products = session.scalars(select(Product).order_by(Product.id))
    return HTTPStatus.OK, [product_json(p) for p in products]


def show_customer(session: Session, request: Request) -> tuple[HTTPStatus, Json]:
    customer = session.get(Customer, int(request.params["id"]))
    if customer is None:
        raise HTTPError(HTTPStatus.NOT_FOUND, f"customer {request.params['id']} not found")
    return HTTPStatus.OK, customer_json(customer, loyalty=request.loyalty(customer))


def show_order(session: Session, request: Request) -> tuple[HTTPStatus, Json]:
    order = load_order(session, int(request.params["id"]))
    return HTTPStatus.OK, order_json(order, loyalty=request.loyalty(order.customer))


def create_order(session: Session, request: Request) -> tuple[HTTPStatus, Json]:
    body = read_json(request.environ)
    if not isinstance(body, dict):
        raise HTTPError(HTTPStatus.BAD_REQUEST, "body must be a JSON object")
    customer = session.get(Customer, positive_int(body.get("customer_id"), "customer_id"))
    if customer is None:
        raise HTTPError(HTTPStatus.NOT_FOUND, "customer not found")
    lines = body.get("items")
    if not isinstance(lines, list) or not lines:
        raise HTTPError(HTTPStatus.BAD_REQUEST, "items must be a non-empty list")

    order = Order(customer=customer, status="pending")
    session.add(order)
    for line in lines:
        if not isinstance(line, dict):
            raise HTTPError(HTTPStatus.BAD_REQUEST, "each item must be an object")
        product_id = positive_int(line.get("product_id"), "product_id")
        quantity = positive_int(line.get("quantity", 1), "quantity")
        product = session.get(Product, product_id, with_for_update=True)
        if product is None:
            raise HTTPError(HTTPStatus.NOT_FOUND, f"product {product_id} not found")
        if product.stock < quantity:
            raise HTTPError(HTTPStatus.CONFLICT, f"not enough stock for {product.sku}")
        product.stock -= quantity
        order.items.append(
            OrderItem(product=product, quantity=quantity, unit_price_cents=product.price_cents)
        )
    loyalty = request.loyalty(customer)
    if loyalty:
        customer.loyalty_points += order.total_cents // 100
    session.commit()
    return HTTPStatus.CREATED, order_json(load_order(session, order.id), loyalty=loyalty)


ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    ("GET", re.compile(r"/health"), health),
    ("GET", re.compile(r"/products"), list_products),
    ("GET", re.compile(r"/customers/(?P<id>\d+)"), show_customer),
    ("POST", re.compile(r"/orders"), create_order),
    ("GET", re.compile(r"/orders/(?P<id>\d+)"), show_order),
]


class ShopApp:
    """The WSGI callable. One database session per request; `flags` default: `make_flags`."""

    def __init__(self, engine: Engine, flags: FlagClient | None = None) -> None:
        self.engine = engine
        self.sessions = make_sessionmaker(engine)
        self.flags = flags if flags is not None else make_flags(engine)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO") or "/"
        try:
            status, body = self.dispatch(method, path.rstrip("/") or "/", environ)
        except HTTPError as exc:
            status, body = exc.status, {"error": exc.message}
        payload = json.dumps(body).encode()
        start_response(
            f"{status.value} {status.phrase}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]

    def dispatch(self, method: str, path: str, environ: dict[str, Any]) -> tuple[HTTPStatus, Json]:
        path_matched = False
        for route_method, pattern, handler in ROUTES:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            path_matched = True
            if route_method == method:
                with self.sessions() as session:
                    return handler(session, Request(environ, match.groupdict(), self.flags))
        if path_matched:
            raise HTTPError(HTTPStatus.METHOD_NOT_ALLOWED, f"{method} not allowed on {path}")
        raise HTTPError(HTTPStatus.NOT_FOUND, f"no route for {path}")


def make_app(url: str | None = None) -> ShopApp:
    return ShopApp(make_engine(url))
