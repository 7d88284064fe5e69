//! Which character encoding a request is in, and its text in UTF-8.
//!
//! asmx reads a request in the encoding its client declared, so existing integrations send
//! ISO-8859-1, windows-1252 or UTF-16 as well as UTF-8. The encoding is decided as RFC 7303
//! (§3, §8.1) and asmx decide it: a byte order mark first; then the `charset` parameter of the
//! Content-Type, which is authoritative over the XML declaration for `text/xml` and
//! `application/soap+xml` alike; then a UTF-16 document without a BOM recognised from its
//! first bytes (XML 1.0, Appendix F); then the `encoding` of the XML declaration; and UTF-8
//! when nothing names one. Encoding names are matched as the WHATWG Encoding Standard labels
//! them (`encoding_rs`), so `ISO-8859-1`, `latin1` and `us-ascii` read as windows-1252, which
//! differs from true ISO-8859-1 only in 0x80–0x9F, C1 controls that no text means to send.
//!
//! The text is converted before the guard in [`crate::guard`] sees any of it, so every check
//! there applies to what is actually parsed. A UTF-8 request (the usual case), and a request
//! in an ASCII-compatible encoding that holds only ASCII, are borrowed as they are. Anything
//! else is converted into a string whose size is held to the same limit as the body:
//! converting can grow a body up to threefold (a windows-1252 `€` is one byte and three in
//! UTF-8; UTF-16 grows at most 1.5×: two bytes to three, four to four), so the output buffer
//! grows as needed and conversion stops, with a fault, once it would pass the limit.

use crate::guard::fault;
use crate::DecodeError;
use encoding_rs::{DecoderResult, Encoding, REPLACEMENT, UTF_16BE, UTF_16LE, UTF_8};
use std::borrow::Cow;

/// How far into a request the XML declaration is looked for. Real declarations are well
/// under 100 bytes.
const DECLARATION_WINDOW: usize = 1024;

/// Room beyond the limit for the decoder's look-ahead: it reports a full buffer when it cannot
/// be sure the next character fits, which may be a few bytes before the buffer is full.
const DECODER_SLACK: usize = 16;

/// Where the encoding of a request was found, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    ByteOrderMark,
    ContentType,
    /// The first bytes of a UTF-16 document without a byte order mark (`<?` as UTF-16).
    FirstBytes,
    Declaration,
    Default,
}

/// The encoding of a request, the name it was given by, and the length of its byte order mark.
#[derive(Debug)]
struct Found {
    encoding: &'static Encoding,
    /// The name as the client gave it (a charset or declaration), else the encoding's own.
    name: String,
    source: Source,
    bom: usize,
}

/// The text of `body` in UTF-8: borrowed when it is already, converted from the encoding it
/// declares otherwise. The converted text is at most `max_len` bytes long.
pub(crate) fn to_utf8<'a>(
    body: &'a [u8],
    content_type: Option<&str>,
    max_len: usize,
) -> Result<Cow<'a, str>, DecodeError> {
    let found = detect(body, content_type)?;
    let rest = &body[found.bom..];
    if found.encoding == UTF_8 {
        return std::str::from_utf8(rest).map(Cow::Borrowed).map_err(|e| {
            let at = found.bom + e.valid_up_to();
            match found.source {
                Source::Default | Source::ByteOrderMark => {
                    fault(format!("the request is not UTF-8 (invalid byte at offset {at})"))
                }
                _ => not_valid(&found, at),
            }
        });
    }
    if found.encoding.is_ascii_compatible() && rest.is_ascii() {
        // ASCII is the same text in every ASCII-compatible encoding and in UTF-8.
        if let Ok(text) = std::str::from_utf8(rest) {
            return Ok(Cow::Borrowed(text));
        }
    }
    transcode(rest, &found, max_len).map(Cow::Owned)
}

