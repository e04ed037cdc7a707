"""The application of the seed's scenario: its models, its scoped session
(the recipe's myapp/db.py) and a service that commits and rolls back on its
own. SCENARIO_URL is the SQLAlchemy URL of the database."""

import os

from sqlalchemy import Column, ForeignKey, Integer, String, create_engine
from sqlalchemy.orm import declarative_base, scoped_session, sessionmaker

Session = scoped_session(sessionmaker())
Base = declarative_base()


def get_engine():
    return create_engine(os.environ["SCENARIO_URL"])


class Author(Base):
    __tablename__ = "authors"
    id = Column(Integer, primary_key=True)
    name = Column(String(80), nullable=False)
    email = Column(String(120), nullable=False, unique=True)


class Book(Base):
    __tablename__ = "books"
    id = Column(Integer, primary_key=True)
    author_id = Column(Integer, ForeignKey("authors.id"), nullable=False)
    title = Column(String(200), nullable=False)
    isbn = Column(String(20), nullable=False, unique=True)
    published = Column(Integer, nullable=False, default=0)


def publish(author_id):
    Session.query(Book).filter_by(author_id=author_id).update({"published": 1})
    Session.commit()


def reassign(book_id, to):
    """Moves a book to another author; an unknown author rolls back."""
    book = Session.get(Book, book_id)
    book.published = 0
    Session.flush()
    if Session.get(Author, to) is None:
        Session.rollback()
        return False
    book.author_id = to
    Session.commit()
    return True
