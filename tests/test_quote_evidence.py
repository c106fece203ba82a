"""`portal quotes verify`: the signature chain and each record's evidence pass, and one changed byte fails."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from portal.models import QuoteSignature
from portal.services import quote_acceptance
from portal.services.actor import Actor
from portal.services.quote_snapshot import sha256_hex
from tests.test_quote_acceptance import make_priced_quote


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def signed(make, db):
    """Three accepted quotes, in this order."""
    quotes = []
    for n in range(3):
        quote = make_priced_quote(make, db, make.company(name=f"Client {n}"), tag=f"-{n}")
        quote_acceptance.accept(quote, quote_acceptance.Signing(f"Signer {n}", f"s{n}@example.com", True),
                                by=Actor.system())
        db.session.commit()
        quotes.append(quote)
    return quotes


def records(db) -> list[QuoteSignature]:
    return list(db.session.execute(select(QuoteSignature).order_by(QuoteSignature.id)).scalars())


def tamper(db, record: QuoteSignature, **values) -> None:
    """Change a stored record behind the application's back (the ORM refuses to)."""
    db.session.execute(update(QuoteSignature.__table__).where(QuoteSignature.__table__.c.id == record.id)
                       .values(**values))
    db.session.commit()
    db.session.expire_all()


def one_byte_changed(text: str) -> str:
    at = text.index('"title":"Warehouse racking"') + len('"title":"W')
    return text[:at] + "e" + text[at + 1:]  # "Warehouse" -> "Weehouse"... one character


def test_the_chain_links_every_record_to_the_one_before(signed, db):
    first, second, third = records(db)
    assert first.prev_hash == "0" * 64
    assert (second.prev_hash, third.prev_hash) == (first.record_hash, second.record_hash)


def test_verify_passes_on_untouched_evidence(runner, signed):
    result = runner.invoke(args=["quotes", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK: 3 signature record(s) chained, 3 checked in full." in result.output


def test_one_changed_byte_of_a_stored_snapshot_fails_verification(runner, signed, db):
    first = records(db)[0]
    tamper(db, first, snapshot=one_byte_changed(first.snapshot))
    result = runner.invoke(args=["quotes", "verify"])
    assert result.exit_code == 1
    assert f"FAIL record {first.id} (quote {signed[0].number}): the stored snapshot does not match its SHA-256" \
        in result.output


def test_a_snapshot_changed_with_its_hash_still_breaks_the_record_hash(runner, signed, db):
    second = records(db)[1]
    forged = second.snapshot.replace('"total":"1210.00"', '"total":"1.00"')
    tamper(db, second, snapshot=forged, snapshot_sha256=sha256_hex(forged))
    result = runner.invoke(args=["quotes", "verify"])
    assert result.exit_code == 1
    assert f"record {second.id} (quote {signed[1].number}): the record's fields do not match its record hash" \
        in result.output


def test_a_changed_pdf_or_a_removed_record_fails(runner, signed, db):
    _first, second, third = records(db)
    tamper(db, third, pdf=third.pdf[:-1] + bytes([third.pdf[-1] ^ 1]))
    db.session.execute(delete(QuoteSignature.__table__).where(QuoteSignature.__table__.c.id == second.id))
    db.session.commit()
    result = runner.invoke(args=["quotes", "verify"])
    assert result.exit_code == 1
    assert f"record {third.id} (quote {signed[2].number}): the stored PDF does not match its SHA-256" in result.output
    assert f"record {third.id} (quote {signed[2].number}): the chain is broken" in result.output


def test_verify_one_quote_checks_its_evidence_and_the_whole_chain(runner, signed, db):
    first = records(db)[0]
    tamper(db, first, snapshot=one_byte_changed(first.snapshot))
    assert runner.invoke(args=["quotes", "verify", "--quote", signed[2].number]).exit_code == 0
    result = runner.invoke(args=["quotes", "verify", "--quote", signed[0].number])
    assert result.exit_code == 1 and "the stored snapshot does not match" in result.output
    missing = runner.invoke(args=["quotes", "verify", "--quote", "Q-1999-9999"])
    assert missing.exit_code != 0 and "No quote numbered Q-1999-9999." in missing.output
