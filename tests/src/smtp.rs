//! Fake SMTP servers with STARTTLS (RFC 3207) on loopback, each with one behaviour, recording the
//! commands they receive so tests can prove a probe never sends `MAIL`, `RCPT` or `DATA`.

use crate::pki::{TestCa, Validity, server_config};
use crate::server::AbortOnDrop;
use rustls::server::ResolvesServerCert;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// How a fake SMTP server behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum SmtpBehaviour {
    /// Greeting, EHLO with STARTTLS, a valid certificate for the host.
    Healthy,
    /// No STARTTLS in the EHLO reply.
    NoStartTls,
    /// STARTTLS advertised, then refused with 454.
    RefuseStartTls,
    /// STARTTLS with an expired certificate.
    ExpiredCert,
    /// STARTTLS with a valid certificate for another name.
    WrongName,
    /// Accepts the connection and never says anything.
    NeverAnswers,
    /// Waits `delay_ms` before the greeting, then behaves like `Healthy`.
    Slow {
        /// The delay.
        delay_ms: u64,
    },
    /// Sends `220-` continuation lines for ever.
    BannerFlood,
    /// Another protocol on the port (an SSH banner).
    NotSmtp,
}

/// The name in the `WrongName` certificate.
pub const WRONG_NAME: &str = "wrong-name.example.net";

struct Context {
    host: String,
    behaviour: SmtpBehaviour,
    latency: Duration,
    acceptor: tokio_rustls::TlsAcceptor,
    commands: Mutex<Vec<String>>,
}

/// A running fake SMTP server. Stops when dropped.
pub struct FakeSmtp {
    addr: SocketAddr,
    context: Arc<Context>,
    _server: AbortOnDrop,
}

impl std::fmt::Debug for FakeSmtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeSmtp")
            .field("addr", &self.addr)
            .field("host", &self.context.host)
            .field("behaviour", &self.context.behaviour)
            .finish()
    }
}

impl FakeSmtp {
    /// Starts a server for MX `host` on `127.0.0.1`, on a free port.
    pub async fn start(
        ca: &TestCa,
        host: &str,
        behaviour: SmtpBehaviour,
    ) -> std::io::Result<FakeSmtp> {
        FakeSmtp::start_on("127.0.0.1:0".parse().expect("literal"), ca, host, behaviour).await
    }

    /// Starts on `addr`.
    pub async fn start_on(
        addr: SocketAddr,
        ca: &TestCa,
        host: &str,
        behaviour: SmtpBehaviour,
    ) -> std::io::Result<FakeSmtp> {
        FakeSmtp::start_with_latency(addr, ca, host, behaviour, Duration::ZERO).await
    }

    /// Starts on `addr`, waiting `latency` before every reply (the greeting included), as a
    /// server across a network would seem to: for the critical-path benchmark.
    pub async fn start_with_latency(
        addr: SocketAddr,
        ca: &TestCa,
        host: &str,
        behaviour: SmtpBehaviour,
        latency: Duration,
    ) -> std::io::Result<FakeSmtp> {
        let key = match behaviour {
            SmtpBehaviour::ExpiredCert => ca.certified_key(&[host], Validity::Expired),
            SmtpBehaviour::WrongName => ca.certified_key(&[WRONG_NAME], Validity::Current),
            _ => ca.certified_key(&[host], Validity::Current),
        };
        let mut resolver = crate::pki::SniResolver::default();
        resolver.set_fallback(key);
        let resolver: Arc<dyn ResolvesServerCert> = Arc::new(resolver);
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config(resolver, &[])));
        let context = Arc::new(Context {
            host: host.to_owned(),
            behaviour,
            latency,
            acceptor,
            commands: Mutex::new(Vec::new()),
        });
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::clone(&context);
        let task = tokio::spawn(async move {
            let mut sessions = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                while sessions.try_join_next().is_some() {}
                sessions.spawn(session(stream, Arc::clone(&shared)));
            }
        });
        Ok(FakeSmtp {
            addr,
            context,
            _server: AbortOnDrop(task),
        })
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The command verbs received so far, upper case, in order, over all sessions.
    pub fn commands(&self) -> Vec<String> {
        self.context.commands.lock().expect("commands lock").clone()
    }
}

async fn session(mut stream: TcpStream, context: Arc<Context>) {
    match context.behaviour {
        SmtpBehaviour::NeverAnswers => drain(stream).await,
        SmtpBehaviour::NotSmtp => {
            let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.6 fake\r\n").await;
            drain(stream).await;
        }
        SmtpBehaviour::BannerFlood => {
            let line = format!("220-{} flooding the banner\r\n", context.host);
            // Ends when the client stops reading and closes the socket.
            while stream.write_all(line.as_bytes()).await.is_ok() {}
        }
        SmtpBehaviour::Slow { delay_ms } => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            let _ = converse(stream, &context).await;
        }
        _ => {
            let _ = converse(stream, &context).await;
        }
    }
}

/// The configured latency before a reply.
async fn delay(context: &Context) {
    if !context.latency.is_zero() {
        tokio::time::sleep(context.latency).await;
    }
}

async fn drain(mut stream: TcpStream) {
    let mut sink = [0u8; 1024];
    while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
}

async fn converse(stream: TcpStream, context: &Context) -> std::io::Result<()> {
    let offer = !matches!(context.behaviour, SmtpBehaviour::NoStartTls);
    if let Some(tcp) = dialogue(stream, context, true, offer).await? {
        let tls = context.acceptor.accept(tcp).await?;
        dialogue(tls, context, false, false).await?;
    }
    Ok(())
}

/// Runs the SMTP dialogue; returns the stream when the client asked for STARTTLS and got 220.
async fn dialogue<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    context: &Context,
    greet: bool,
    offer_starttls: bool,
) -> std::io::Result<Option<S>> {
    let host = &context.host;
    let mut reader = BufReader::new(stream);
    if greet {
        delay(context).await;
        reader
            .get_mut()
            .write_all(format!("220 {host} ESMTP StsLens fake\r\n").as_bytes())
            .await?;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        context
            .commands
            .lock()
            .expect("commands lock")
            .push(verb.clone());
        delay(context).await;
        let reply = match verb.as_str() {
            "EHLO" => {
                let starttls = if offer_starttls {
                    "250-STARTTLS\r\n"
                } else {
                    ""
                };
                format!("250-{host} greets you\r\n250-PIPELINING\r\n{starttls}250 8BITMIME\r\n")
            }
            "HELO" => format!("250 {host}\r\n"),
            "STARTTLS" if offer_starttls && context.behaviour == SmtpBehaviour::RefuseStartTls => {
                "454 4.7.0 TLS not available due to temporary reason\r\n".to_owned()
            }
            "STARTTLS" if offer_starttls => {
                reader
                    .get_mut()
                    .write_all(b"220 2.0.0 Ready to start TLS\r\n")
                    .await?;
                return Ok(Some(reader.into_inner()));
            }
            "QUIT" => {
                reader.get_mut().write_all(b"221 2.0.0 Bye\r\n").await?;
                let _ = reader.get_mut().shutdown().await;
                return Ok(None);
            }
            _ => "502 5.5.1 Command not implemented\r\n".to_owned(),
        };
        reader.get_mut().write_all(reply.as_bytes()).await?;
    }
}
