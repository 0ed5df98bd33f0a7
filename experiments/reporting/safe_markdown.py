"""Markdown to HTML for reports that carry text the user wrote (scenario descriptions, names, paths).

A scenario file is input, and report.html is meant to be shared and opened in a browser, so nothing in it may
become markup: raw HTML in the Markdown is shown as text, and a link or image may point only at a relative
address or http(s)/mailto (not `javascript:` or `data:`). `plain` escapes user text before it goes into the
Markdown, so it also reads as typed in report.md.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

import markdown
from markdown.treeprocessors import Treeprocessor

SAFE_SCHEMES = {"http", "https", "mailto"}
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]()!|{}])")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*)\s*:")


def plain(text: str) -> str:
    """User text as literal text in Markdown: no markup, no link, no table cell break, one line."""
    one_line = " ".join(str(text).split())
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(one_line, quote=False))


def _safe_address(address: str) -> bool:
    # control characters and whitespace inside a scheme ("java\tscript:") are ignored by browsers: strip first
    cleaned = "".join(c for c in html.unescape(address) if c.isprintable() and not c.isspace())
    match = _SCHEME.match(cleaned)
    return match is None or match.group(1).lower() in SAFE_SCHEMES


class _DropUnsafeAddresses(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                if attribute in element.attrib and not _safe_address(element.attrib[attribute]):
                    del element.attrib[attribute]


def to_html(text: str) -> str:
    converter = markdown.Markdown(extensions=["tables"])
    converter.preprocessors.deregister("html_block")  # raw HTML blocks are shown as text...
    converter.inlinePatterns.deregister("html")  # ...and so is inline HTML
    converter.treeprocessors.register(_DropUnsafeAddresses(converter), "drop_unsafe_addresses", 0)
    return converter.convert(text)
