"""The glossary (``web/static/i18n/{uk,en}.json``): one vocabulary for the web screen and the app.

- both languages have the same keys, none empty, with the same ``{placeholders}``;
- every error code the API can return — collected from the code itself: ``code = "…"`` on
  ``AppError`` subclasses and callback outcomes, ``code="…"`` arguments, the codes given to
  ``error_response``/``envelope`` and the HTTP status table — has a sentence in both;
- every key the web screen names (``data-i18n*`` in the HTML, ``t("…")`` in the JS) exists, and
  the HTML itself holds no words (they all come from the dictionaries);
- every key is used by the web screen or the app (no dead words);
- the app's copy (``mobile/src/i18n/glossary/``) is the same file.

The rendered screens are checked for words outside the dictionaries in the browser
(``tests/e2e/test_vocabulary.py``) and in the app's jest suite (``vocabulary.test.tsx``)."""

from __future__ import annotations

import ast
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import foryou_crm
from foryou_crm.core.errors import AppError
from foryou_crm.models import load_all_models

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(foryou_crm.__file__).parent
STATIC = PACKAGE / "web" / "static"
GLOSSARY = STATIC / "i18n"
APP_COPY = ROOT / "mobile" / "src" / "i18n" / "glossary"
APP_SOURCES = [*(ROOT / "mobile" / "src").rglob("*.ts*"), *(ROOT / "mobile" / "app").rglob("*.tsx")]
LANGUAGES = ("uk", "en")
# Keys built at run time from data: err.<code>, sort.<order>, ended.<reason>, language.<lang>.
DYNAMIC_PREFIXES = ("err.", "sort.", "ended.", "language.", "phoneType.", "noteType.")


def glossary(language: str) -> dict[str, str]:
    words: dict[str, str] = json.loads((GLOSSARY / f"{language}.json").read_text("utf-8"))
    return words


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{(\w+)\}", text))


def test_both_languages_have_the_same_keys_none_empty_same_placeholders() -> None:
    uk, en = glossary("uk"), glossary("en")
    assert sorted(set(uk) ^ set(en)) == []
    for language, words in (("uk", uk), ("en", en)):
        assert [k for k, v in words.items() if not isinstance(v, str) or not v.strip()] == [], (
            language
        )
    assert {k: placeholders(en[k]) for k in uk if placeholders(uk[k]) != placeholders(en[k])} == {}


def test_leads_are_угоди_in_ukrainian_as_in_amocrm() -> None:
    """amoCRM's Russian interface calls leads «Сделки» and Kommo has no Ukrainian one; the
    Ukrainian word for amoCRM's term is «Угоди», used everywhere instead of «Ліди»."""
    uk = glossary("uk")
    assert uk["leads.title"] == "Угоди"
    assert uk["leads.price"] == "Бюджет"
    assert [k for k, v in uk.items() if re.search(r"\bлід|\bЛід", v)] == []


# --- error codes, collected from the source ---------------------------------------------------
def _string(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _codes_in(tree: ast.AST) -> set[str]:
    codes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                targets = (
                    statement.targets
                    if isinstance(statement, ast.Assign)
                    else [statement.target]
                    if isinstance(statement, ast.AnnAssign)
                    else []
                )
                code = _string(getattr(statement, "value", None))
                if code is not None and any(
                    isinstance(t, ast.Name) and t.id == "code" for t in targets
                ):
                    codes.add(code)
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "code" and (code := _string(keyword.value)) is not None:
                    codes.add(code)
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            position = {"error_response": 1, "envelope": 0}.get(name, len(node.args))
            code = _string(node.args[position]) if position < len(node.args) else None
            if code is not None:
                codes.add(code)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and re.fullmatch(r"[A-Z_]*_ERROR", t.id) for t in node.targets
        ):
            # An outcome code kept in a constant (the hand-over page's SERVER_ERROR).
            if (code := _string(node.value)) is not None:
                codes.add(code)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "_HTTP_CODES" for t in node.targets
        ):
            assert isinstance(node.value, ast.Dict)
            codes.update(c for v in node.value.values if (c := _string(v)) is not None)
    return codes


