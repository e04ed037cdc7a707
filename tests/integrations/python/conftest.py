import pytest

import odbctx
import inventory_app


class CustomerFactory(odbctx.Factory):
    table = "customers"
    name = odbctx.Sequence(lambda n: "Customer %d" % n)
    email = odbctx.LazyAttribute(lambda c: c.name.lower().replace(" ", ".") + "@example.com")


class ProductFactory(odbctx.Factory):
    table = "products"
    sku = odbctx.Sequence(lambda n: "SKU-%05d" % n)
    name = "widget"
    price_cents = 250
    stock = 10


class CommittedProductFactory(ProductFactory):
    # Like factory_boy's sqlalchemy_session_persistence = "commit".
    persistence = "commit"
    sku = odbctx.Sequence(lambda n: "CSKU-%05d" % n)


@pytest.fixture(autouse=True)
def configure_app(odbctx_session):
    inventory_app.CONNECT = odbctx.connection_string()


@pytest.fixture
def app_conn():
    """The application's own connection, opened the way it opens it."""
    conn = inventory_app.connect()
    yield conn
    conn.close()
