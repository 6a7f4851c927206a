"""Exports of the persona card: an HTML fragment, the page's HTML report with the card under its title, and a
PNG (Pillow; Chinese drawn with an installed CJK font, looked up once per process)."""

from __future__ import annotations

import html as _html
import io
import re
import subprocess
from functools import lru_cache

from analytics.i18n import t

from .base import PAGE
from .charts import figures
from .helpers import card_sections, segment_line

def card_html(result: dict, lang: str = "en", title: str | None = None) -> str:
    """The persona card as an HTML fragment; every text is escaped (names and values are user data).

    Parameters
    ----------
    result : dict
        The page dict.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    title : str | None
        Heading (None: the card's name).

    Returns
    -------
    str
        The HTML.
    """
    e = lambda x: _html.escape("" if x is None else str(x), quote=True)  # noqa: E731
    card = result.get("card") or {}
    parts = [f"<section class='persona'><h2>{e(title or card.get('name'))}</h2>"]
    if title and title != card.get("name"):
        parts.append(f"<p><b>{e(card.get('name'))}</b></p>")
    parts.append(f"<p class='note'>{e(segment_line(result, lang))}</p><p>{e(card.get('portrait'))}</p>")
    for head, items in card_sections(card, lang):
        parts.append(f"<h3>{e(head)}</h3><ul>")
        parts += [f"<li>{e(it.get('text'))}<br><span class='note'>{e(it.get('evidence'))}</span></li>" for it in items]
        if not items:
            parts.append(f"<li class='note'>{e(t('personas.card.none', lang))}</li>")
        parts.append("</ul>")
    basis = "; ".join(b.get("evidence", "") for b in card.get("name_basis") or [])
    if basis:
        parts.append(f"<p class='note'>{e(t('personas.card.name_from', lang, basis=basis))}</p>")
    if card.get("note"):
        parts.append(f"<p class='note'>{e(card['note'])}</p>")
    parts.append("</section>")
    return "".join(parts)


def report_html(result: dict, lang: str = "en", *, user: str = "", filters: dict | None = None,
                datasets: list[dict] | None = None, title: str | None = None) -> str:
    """The page's HTML report (analytics.report.to_html) with the persona card right under the title.

    Parameters
    ----------
    result : dict
        The page dict.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    user : str
        Who generated the report.
    filters : dict | None
        The filters used, or None.
    datasets : list[dict] | None
        The datasets used, or None.
    title : str | None
        The card's heading, or None.

    Returns
    -------
    str
        The HTML document.
    """
    from analytics import report

    doc = report.to_html(PAGE, result, figures(result, lang), lang=lang, user=user, filters=filters, datasets=datasets)
    return doc.replace("</h1>", "</h1>" + card_html(result, lang, title), 1)


_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f]")


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """An installed font that can draw Chinese (``fc-list :lang=zh``), or None.

    Returns
    -------
    str | None
        The font file's path, or None.
    """
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file", "style"], capture_output=True, text=True,
                             timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = []
    for line in out.splitlines():
        path, _, style = line.partition(":")
        path = path.strip()
        if path.lower().endswith((".ttf", ".ttc", ".otf")):
            files.append((0 if "regular" in style.lower() or not style.strip() else 1, path))
    return sorted(files)[0][1] if files else None


@lru_cache(maxsize=1)
def latin_font_path() -> str | None:
    """The sans-serif font file (``fc-match``), or None.

    Returns
    -------
    str | None
        The font file's path, or None.
    """
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", "sans-serif"], capture_output=True, text=True,
                             timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out or None


def png_can_draw(lang: str) -> bool:
    """True when the PNG of a card in ``lang`` can be drawn (Chinese needs a CJK font).

    Parameters
    ----------
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    bool
        True when it can.
    """
    return lang != "zh" or cjk_font_path() is not None


def _font(size: int, path: str | None):
    from PIL import ImageFont

    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default(size)


