//! The three ways a notification leaves: an HTTP call to the SMS gateway, a mail to the
//! SMTP relay, a signed HTTP call to a subscribed system. Each carries the outbox row's
//! idempotency key (`Idempotency-Key` over HTTP, `Message-ID` in mail), so that a
//! receiver given a notification twice — delivery is at least once — can tell.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// An HTTP gateway that sends text messages: Chinese providers take an HTTPS call with
/// the number and the text in a body of their own shape.
#[derive(Debug, Clone)]
pub struct SmsGateway {
    pub url: String,
    /// The body, with `{phone}`, `{text}` and `{key}` filled in, escaped for its type.
    pub template: String,
    /// `application/json` or `application/x-www-form-urlencoded`.
    pub content_type: String,
}

/// The SMTP relay mail goes through.
#[derive(Debug, Clone)]
pub struct MailRelay {
    pub host: String,
    pub port: u16,
    pub from: String,
    pub login: Option<(String, String)>,
}

impl SmsGateway {
    pub const JSON: &'static str = "application/json";
    pub const FORM: &'static str = "application/x-www-form-urlencoded";
    pub const DEFAULT_TEMPLATE: &'static str = r#"{"phone":"{phone}","text":"{text}","id":"{key}"}"#;

    /// The body for one message.
    pub fn body(&self, phone: &str, text: &str, key: &str) -> String {
        let escape = |value: &str| -> String {
            if self.content_type.starts_with(Self::FORM) {
                percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
            } else {
                // A JSON string's inside, without its quotes.
                let quoted = serde_json::Value::String(value.to_string()).to_string();
                quoted[1..quoted.len() - 1].to_string()
            }
        };
        // One pass, so that a `{key}` inside the text is not filled in again.
        let mut out = String::with_capacity(self.template.len() + text.len() * 2);
        let mut rest = self.template.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open..];
            let filled = [("{phone}", phone), ("{text}", text), ("{key}", key)]
                .into_iter()
                .find(|(name, _)| after.starts_with(name));
            match filled {
                Some((name, value)) => {
                    out.push_str(&escape(value));
                    rest = &after[name.len()..];
                }
                None => {
                    out.push('{');
                    rest = &after[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// The channels a worker delivers through; any may be off.
#[derive(Clone)]
pub struct Channels {
    http: reqwest::Client,
    sms: Option<SmsGateway>,
    mail: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    webhooks: bool,
}

/// Why a delivery failed, as the dead-letter list shows it.
pub type Failure = String;

impl Channels {
    pub fn new(
        sms: Option<SmsGateway>,
        mail: Option<MailRelay>,
        webhooks: bool,
        timeout: Duration,
    ) -> Result<Channels, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .pool_max_idle_per_host(128)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let mail = match mail {
            None => None,
            Some(relay) => {
                let from: Mailbox = relay.from.parse().map_err(|e| format!("mail sender {}: {e}", relay.from))?;
                // The district's relay, on its own network: plain SMTP, as most internal
                // relays take it (see docs/notifications.md).
                let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&relay.host)
                    .port(relay.port)
                    .timeout(Some(timeout));
                if let Some((user, password)) = relay.login {
                    transport = transport.credentials(Credentials::new(user, password));
                }
                Some((transport.build(), from))
            }
        };
        Ok(Channels { http, sms, mail, webhooks })
    }

    pub fn sms_on(&self) -> bool {
        self.sms.is_some()
    }

    pub fn mail_on(&self) -> bool {
        self.mail.is_some()
    }

    pub fn webhooks_on(&self) -> bool {
        self.webhooks
    }

    pub async fn sms(&self, key: &str, phone: &str, text: &str) -> Result<(), Failure> {
        let Some(gateway) = &self.sms else { return Err("SMS is off".into()) };
        let request = self
            .http
            .post(&gateway.url)
            .header("Content-Type", gateway.content_type.as_str())
            .header("Idempotency-Key", key)
            .body(gateway.body(phone, text, key));
        answered(request.send().await)
    }

    pub async fn mail(&self, key: &str, to: &str, subject: &str, body: &str) -> Result<(), Failure> {
        let Some((transport, from)) = &self.mail else { return Err("mail is off".into()) };
        let to: Mailbox = to.parse().map_err(|e| format!("address {to}: {e}"))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(message_id(key, from)))
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| format!("message: {e}"))?;
        transport.send(message).await.map(|_| ()).map_err(|e| format!("SMTP: {e}"))
    }

    pub async fn webhook(
        &self,
        key: &str,
        event_type: &str,
        url: &str,
        secret: &str,
        body: String,
    ) -> Result<(), Failure> {
        if !self.webhooks {
            return Err("webhooks are off".into());
        }
        let now = gongzhi_domain::time::now() / 1_000;
        let signature = super::sign::header(secret, now, body.as_bytes());
        let request = self
            .http
            .post(url)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .header("X-Gongzhi-Event", event_type)
            .header(super::sign::HEADER, signature)
            .body(body);
        answered(request.send().await)
    }
}

/// A `Message-ID` made of the idempotency key, so that a mail sent twice is one message
/// to the receiving client; its left part keeps only what the header allows.
fn message_id(key: &str, from: &Mailbox) -> String {
    let left: String = key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '.' }).collect();
    format!("<{left}@{}>", from.email.domain())
}

fn answered(result: reqwest::Result<reqwest::Response>) -> Result<(), Failure> {
    match result {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => Err(format!("HTTP {}", response.status())),
        Err(error) if error.is_timeout() => Err("timed out".into()),
        Err(error) if error.is_connect() => Err("could not connect".into()),
        Err(error) => Err(format!("HTTP: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gateway(template: &str, content_type: &str) -> SmsGateway {
        SmsGateway { url: String::new(), template: template.into(), content_type: content_type.into() }
    }

    #[test]
    fn a_json_template_gets_escaped_values_once() {
        let g = gateway(SmsGateway::DEFAULT_TEMPLATE, SmsGateway::JSON);
        let body = g.body("13800001234", "说\"{key}\"\n", "e1:accepted:requester");
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(value["text"], "说\"{key}\"\n", "a placeholder inside the text stays as typed");
        assert_eq!(value["phone"], "13800001234");
        assert_eq!(value["id"], "e1:accepted:requester");
    }

    #[test]
    fn a_form_template_gets_percent_encoded_values() {
        let g = gateway("mobile={phone}&content={text}&sign=x", SmsGateway::FORM);
        assert_eq!(g.body("138", "受理 a&b", "k"), "mobile=138&content=%E5%8F%97%E7%90%86%20a%26b&sign=x");
    }
}
