"""Link tokens: random, stored hashed, single use, expiring, revocable, compared in constant time."""
import base64
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from portal.models import AccessToken, TokenPurpose
from portal.models.base import utcnow
from portal.services import passwords, tokens
from portal.services.actor import Actor
from portal.services.tokens import TokenError


def _issue(db, user, purpose=TokenPurpose.magic_link, ttl=timedelta(minutes=15)):
    raw = tokens.issue(purpose, user=user, ttl=ttl)
    db.session.commit()
    return raw


def _reason(purpose, raw) -> str:
    with pytest.raises(TokenError) as caught:
        tokens.redeem(purpose, raw)
    return caught.value.reason


def test_tokens_carry_256_random_bits_and_differ_every_time(db, make):
    user = make.contact()
    raws = {_issue(db, user) for _ in range(20)}
    assert len(raws) == 20
    for raw in raws:
        assert len(base64.urlsafe_b64decode(raw + "=")) == 32


def test_only_the_sha256_of_a_token_is_stored(db, make):
    user = make.contact()
    raw = _issue(db, user)
    rows = db.session.execute(text("SELECT * FROM access_token")).all()
    assert len(rows) == 1
    assert all(raw not in str(value) for value in rows[0])
    stored = db.session.execute(select(AccessToken)).scalar_one()
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()


def test_a_token_is_single_use(db, make):
    user = make.contact()
    raw = _issue(db, user)
    assert tokens.redeem(TokenPurpose.magic_link, raw).user_id == user.id
    db.session.commit()
    assert _reason(TokenPurpose.magic_link, raw) == "used"


def test_peek_validates_without_using_up(db, make):
    user = make.contact()
    raw = _issue(db, user)
    tokens.peek(TokenPurpose.magic_link, raw)
    tokens.peek(TokenPurpose.magic_link, raw)
    db.session.commit()
    assert tokens.redeem(TokenPurpose.magic_link, raw).used_dt is not None


def test_an_expired_token_is_refused(db, make):
    user = make.contact()
    raw = _issue(db, user)
    token = db.session.execute(select(AccessToken)).scalar_one()
    token.expires_dt = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _reason(TokenPurpose.magic_link, raw) == "expired"


@pytest.mark.parametrize("raw", ["", "nope", "x" * 43, "x" * 500])
def test_unknown_tokens_are_refused(db, make, raw):
    _issue(db, make.contact())
    assert _reason(TokenPurpose.magic_link, raw) == "unknown"


def test_a_token_only_works_for_its_own_purpose(db, make):
    raw = _issue(db, make.contact(), purpose=TokenPurpose.password_reset)
    assert _reason(TokenPurpose.magic_link, raw) == "unknown"
    assert _reason(TokenPurpose.invitation, raw) == "unknown"


def test_revoke_for_user_withdraws_only_that_users_live_tokens(db, make):
    alice, bob = make.contact(), make.contact()
    alice_link, alice_reset = _issue(db, alice), _issue(db, alice, TokenPurpose.password_reset)
    bob_link = _issue(db, bob)
    assert tokens.revoke_for_user(alice, [TokenPurpose.magic_link]) == 1
    db.session.commit()
    assert _reason(TokenPurpose.magic_link, alice_link) == "revoked"
    assert tokens.peek(TokenPurpose.password_reset, alice_reset)
    assert tokens.peek(TokenPurpose.magic_link, bob_link)
    tokens.revoke_for_user(alice)
    db.session.commit()
    assert _reason(TokenPurpose.password_reset, alice_reset) == "revoked"


def test_a_password_change_withdraws_outstanding_sign_in_links(db, make):
    user = make.contact()
    links = {purpose: _issue(db, user, purpose) for purpose in passwords.SIGN_IN_PURPOSES}
    passwords.change_password(user, "a brand new passphrase", by=Actor.of(user))
    db.session.commit()
    for purpose, raw in links.items():
        assert _reason(purpose, raw) == "revoked"
    assert user.check_password("a brand new passphrase")


def test_two_redemptions_of_one_token_cannot_both_succeed(db, make):
    """The consuming UPDATE re-checks used_dt, so a second session that already read the
    row as unused still loses."""
    user = make.contact()
    raw = _issue(db, user)
    stale = tokens.peek(TokenPurpose.magic_link, raw)
    db.session.execute(text("UPDATE access_token SET used_dt = :now"), {"now": utcnow()})
    assert stale.used_dt is None  # this session still believes it is unused
    with pytest.raises(TokenError) as caught:
        tokens.redeem(TokenPurpose.magic_link, raw)
    assert caught.value.reason == "used"


def test_lookup_compares_the_hash_in_constant_time(db, make, monkeypatch):
    user = make.contact()
    raw = _issue(db, user)
    calls = []
    real = tokens.hmac.compare_digest
    monkeypatch.setattr(tokens.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    tokens.peek(TokenPurpose.magic_link, raw)
    assert calls == [(hashlib.sha256(raw.encode()).hexdigest(),) * 2]
