"""How a document's words read on a page, in an export or in a report.

The packs keep each quote exactly as the source text has it, so the loader can check it stands there. The
converter that produced Jining's text wrote Yi syllables for full-width punctuation (ꎬ ꎻ ꎮ for ，；。),
full-width digits, spaces around numbers and a hard line break every 30 characters. Everything a person
reads goes through `display_text` (and the source page through `source_paragraphs`), so they see proper
Chinese punctuation while the stored text stays verifiable.
"""

import re
from collections import Counter

ARTEFACTS = str.maketrans({"ꎬ": "，", "ꎻ": "；", "ꎮ": "。", **{chr(0xFF10 + d): str(d) for d in range(10)}})
# A space the converter put beside a Chinese character (到 ２０２５ 年, ꎮ 做大做强); spaces between Latin words stay.
LAYOUT_SPACE = re.compile(r"(?<=[^\x00-\x7f]) +(?=[^\x00-\x7f\d])|(?<=[^\x00-\x7f]) +(?=\d)|(?<=\d) +(?=[^\x00-\x7f])")
# A line that opens a paragraph of its own: a heading, a numbered item or a dash-led principle.
PARAGRAPH_START = re.compile(r"^(#|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d０-９]+[)）]|[\d０-９]+[.．、]|——|附件)")
PAGE_NUMBER = re.compile(r"^[—-]\s*[\d０-９]+\s*[—-]$")


def display_text(text: str) -> str:
    """Return the text with proper Chinese punctuation and ASCII digits, without the converter's layout spaces."""
    return LAYOUT_SPACE.sub("", (text or "").translate(ARTEFACTS))


def _wrap_width(lines: list[str]) -> int | None:
    """The width the converter wrapped at, or None when lines are whole paragraphs."""
    if len(lines) < 20:
        return None
    width, _ = Counter(len(line) for line in lines).most_common(1)[0]
    near = sum(1 for line in lines if width - 3 <= len(line) <= width + 2)
    return width if width < 60 and near >= len(lines) / 2 else None


def source_paragraphs(text: str) -> str:
    """Return the source for reading: hard-wrapped lines joined into paragraphs, one blank line between them."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not PAGE_NUMBER.match(line)]
    width = _wrap_width(lines)
    paragraphs: list[list[str]] = []
    for line in lines:
        wrapped = width is not None and paragraphs and len(paragraphs[-1][-1]) >= width - 3
        if wrapped and not PARAGRAPH_START.match(line):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return "\n\n".join(display_text("".join(p)) for p in paragraphs)