def api_error_codes() -> set[str]:
    """Every error code the service can answer with (the sandbox is amoCRM, not us)."""
    codes: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if "sandbox" not in path.relative_to(PACKAGE).parts:
            codes |= _codes_in(ast.parse(path.read_text("utf-8")))
    return codes


def _subclasses(cls: type) -> list[type]:
    return [c for sub in cls.__subclasses__() for c in (sub, *_subclasses(sub))]


def test_the_collection_finds_every_error_class_and_the_callback_outcomes() -> None:
    load_all_models()
    import foryou_crm.app  # noqa: F401  (imports every router, hence every error class)

    codes = api_error_codes()
    assert {c.code for c in _subclasses(AppError)} <= codes
    assert {"state_invalid", "access_denied", "server_error", "VALIDATION_ERROR"} <= codes
    assert {"INTERNAL_ERROR", "PAYLOAD_TOO_LARGE", "TOKEN_EXPIRED", "INVALID_SIGNATURE"} <= codes


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_api_error_code_has_a_sentence(language: str) -> None:
    words = glossary(language)
    assert sorted(c for c in api_error_codes() if f"err.{c}" not in words) == []


# --- the web screen's use of the dictionaries --------------------------------------------------
class _Html(HTMLParser):
    """Keys named by data-i18n* attributes, and any text outside <title>/<noscript>."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: set[str] = set()
        self.words: list[str] = []
        self.skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("title", "noscript", "script", "style"):
            self.skip.append(tag)
        for name, value in attrs:
            if name.startswith("data-i18n") and value:
                self.keys.add(value)
            if name in ("aria-label", "placeholder", "title", "alt") and value:
                self.words.append(f"{name}={value}")

    def handle_endtag(self, tag: str) -> None:
        if self.skip and self.skip[-1] == tag:
            self.skip.pop()

    def handle_data(self, data: str) -> None:
        if not self.skip and re.search(r"\w", data):
            self.words.append(data.strip())


def _web_html() -> _Html:
    parser = _Html()
    parser.feed((STATIC / "index.html").read_text("utf-8"))
    return parser


def _web_js() -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted((STATIC / "js").rglob("*.js")))


def test_the_page_holds_no_words_of_its_own() -> None:
    assert _web_html().words == []


def test_every_key_the_web_screen_names_exists() -> None:
    words = glossary("uk")
    named = _web_html().keys | set(re.findall(r"\bt\(\s*\"([^\"$]+)\"", _web_js()))
    named |= set(re.findall(r"\"((?:crm|leads|login|sync|callback|common)\.[\w.-]+)\"", _web_js()))
    assert len(named) > 50
    assert sorted(named - set(words)) == []


def test_every_word_is_used_by_the_web_screen_or_the_app() -> None:
    sources = _web_js() + (STATIC / "index.html").read_text("utf-8")
    sources += "\n".join(p.read_text("utf-8") for p in APP_SOURCES)
    unused = [
        key
        for key in glossary("uk")
        if not key.startswith(DYNAMIC_PREFIXES)
        and not re.search(rf"[\"']{re.escape(key)}[\"']", sources)
    ]
    assert unused == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_apps_copy_is_the_glossary(language: str) -> None:
    """``cd mobile && npm run glossary`` copies it (the app's build cannot reach this folder)."""
    source = (GLOSSARY / f"{language}.json").read_bytes()
    assert (APP_COPY / f"{language}.json").read_bytes() == source


def test_every_ended_reason_has_a_sentence() -> None:
    from typing import get_args

    from foryou_crm.connections.models import EndReason

    reasons: tuple[Any, ...] = get_args(EndReason)
    for language in LANGUAGES:
        words = glossary(language)
        assert [r for r in reasons if f"ended.{r}" not in words] == []
        assert all(placeholders(words[f"ended.{r}"]) == ["at", "domain"] for r in reasons)
