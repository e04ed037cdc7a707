"""The seed recipe's fixtures, as its post writes them: one connection for
the run, the tables created once, and every test in a transaction with a
SAVEPOINT restarted after each commit or rollback of the application."""

import factory
import pytest
from sqlalchemy import event

from shelf import Author, Base, Book, Session, get_engine


@pytest.fixture(scope="session")
def connection():
    engine = get_engine()
    connection = engine.connect()
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def setup_db(connection, request):
    Base.metadata.drop_all(bind=connection)
    Base.metadata.create_all(bind=connection)

    def teardown():
        Base.metadata.drop_all(bind=connection)

    request.addfinalizer(teardown)


@pytest.fixture(autouse=True)
def session(connection, setup_db, request):
    transaction = connection.begin()
    session = Session(bind=connection)
    session.begin_nested()

    @event.listens_for(session, "after_transaction_end")
    def restart_savepoint(db_session, transaction):
        if transaction.nested and not transaction._parent.nested:
            session.expire_all()
            session.begin_nested()

    def teardown():
        Session.remove()
        transaction.rollback()

    request.addfinalizer(teardown)
    return session


class AuthorFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        model = Author
        sqlalchemy_session = Session
        sqlalchemy_session_persistence = "commit"

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: "author%d@example.com" % n)


class BookFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        model = Book
        sqlalchemy_session = Session
        sqlalchemy_session_persistence = "commit"

    title = factory.Faker("sentence", nb_words=4)
    isbn = factory.Sequence(lambda n: "978-%d" % (1000000 + n))