def _drawable(text: str, cjk: bool) -> str:
    text = "" if text is None else str(text)
    if cjk:
        return text
    # "香氛 Fragrance" -> "Fragrance"; a value only in Chinese -> "…" (the font cannot draw it)
    out = re.sub(r"…\s+(?=[A-Za-z])", "", re.sub(f"(?:{_CJK.pattern})+", "…", text))
    return re.sub(r"\s+", " ", out).strip()


def _wrap(text: str, font, width: float) -> list[str]:
    tokens = re.findall(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]+\s*|\s+", text)
    lines, cur = [], ""
    for tok in tokens:
        if cur and font.getlength(cur + tok.rstrip()) > width:
            lines.append(cur.rstrip())
            cur = tok.lstrip()
        else:
            cur += tok
    if cur.strip():
        lines.append(cur.rstrip())
    return lines or [""]


def card_png(result: dict, lang: str = "en", *, title: str | None = None, footer: str = "",
             width: int = 1000) -> bytes:
    """The persona card as a PNG (Pillow). Chinese is drawn with an installed CJK font; without one,
    characters the fallback font cannot draw are left out (render the English card instead).

    Parameters
    ----------
    result : dict
        The page dict.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    title : str | None
        Heading (None: the card's name).
    footer : str
        Text at the bottom.
    width : int
        Width in pixels.

    Returns
    -------
    bytes
        The PNG.
    """
    from PIL import Image, ImageDraw

    cjk_path = cjk_font_path()
    cjk = cjk_path is not None
    path = cjk_path or latin_font_path()
    f_title, f_sub, f_body, f_head, f_note = (_font(s, path) for s in (38, 20, 22, 24, 17))
    pad, inner = 48, width - 2 * 48
    card = result.get("card") or {}
    d = lambda x: _drawable(x, cjk)  # noqa: E731
    blocks: list[tuple[str, object, str, int]] = []  # (text, font, colour, space before)
    blocks += [(ln, f_title, "#ffffff", 0) for ln in _wrap(d(title or card.get("name")), f_title, inner)]
    if title and title != card.get("name"):
        blocks += [(ln, f_sub, "#dfe7ff", 4) for ln in _wrap(d(card.get("name")), f_sub, inner)]
    blocks += [(ln, f_sub, "#dfe7ff", 8) for ln in _wrap(d(segment_line(result, lang)), f_sub, inner)]
    header_lines = len(blocks)
    blocks += [(ln, f_body, "#1f2330", 28 if i == 0 else 0)
               for i, ln in enumerate(_wrap(d(card.get("portrait")), f_body, inner))]
    for head, items in card_sections(card, lang):
        blocks.append((d(head), f_head, "#2a4fb0", 26))
        if not items:
            blocks.append((d(t("personas.card.none", lang)), f_note, "#6b7080", 6))
        for it in items:
            blocks += [(("• " if i == 0 else "  ") + ln, f_body, "#1f2330", 8 if i == 0 else 0)
                       for i, ln in enumerate(_wrap(d(it.get("text")), f_body, inner - 30))]
            blocks += [("  " + ln, f_note, "#6b7080", 2) for ln in _wrap(d(it.get("evidence")), f_note, inner - 30)]
    if footer:
        blocks += [(ln, f_note, "#6b7080", 28) for ln in _wrap(d(footer), f_note, inner)]

    def lh(font) -> int:
        return int(font.size * 1.45)

    header_h = pad + sum(lh(b[1]) + b[3] for b in blocks[:header_lines]) + 24
    height = pad + sum(lh(b[1]) + b[3] for b in blocks) + pad + 24
    img = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, width, header_h], fill="#2a4fb0")
    y = pad
    for i, (text, font, colour, before) in enumerate(blocks):
        if i == header_lines:
            y = header_h
        y += before
        draw.text((pad, y), text, font=font, fill=colour)
        y += lh(font)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
