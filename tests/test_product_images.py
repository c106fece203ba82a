"""Product pictures: staff upload them on the product screen; they are checked by content and served safely."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from webtest import Upload

from portal.demo.pictures import png
from portal.models import ProductImage, ProductVisibility
from portal.services.uploads import sniff
from tests.fixtures_admin import model_form

PNG = png((255, 255, 255), (0, 0, 0), 1)


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="GIF")
    return out.getvalue()


GIF = _gif()


def test_sniffing_knows_the_four_accepted_kinds_and_nothing_else():
    assert sniff(PNG[:16]) == "png"
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "jpeg"
    assert sniff(GIF[:16]) == "gif"
    assert sniff(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "webp"
    for other in (b"<svg xmlns='http://www.w3.org/2000/svg'>", b"<html><script>", b"%PDF-1.7", b""):
        assert sniff(other) is None


@pytest.fixture
def product(make):
    make.tier("STD", "Standard", is_default=True)
    return make.product(name="Cordless drill")


def upload(admin, product, filename: str, content: bytes, alt: str = ""):
    form = model_form(admin.get(f"/admin/product/edit/?id={product.id}"))
    form["new_picture"] = Upload(filename, content)
    form["new_picture_alt"] = alt
    return form.submit()


def test_staff_upload_a_picture_and_customers_get_it_with_safe_headers(admin, make, db, product, testapp, login):
    assert upload(admin, product, "drill.png", PNG, alt="The drill, side view").status_int == 302
    image = db.session.query(ProductImage).filter_by(product_id=product.id).one()
    assert image.alt_text == "The drill, side view" and "drill" not in image.path
    # a GIF called .jpg is stored and served as what it is
    assert upload(admin, product, "photo.jpg", GIF).status_int == 302
    gif = db.session.query(ProductImage).filter_by(product_id=product.id).order_by(ProductImage.id.desc()).first()
    assert gif.path.endswith(".gif") and gif.alt_text == "Cordless drill" and gif.position == 1

    customer = type(testapp)(testapp.app)
    login(customer, make.contact(make.company(), role="Viewer"))
    page = customer.get(f"/shop/product/{product.id}")
    assert [img["alt"] for img in page.html.select(".product-pictures img")] == ["The drill, side view",
                                                                               "Cordless drill"]
    assert page.html.select(".product-pictures img")[0]["src"] == f"/shop/image/{image.id}"
    res = customer.get(f"/shop/image/{image.id}")
    assert res.body == PNG and res.content_type == "image/png"
    assert res.headers["X-Content-Type-Options"] == "nosniff"
    assert res.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "private" in res.headers["Cache-Control"] and "public" not in res.headers["Cache-Control"]
    assert customer.get(f"/shop/image/{gif.id}").content_type == "image/gif"
    listing = customer.get("/shop/")
    assert listing.html.select_one(".product-thumb img")["src"] == f"/shop/image/{image.id}"


@pytest.mark.parametrize("filename, content", [
    ("evil.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    ("page.html", b"<html><script>alert(1)</script></html>"),
    ("big.png", PNG[:16] + b"\x00" * (5 * 1024 * 1024)),
    ("polyglot.png", PNG + b"<script>alert(1)</script>"),
    ("truncated.png", PNG[:40]),
])
def test_anything_but_an_accepted_picture_is_refused_and_nothing_is_saved(admin, db, product, filename, content):
    res = upload(admin, product, filename, content)
    assert res.status_int == 200
    assert "The picture must be a PNG, JPEG, GIF or WebP picture" in res.text or "The picture is too large" in res.text
    assert db.session.query(ProductImage).count() == 0


def test_a_picture_of_a_product_the_customer_may_not_see_is_404(admin, make, db, product, testapp, login):
    upload(admin, product, "drill.png", PNG)
    image = db.session.query(ProductImage).one()
    customer = type(testapp)(testapp.app)
    login(customer, make.contact(make.company(), role="Buyer"))
    assert customer.get(f"/shop/image/{image.id}").status_int == 200
    product.visibility = ProductVisibility.hidden
    db.session.commit()
    customer.get(f"/shop/image/{image.id}", status=404)
    customer.get("/shop/image/999999", status=404)
