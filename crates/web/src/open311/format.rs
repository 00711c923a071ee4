//! The two formats of GeoReport v2. Every answer is built once as JSON; its XML is the
//! same tree written by the specification's convention (Spark): an object's fields are
//! elements, a list is an element holding one element per item under the item's name
//! (`services` holds `service`s, `service_requests` holds `request`s, …), a null is an
//! empty element.

use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use serde_json::{json, Value};

use crate::messages::Text;

/// The format a resource's extension asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// `services.json` → (`services`, JSON). A name without a known extension has no
    /// format: XML, the one every client reads, answers that it is not found.
    pub fn split(resource: &str) -> (&str, Option<Format>) {
        match resource.rsplit_once('.') {
            Some((name, "json")) => (name, Some(Format::Json)),
            Some((name, "xml")) => (name, Some(Format::Xml)),
            Some((name, _)) => (name, None),
            None => (resource, None),
        }
    }
}

/// The element each item of a list is written as, by the list's own name.
fn item_of(list: &str) -> &'static str {
    match list {
        "services" => "service",
        "service_requests" => "request",
        "errors" => "error",
        "attributes" => "attribute",
        "values" => "value",
        "endpoints" => "endpoint",
        "formats" => "format",
        _ => "item",
    }
}

/// An answer in the format asked for.
pub struct Reply {
    pub format: Format,
    pub status: StatusCode,
    /// The XML root element's name.
    pub root: &'static str,
    pub body: Value,
}

impl Reply {
    pub fn ok(format: Format, root: &'static str, body: Value) -> Reply {
        Reply { format, status: StatusCode::OK, root, body }
    }

    /// The specification's error: a list of `{code, description}`, the description in
    /// Chinese and English.
    pub fn error(format: Format, status: StatusCode, text: Text) -> Reply {
        let description = format!("{} / {}", text.zh, text.en);
        Reply { format, status, root: "errors", body: json!([{ "code": status.as_u16(), "description": description }]) }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let (kind, body) = match self.format {
            Format::Json => ("application/json; charset=utf-8", self.body.to_string()),
            Format::Xml => ("text/xml; charset=utf-8", xml(self.root, &self.body)),
        };
        (self.status, [(CONTENT_TYPE, kind)], body).into_response()
    }
}

/// The XML document of `value` under `root`.
pub fn xml(root: &str, value: &Value) -> String {
    let mut writer = Writer::new(Vec::new());
    let written = writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
        .and_then(|_| element(&mut writer, root, value));
    match written {
        Ok(()) => String::from_utf8(writer.into_inner()).unwrap_or_default(),
        // Writing to memory does not fail; if it did, an empty root is still XML.
        Err(_) => format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><{root}/>"),
    }
}

fn element(writer: &mut Writer<Vec<u8>>, name: &str, value: &Value) -> std::io::Result<()> {
    let text = match value {
        Value::Null => return writer.write_event(Event::Empty(BytesStart::new(name))),
        Value::Array(items) => {
            writer.write_event(Event::Start(BytesStart::new(name)))?;
            for item in items {
                element(writer, item_of(name), item)?;
            }
            return writer.write_event(Event::End(BytesEnd::new(name)));
        }
        Value::Object(fields) => {
            writer.write_event(Event::Start(BytesStart::new(name)))?;
            for (field, value) in fields {
                element(writer, field, value)?;
            }
            return writer.write_event(Event::End(BytesEnd::new(name)));
        }
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    writer.write_event(Event::Start(BytesStart::new(name)))?;
    writer.write_event(Event::Text(BytesText::new(&text)))?;
    writer.write_event(Event::End(BytesEnd::new(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_hold_their_items_by_name_and_text_is_escaped() {
        let body = json!([{ "code": 400, "description": "a < b & \"c\"", "empty": null }]);
        let doc = xml("errors", &body);
        assert_eq!(
            doc,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error><code>400</code>\
             <description>a &lt; b &amp; &quot;c&quot;</description><empty/></error></errors>"
        );
        assert_eq!(Format::split("services.xml"), ("services", Some(Format::Xml)));
        assert_eq!(Format::split("requests.csv"), ("requests", None));
        assert_eq!(Format::split("discovery"), ("discovery", None));
    }
}
