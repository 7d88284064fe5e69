//! Writing an answer whose list output comes as a stream of pages (see
//! `patchbay_core::StreamedList`): the part before the items, the items page by page, and the
//! part after them, with nothing but one page held at a time.

use axum::body::{Body, Bytes};
use futures_util::stream::{self, StreamExt};
use patchbay_core::StreamedList;
use serde_json::Value;

/// A body of `head`, then each page of `list` written by `items` (told whether it is the
/// first), then `tail`. A page that fails ends the body with an error, which closes the
/// connection: the client sees a truncated answer rather than a wrong one.
pub fn body(
    head: String,
    list: StreamedList,
    items: impl Fn(&[Value], bool) -> String + Send + 'static,
    tail: String,
) -> Body {
    let field = list.field;
    let mut first = true;
    let pages = list.pages.map(move |page| match page {
        Ok(values) => {
            let text = items(&values, first);
            if !values.is_empty() {
                first = false;
            }
            Ok::<Bytes, std::io::Error>(Bytes::from(text))
        }
        Err(e) => {
            tracing::error!(field, error = %e, "a streamed answer failed part way");
            Err(std::io::Error::other(e.to_string()))
        }
    });
    let all = stream::once(async move { Ok(Bytes::from(head)) })
        .chain(pages)
        .chain(stream::once(async move { Ok(Bytes::from(tail)) }));
    Body::from_stream(all)
}

/// The JSON result with `list.field` written as an array of its streamed items, last.
pub fn json(mut result: Value, list: StreamedList) -> Body {
    if let Value::Object(m) = &mut result {
        m.remove(list.field);
    }
    let mut head = serde_json::to_string(&result).unwrap_or_else(|_| "{}".into());
    head.pop(); // the closing brace
    if head.len() > 1 {
        head.push(',');
    }
    head.push_str(&serde_json::to_string(list.field).unwrap_or_default());
    head.push_str(":[");
    body(
        head,
        list,
        |values, first| {
            let mut out = String::new();
            for (i, v) in values.iter().enumerate() {
                if !(first && i == 0) {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(v).unwrap_or_else(|_| "null".into()));
            }
            out
        },
        "]}".to_string(),
    )
}
