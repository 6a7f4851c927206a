"""Text encodings: byte-order marks, UTF-16 without BOM, the strict UTF-8 -> GB18030 cascade, Western
European Windows-1252 and charset-normalizer as a last resort; a declared encoding is checked against
the bytes."""

from __future__ import annotations

import codecs
import re

from data.errors import IngestError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bom(data: bytes) -> str | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    z_even, z_odd = even.count(0) / len(even), odd.count(0) / max(len(odd), 1)
    if z_odd > 0.3 and z_even < 0.05:
        return "utf-16-le"
    if z_even > 0.3 and z_odd < 0.05:
        return "utf-16-be"
    return None


def _guess(data: bytes) -> str:
    try:
        _, enc, _ = _decode(data, None)
        return enc
    except IngestError:
        return "unknown"


def _mostly_cjk(text: str) -> bool:
    non_ascii = [c for c in text[:200_000] if ord(c) > 127]
    if not non_ascii:
        return True
    cjk = sum(1 for c in non_ascii if "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" or "\u2000" <= c <= "\u206f")
    return cjk / len(non_ascii) >= 0.6


_GB_PAIR = re.compile(rb"[\x81-\xfe][\x40-\x7e\x80-\xfe]")
_WORD = re.compile(r"[^\W\d_]+")


def _gb_plausible(data: bytes) -> bool:
    """True when the double-byte sequences look like Chinese GBK text: most of them are common GB2312
    characters (lead byte 0xB0-0xD7, level 1) or full-width punctuation (0xA1-0xA9), with a trail byte
    0xA1-0xFE. Western text in cp1252 decodes as rare GB18030 characters (an accented lowercase letter
    0xE0-0xFF as a lead byte, often with an ASCII trail byte) and fails this."""
    pairs = _GB_PAIR.findall(data[:200_000])
    if not pairs:
        return True
    common = sum(1 for p in pairs if (0xB0 <= p[0] <= 0xD7 or 0xA1 <= p[0] <= 0xA9) and p[1] >= 0xA1)
    return common / len(pairs) >= 0.5


def _western(data: bytes) -> str | None:
    """The text decoded as Windows-1252 (a superset of Latin-1's letters) when it reads like Western
    European words: the non-ASCII characters are mostly letters, and most of them sit in words that
    also hold ASCII letters ("Crème", "Müsli", "Pão"). Cyrillic or Greek single-byte text read this way
    gives words with no ASCII letter at all; Central European cp1250 text gives symbols (³ ¹ ¿)."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    sample = text[:200_000]
    non_ascii = sum(1 for c in sample if ord(c) > 127)
    if not non_ascii:
        return None
    words = [w for w in _WORD.findall(sample) if not w.isascii()]
    letters = sum(1 for w in words for c in w if ord(c) > 127 and c.isalpha())
    mixed = sum(sum(1 for c in w if ord(c) > 127 and c.isalpha()) for w in words
                if any(c.isascii() and c.isalpha() for c in w))
    if letters / non_ascii >= 0.7 and mixed / non_ascii >= 0.3:
        return text
    return None


def _single_byte(enc: str) -> bool:
    try:
        codecs.lookup(enc)
    except LookupError:
        return False
    ok = 0
    for b in range(0xA0, 0x100):
        try:
            bytes([b]).decode(enc)
            ok += 1
        except UnicodeDecodeError:
            pass
    return ok >= 64 and not enc.startswith("utf")


def _legacy_note(enc: str | None, *, declared: bool) -> str | None:
    """A note for the user when the encoding is a guessed legacy single-byte one (the guess can be wrong)."""
    if declared or not enc or enc in ("ascii", "utf-8", "utf-8-sig") or not _single_byte(enc):
        return None
    if enc == "cp1252":
        return ("text encoding guessed as Windows-1252 / Latin-1 (Western European); if letters look wrong, "
                "choose the file's encoding under the read options")
    return (f"text encoding guessed as {enc} (a legacy single-byte encoding); if letters look wrong, choose the "
            "file's encoding under the read options")


def _decode(data: bytes, declared: str | None) -> tuple[str, str, bytes | None]:
    """(text, encoding name, utf-8 bytes of the text when available without re-encoding)."""
    if declared:
        try:
            name = codecs.lookup(declared).name
        except LookupError as e:
            raise IngestError(f"unknown encoding '{declared}'", reason="bad encoding") from e
        bom = _bom(data)
        family = "utf-8" if name in ("utf-8", "utf-8-sig") else name[:6]
        if bom is not None and family != bom[:6 if bom != "utf-8-sig" else 5]:
            raise IngestError(
                f"the declared encoding {declared} is wrong: the file starts with a {bom.upper()} byte-order mark",
                reason="wrong encoding")
        use = "utf-8-sig" if family == "utf-8" else declared
        try:
            text = data.decode(use)
        except UnicodeDecodeError as e:
            guess = _guess(data)
            raise IngestError(
                f"the declared encoding {declared} is wrong: byte 0x{data[e.start]:02x} at position {e.start} "
                f"cannot be decoded (the file looks like {guess}); leave the encoding empty to detect it",
                reason="wrong encoding") from e
        if name not in ("utf-8", "utf-8-sig", "ascii") and not name.startswith("utf-") and not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                raise IngestError(
                    f"the declared encoding {declared} is wrong: the file is UTF-8; leave the encoding empty "
                    "to detect it", reason="wrong encoding")
        utf8 = None
        if use == "utf-8-sig":
            utf8 = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
        return text, name, utf8
    bom = _bom(data)
    if bom:
        try:
            text = data.decode(bom)
        except UnicodeDecodeError as e:
            raise IngestError(f"the file starts with a {bom.upper()} byte-order mark but is not valid {bom.upper()}",
                              reason="bad encoding") from e
        if bom == "utf-8-sig":
            return text, "utf-8-sig", data[len(codecs.BOM_UTF8):]
        return text, bom, None
    u16 = _utf16_without_bom(data)
    if u16:
        try:
            return data.decode(u16), u16, None
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise IngestError("this looks like a binary file (it contains NUL bytes), not a text table",
                          reason="binary file")
    try:
        return data.decode("utf-8"), "utf-8", data
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _mostly_cjk(text) and _gb_plausible(data):
            return text, "gb18030", None
    except UnicodeDecodeError:
        pass
    western = _western(data)
    if western is not None:
        return western, "cp1252", None
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:500_000]).best()
    except (ImportError, ValueError, LookupError, TypeError):  # pragma: no cover - library trouble
        best = None
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding), codecs.lookup(best.encoding).name, None
        except (UnicodeDecodeError, LookupError):
            pass
    raise IngestError("cannot tell the text encoding of the file (tried UTF-8, UTF-16, GB18030/GBK and others); "
                      "save it as UTF-8 or declare the encoding", reason="bad encoding")


def _check_text(text: str) -> None:
    sample = text[:65536]
    if "\x00" in sample or "\x00" in text:
        raise IngestError("this looks like a binary file (it contains NUL characters), not a text table",
                          reason="binary file")
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f\v") or 0x7F <= ord(c) < 0xA0)
    if sample and bad / len(sample) > 0.01:
        raise IngestError("this looks like a binary file (it contains control characters), not a text table",
                          reason="binary file")
    if "\ufffd" in sample and sample.count("\ufffd") / len(sample) > 0.01:
        raise IngestError("the file contains many undecodable characters; save it as UTF-8 and try again",
                          reason="bad encoding")