/// Converts `rest` (the body after its byte order mark) into UTF-8, refusing bytes that are
/// not valid in the encoding and output that would pass `max_len`.
fn transcode(rest: &[u8], found: &Found, max_len: usize) -> Result<String, DecodeError> {
    let cap = max_len.saturating_add(DECODER_SLACK);
    let utf16 = found.encoding == UTF_16LE || found.encoding == UTF_16BE;
    // Mostly ASCII is the usual case: about one byte out per byte in (per two for UTF-16).
    let estimate = if utf16 { rest.len() / 2 } else { rest.len() };
    let mut out = String::with_capacity(estimate.saturating_add(estimate / 8 + DECODER_SLACK).min(cap));
    let mut decoder = found.encoding.new_decoder_without_bom_handling();
    let mut read = 0;
    loop {
        let (result, n) = decoder.decode_to_string_without_replacement(&rest[read..], &mut out, true);
        read += n;
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::Malformed(bad, after) => {
                let at = found.bom + read.saturating_sub(usize::from(after) + usize::from(bad));
                return Err(not_valid(found, at));
            }
            DecoderResult::OutputFull => {
                if out.capacity() >= cap {
                    return Err(too_large(max_len));
                }
                let target = out.capacity().saturating_mul(2).max(64).min(cap);
                out.reserve_exact(target - out.len());
            }
        }
    }
    if out.len() > max_len {
        return Err(too_large(max_len));
    }
    Ok(out)
}

/// Decides the encoding of `body`, in the order the module documentation gives.
fn detect(body: &[u8], content_type: Option<&str>) -> Result<Found, DecodeError> {
    if body.starts_with(b"\x00\x00\xFE\xFF") || body.starts_with(b"\xFF\xFE\x00\x00") {
        return Err(fault("the request is UTF-32 (by its byte order mark), which is not supported".into()));
    }
    if let Some((encoding, bom)) = Encoding::for_bom(body) {
        return Ok(Found { encoding, name: encoding.name().into(), source: Source::ByteOrderMark, bom });
    }
    if let Some(label) = content_type.and_then(charset_param) {
        let encoding = supported(label.as_bytes()).ok_or_else(|| {
            fault(format!(
                "the charset \"{}\" of the Content-Type is not a supported encoding",
                shown(label.as_bytes())
            ))
        })?;
        return Ok(Found { encoding, name: shown(label.as_bytes()), source: Source::ContentType, bom: 0 });
    }
    let sniffed = if body.starts_with(b"<\x00?\x00") {
        Some(UTF_16LE)
    } else if body.starts_with(b"\x00<\x00?") {
        Some(UTF_16BE)
    } else {
        None
    };
    if let Some(encoding) = sniffed {
        return Ok(Found { encoding, name: encoding.name().into(), source: Source::FirstBytes, bom: 0 });
    }
    if let Some(label) = declared_encoding(&body[..body.len().min(DECLARATION_WINDOW)]) {
        let encoding = supported(label).ok_or_else(|| {
            fault(format!("the encoding \"{}\" of the XML declaration is not a supported encoding", shown(label)))
        })?;
        if encoding == UTF_16LE || encoding == UTF_16BE {
            // The declaration was readable as ASCII, so the document is not UTF-16.
            return Err(fault(format!(
                "the XML declaration names the encoding \"{}\", but the request has no byte order mark \
                 and is not UTF-16",
                shown(label)
            )));
        }
        return Ok(Found { encoding, name: shown(label), source: Source::Declaration, bom: 0 });
    }
    Ok(Found { encoding: UTF_8, name: "UTF-8".into(), source: Source::Default, bom: 0 })
}

/// The encoding a label names, unless it is the WHATWG "replacement" encoding (labels of
/// encodings browsers refuse to decode, such as ISO-2022-KR), which decodes nothing.
fn supported(label: &[u8]) -> Option<&'static Encoding> {
    Encoding::for_label(label).filter(|e| *e != REPLACEMENT)
}

/// The `charset` parameter of a Content-Type, unquoted; an empty one counts as absent.
fn charset_param(content_type: &str) -> Option<&str> {
    content_type
        .split(';')
        .skip(1)
        .find_map(|p| {
            let (key, value) = p.split_once('=')?;
            key.trim().eq_ignore_ascii_case("charset").then(|| value.trim().trim_matches('"').trim())
        })
        .filter(|v| !v.is_empty())
}

