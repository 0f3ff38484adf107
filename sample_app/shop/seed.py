"""Demo data. Idempotent: does nothing if the catalogue already has products."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from sample_app.shop.db import make_sessionmaker
from sample_app.shop.models import Customer, Order, OrderItem, Product

CUSTOMERS = [
    ("ada@example.com", "Ada", "Lovelace"),
    ("grace@example.com", "Grace", "Hopper"),
    ("alan@example.com", "Alan", "Turing"),
]

PRODUCTS = [
    ("MUG-001", "Enamel mug", 1250, 40),
    ("TEE-001", "Logo t-shirt", 2400, 25),
    ("STK-001", "Sticker pack", 499, 200),
    ("NTB-001", "Dot-grid notebook", 1599, 60),
]


def seed(engine: Engine) -> bool:
    """Insert demo rows. Returns False if the database was already seeded."""
    with make_sessionmaker(engine)() as session, session.begin():
        if session.scalar(select(func.count()).select_from(Product)):
            return False
        customers = [
            Customer(email=email, first_name=first, last_name=last)
            for email, first, last in CUSTOMERS
        ]
        products = [Product(sku=s, name=n, price_cents=p, stock=q) for s, n, p, q in PRODUCTS]
        session.add_all([*customers, *products])
        mug, tee = products[0], products[1]
        order = Order(
            customer=customers[0],
            status="paid",
            items=[
                OrderItem(product=mug, quantity=2, unit_price_cents=mug.price_cents),
                OrderItem(product=tee, quantity=1, unit_price_cents=tee.price_cents),
            ],
        )
        mug.stock -= 2
        tee.stock -= 1
        customers[0].loyalty_points = order.total_cents // 100
        session.add(order)
    return True
