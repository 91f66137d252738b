"""How amoCRM's answers are read: the fast parser for what it accepts, the standard library for
what it refuses, and nothing made up for a body that is no JSON object at all."""

from __future__ import annotations

import httpx
import pytest

from foryou_crm.amocrm.client import raise_for_amocrm
from foryou_crm.amocrm.errors import AmoCRMBadRequest, AmoCRMError


def _refused(status: int, content: bytes, content_type: str = "application/json") -> AmoCRMError:
    with pytest.raises(AmoCRMError) as caught:
        raise_for_amocrm(
            httpx.Response(status, content=content, headers={"content-type": content_type})
        )
    return caught.value


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"hint": "Price is not valid", "detail": "x"}', "application/json"),
        # orjson refuses these; json reads them as it always did.
        (b'{"hint": "Price is not valid", "price": NaN}', "application/json"),
        (b'{"hint": "Price is not valid", "note": "\\ud800"}', "application/json"),
    ],
)
def test_a_refusal_s_hint_is_read_whatever_parser_accepts_the_body(
    content: bytes, content_type: str
) -> None:
    exc = _refused(400, content, content_type)
    assert isinstance(exc, AmoCRMBadRequest)
    assert exc.hint == "Price is not valid"


@pytest.mark.parametrize(
    "content",
    [
        b"<html>Bad Gateway</html>",
        b"[1, 2]",
        b"",
        b'"text"',
        '{"hint": "Ціна не підходить"}'.encode("cp1251"),  # amoCRM answers in UTF-8 only
    ],
)
def test_a_body_that_is_no_json_object_gives_no_hint(content: bytes) -> None:
    exc = _refused(400, content)
    assert isinstance(exc, AmoCRMBadRequest)
    assert exc.hint is None