/// The `encoding` pseudo-attribute of an XML declaration at the start of `head`, which is
/// read as ASCII (leading whitespace is tolerated). `None` when there is no declaration or
/// it names no encoding.
fn declared_encoding(head: &[u8]) -> Option<&[u8]> {
    let head = trim_start(head);
    let rest = head.strip_prefix(b"<?xml")?;
    if !rest.first().copied().is_some_and(is_space) {
        return None;
    }
    let end = rest.windows(2).position(|w| w == b"?>")?;
    let mut decl = &rest[..end];
    loop {
        decl = trim_start(decl);
        if decl.is_empty() {
            return None;
        }
        let name_len = decl.iter().position(|&b| is_space(b) || b == b'=').unwrap_or(decl.len());
        let (name, after) = decl.split_at(name_len);
        let after = trim_start(trim_start(after).strip_prefix(b"=")?);
        let quote = *after.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let close = after[1..].iter().position(|&b| b == quote)?;
        if name == b"encoding" {
            return Some(&after[1..1 + close]);
        }
        decl = &after[close + 2..];
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| !is_space(b)).unwrap_or(bytes.len());
    &bytes[start..]
}

/// A name from the request, fit for a message: printable ASCII only, and not too long.
fn shown(label: &[u8]) -> String {
    const LONGEST: usize = 40;
    let mut out: String =
        label.iter().take(LONGEST).map(|&b| if b.is_ascii_graphic() { b as char } else { '?' }).collect();
    if label.len() > LONGEST {
        out.push('…');
    }
    out
}

fn not_valid(found: &Found, at: usize) -> DecodeError {
    let whose = match found.source {
        Source::ContentType => " (the charset of its Content-Type)",
        Source::Declaration => " (the encoding of its XML declaration)",
        Source::ByteOrderMark => " (by its byte order mark)",
        Source::FirstBytes => " (by its first bytes)",
        Source::Default => "",
    };
    fault(format!("the request is not valid {}{whose}: invalid bytes at offset {at}", found.name))
}

