//! Log output. Text lines keep every field short: a slow bulk statement would
//! otherwise print its whole SQL, tens of kilobytes, into the operator's terminal.

use std::fmt::{self, Debug, Write as _};

use tracing::field::Field;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::FormatFields;

/// Longest field value printed whole, in characters; the message itself is never cut.
const FIELD_CHARS: usize = 600;

pub fn init(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.fmt_fields(fields()).init();
    }
}

/// How text lines print an event's fields: space apart, each long value cut.
fn fields() -> impl for<'w> FormatFields<'w> + Send + Sync + 'static {
    tracing_subscriber::fmt::format::debug_fn(write_field).delimited(" ")
}

fn write_field(w: &mut Writer<'_>, field: &Field, value: &dyn Debug) -> fmt::Result {
    if field.name() == "message" {
        return write!(w, "{value:?}");
    }
    let mut text = String::new();
    write!(text, "{value:?}")?;
    write!(w, "{}={}", field.name(), shorten(&text, FIELD_CHARS))
}

/// `text` whole when it is at most `limit` characters, else its start and how much was left out.
fn shorten(text: &str, limit: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(limit) {
        None => text.into(),
        Some((cut, _)) => {
            let left_out = text[cut..].chars().count();
            format!("{}… ({left_out} more characters)", &text[..cut]).into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn long_values_are_cut_at_a_character() {
        assert_eq!(shorten("短句", 5), "短句");
        assert_eq!(shorten("一二三四五六", 4), "一二三四… (2 more characters)");
    }

    /// A captured log line: fields cut, the message whole.
    #[test]
    fn lines_keep_fields_short() {
        #[derive(Clone, Default)]
        struct Capture(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Capture {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let out = Capture::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .fmt_fields(fields())
            .finish();
        let statement = format!("INSERT INTO search_postings VALUES {}", "(1, 2), ".repeat(5_000));
        let message = "slow statement: ".repeat(50);
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(db.statement = statement.as_str(), rows = 5_000, "{message}");
        });
        let line = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(line.contains(&message), "{line}");
        assert!(line.contains("rows=5000"), "{line}");
        assert!(line.contains("db.statement=\"INSERT INTO search_postings VALUES (1, 2)"), "{line}");
        assert!(line.contains("more characters)"), "{line}");
        assert!(line.len() < message.len() + 1_000, "{} bytes", line.len());
    }
}
