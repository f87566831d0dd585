"""Pieces of Moodle XML shared by numeric and conceptual questions."""

from __future__ import annotations

import xml.etree.ElementTree as ET


def xml_text(parent: ET.Element, tag: str, text: str, fmt: str | None = None) -> ET.Element:
    """``<tag format="fmt"><text>text</text></tag>`` under ``parent``."""
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = text
    return el


def cloze_escape(text: str) -> str:
    """Feedback inside an embedded answer: ``} # ~ / " \\`` are special there."""
    for ch in '\\}#~/"':
        text = text.replace(ch, "\\" + ch)
    return text