fn too_large(max_len: usize) -> DecodeError {
    fault(format!("the request is larger than the limit of {max_len} bytes once converted to UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{SHIFT_JIS, WINDOWS_1252};

    fn found(body: &[u8], content_type: Option<&str>) -> (&'static str, Source, usize) {
        let f = detect(body, content_type).unwrap();
        (f.encoding.name(), f.source, f.bom)
    }

    #[test]
    fn precedence_is_bom_then_charset_then_first_bytes_then_declaration() {
        let decl = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>";
        assert_eq!(found(decl, None), ("windows-1252", Source::Declaration, 0));
        assert_eq!(found(decl, Some("text/xml")), ("windows-1252", Source::Declaration, 0));
        assert_eq!(found(decl, Some("text/xml; charset=utf-8")), ("UTF-8", Source::ContentType, 0));
        assert_eq!(
            found(decl, Some("application/soap+xml; charset=\"Shift_JIS\"; action=\"x\"")),
            ("Shift_JIS", Source::ContentType, 0)
        );
        let bom = [b"\xFF\xFE".as_slice(), decl].concat();
        assert_eq!(found(&bom, Some("text/xml; charset=utf-8")), ("UTF-16LE", Source::ByteOrderMark, 2));
        assert_eq!(found(b"\xEF\xBB\xBF<a/>", Some("text/xml; charset=latin1")), ("UTF-8", Source::ByteOrderMark, 3));
        assert_eq!(found(b"\xFE\xFF\x00<", None), ("UTF-16BE", Source::ByteOrderMark, 2));
        assert_eq!(found(b"<\x00?\x00x\x00", None), ("UTF-16LE", Source::FirstBytes, 0));
        assert_eq!(found(b"\x00<\x00?\x00x", None), ("UTF-16BE", Source::FirstBytes, 0));
        assert_eq!(found(b"<a/>", Some("text/xml; charset=")), ("UTF-8", Source::Default, 0));
        assert_eq!(found(b"<?xml version='1.0'?><a/>", None), ("UTF-8", Source::Default, 0));
    }

    #[test]
    fn declarations_are_read_leniently_but_only_at_the_start() {
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\" encoding=\"latin1\"?>"), Some(b"latin1".as_slice()));
        assert_eq!(
            declared_encoding(b"\r\n <?xml\tversion = '1.0'\nencoding = 'cp1252' ?>"),
            Some(b"cp1252".as_slice())
        );
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\" standalone=\"yes\"?><encoding=\"x\"?>"), None);
        assert_eq!(declared_encoding(b"<?xml-stylesheet encoding=\"x\"?>"), None);
        assert_eq!(declared_encoding(b"<a/><?xml version=\"1.0\" encoding=\"x\"?>"), None);
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\" encoding=\"x"), None);
        assert_eq!(declared_encoding(b"<?xml version=1.0 encoding=\"x\"?>"), None);
    }

    #[test]
    fn utf8_and_ascii_are_borrowed() {
        let body = "<a>Müller</a>".as_bytes();
        assert!(matches!(to_utf8(body, None, 1000), Ok(Cow::Borrowed("<a>Müller</a>"))));
        let ascii = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>plain</a>";
        assert!(matches!(to_utf8(ascii, None, 1000), Ok(Cow::Borrowed(_))));
        let latin = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>M\xFCller</a>";
        let text = to_utf8(latin, None, 1000).unwrap();
        assert!(matches!(text, Cow::Owned(_)));
        assert!(text.ends_with("<a>Müller</a>"));
    }

    #[test]
    fn growth_is_bounded_and_the_converted_text_is_held_to_the_limit() {
        // The worst cases the limit has to absorb, as encoding_rs computes them.
        let n = 1_000_000;
        let growth = |e: &'static Encoding| {
            e.new_decoder_without_bom_handling().max_utf8_buffer_length_without_replacement(n).unwrap()
        };
        assert!(growth(UTF_16LE) <= n / 2 * 3 + 16, "UTF-16 grows at most 1.5x");
        assert!(growth(WINDOWS_1252) <= 3 * n + 16, "a single-byte encoding grows at most 3x");
        assert!(growth(SHIFT_JIS) <= 3 * n + 16);

        // 1,000 euro signs: 1,000 bytes in windows-1252, 3,000 in UTF-8.
        let body = [b"<a>".as_slice(), &[0x80; 1000], b"</a>"].concat();
        let ct = Some("text/xml; charset=windows-1252");
        assert_eq!(to_utf8(&body, ct, 3007).unwrap().len(), 3007);
        let DecodeError::Fault(msg) = to_utf8(&body, ct, 3006).unwrap_err() else { panic!() };
        assert_eq!(msg, "the request is larger than the limit of 3006 bytes once converted to UTF-8");
        // The buffer never grows past the limit, whatever the body would become.
        let huge = [b"<a>".as_slice(), &[0x80; 100_000]].concat();
        let found = detect(&huge, ct).unwrap();
        assert!(transcode(&huge, &found, 5_000).is_err());
        let ok = transcode(&body, &found, 4_000).unwrap();
        assert!(ok.capacity() <= 4_000 + DECODER_SLACK, "{}", ok.capacity());
    }

    #[test]
    fn refusals_name_the_encoding_and_the_place() {
        let fault_of = |body: &[u8], ct: Option<&str>| match to_utf8(body, ct, 1000) {
            Err(DecodeError::Fault(msg)) => msg,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            fault_of(b"<a/>", Some("text/xml; charset=x-klingon")),
            "the charset \"x-klingon\" of the Content-Type is not a supported encoding"
        );
        assert_eq!(
            fault_of(b"<?xml version=\"1.0\" encoding=\"EBCDIC-037\"?>", None),
            "the encoding \"EBCDIC-037\" of the XML declaration is not a supported encoding"
        );
        assert!(fault_of(b"<a/>", Some("text/xml; charset=iso-2022-kr")).contains("\"iso-2022-kr\""));
        assert!(fault_of(b"\xFF\xFE\x00\x00<\x00\x00\x00", None).contains("UTF-32"));
        assert!(fault_of(b"<?xml version=\"1.0\" encoding=\"utf-16\"?><a/>", None).contains("no byte order mark"));
        assert_eq!(
            fault_of(b"\xFF\xFE<\x00a\x00\x00\xD8/\x00>\x00", None),
            "the request is not valid UTF-16LE (by its byte order mark): invalid bytes at offset 6"
        );
        assert_eq!(
            fault_of(b"<a>\x82\x20</a>", Some("text/xml; charset=Shift_JIS")),
            "the request is not valid Shift_JIS (the charset of its Content-Type): invalid bytes at offset 3"
        );
        assert_eq!(fault_of(b"<a>\xff</a>", None), "the request is not UTF-8 (invalid byte at offset 3)");
        assert!(fault_of(b"<a>\xff</a>", Some("text/xml; charset=utf-8")).contains("not valid utf-8"));
        assert!(fault_of(b"<a/>", Some("text/xml; charset=\"\x01bad\"")).contains("\"?bad\""));
    }
}
