"""The seed's scenario: the tests of bench/scenario/odbctx_suite.cpp, with
the recipe's pytest fixtures, SQLAlchemy and factory_boy."""

import os

import pytest

import shelf
from conftest import AuthorFactory, BookFactory
from shelf import Author, Book

RUNS = int(os.environ.get("SCENARIO_RUNS", "200"))


@pytest.mark.parametrize("run", range(RUNS))
def test_a_service_publishes_an_authors_books(session, run):
    authors = AuthorFactory.create_batch(5)
    books = BookFactory.create_batch(5, author_id=authors[0].id)
    assert len(books) == 5
    shelf.publish(authors[0].id)
    assert session.query(Book).filter_by(published=1).count() == 5
    assert session.query(Author).filter_by(email=authors[1].email).one_or_none()


def test_an_app_rollback_in_an_error_path_keeps_the_last_commit(session):
    a = AuthorFactory.create()
    b = BookFactory.create(author_id=a.id)
    shelf.publish(a.id)
    assert not shelf.reassign(b.id, a.id + 1000)
    assert session.query(Book).filter_by(published=1).count() == 1


def test_the_recipes_factory_test(session):
    obj = AuthorFactory(name="foobar")
    assert obj
    assert session.query(Author).filter_by(name="foobar").one_or_none()


def test_nothing_is_left_behind(session):
    assert session.query(Author).count() == 0
    assert session.query(Book).count() == 0
