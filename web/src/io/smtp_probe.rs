//! The STARTTLS probe of one MX host: what a sending MTA sees before it would send mail.
//!
//! Greeting, `EHLO`, `STARTTLS` (RFC 3207), the TLS handshake with SNI = the MX host name, the
//! certificate facts, `QUIT`. It never sends `MAIL`, `RCPT` or `DATA`: the probe must be
//! harmless to any server it is pointed at, and the relay can be pointed at any public host.
//!
//! Every step has a timeout and the whole probe has one more; replies are read through
//! [`ReplyReader`], which caps the length of a line and the number of lines in a reply, so a
//! server that drips, floods its banner or never answers is cut off.
//!
//! A server that does not offer STARTTLS is not an error: the result says `starttls: false`, which
//! is exactly what the check needs to report. Errors are for probes that could not see that much.

use super::smtp_reply::{Reply, ReplyError, ReplyReader};
use super::tls::{TlsFacts, TrustAnchors};
use rustls::ClientConfig;
use rustls::pki_types::{ServerName, UnixTime};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use stslens_core::name::DomainName;
use stslens_core::probe::{FailureKind, MxProbe, ProbeFailure};
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;

/// The SMTP port (RFC 5321 §4.5.4.2); senders deliver to no other.
pub const SMTP_PORT: u16 = 25;

/// Limits of a probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpOptions {
    /// TCP connection.
    pub connect_timeout: Duration,
    /// Each reply (greeting, EHLO, STARTTLS, QUIT), from the command to the last line.
    pub reply_timeout: Duration,
    /// The TLS handshake.
    pub handshake_timeout: Duration,
    /// The whole probe.
    pub total_timeout: Duration,
    /// Longest reply line, CRLF included (RFC 5321 §4.5.3.1.5 allows 512).
    pub max_line_len: usize,
    /// Most lines in one reply (an EHLO reply has one per extension, rarely over 20).
    pub max_lines: usize,
    /// The name sent in `EHLO`.
    pub ehlo_name: String,
    port: u16,
}

impl Default for SmtpOptions {
    /// Limits in the spirit of RFC 5321 §4.5.3.2 (5 minutes for the greeting) cut down to what
    /// an interactive check can wait: 10 s to connect, 30 s per reply, 60 s in all.
    fn default() -> Self {
        SmtpOptions {
            connect_timeout: Duration::from_secs(10),
            reply_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(15),
            total_timeout: Duration::from_secs(60),
            max_line_len: 1024,
            max_lines: 64,
            ehlo_name: "stslens.invalid".into(),
            port: SMTP_PORT,
        }
    }
}

impl SmtpOptions {
    /// Connects to `port` instead of 25. **For tests against loopback fakes only**: the relay
    /// never sets it, so probes always go to port 25 (design §4: fixed ports).
    pub fn with_test_port(mut self, port: u16) -> SmtpOptions {
        self.port = port;
        self
    }

    /// The port probes connect to.
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// The SMTP step at which something went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpStep {
    /// The TCP connection.
    Connect,
    /// Waiting for the 220 greeting.
    Greeting,
    /// `EHLO`.
    Ehlo,
    /// `STARTTLS`.
    StartTls,
    /// The TLS handshake.
    Handshake,
    /// `QUIT`.
    Quit,
    /// The probe as a whole.
    Total,
}

impl std::fmt::Display for SmtpStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SmtpStep::Connect => "connect",
            SmtpStep::Greeting => "greeting",
            SmtpStep::Ehlo => "EHLO",
            SmtpStep::StartTls => "STARTTLS",
            SmtpStep::Handshake => "TLS handshake",
            SmtpStep::Quit => "QUIT",
            SmtpStep::Total => "whole probe",
        })
    }
}

/// Why a probe could not see whether the host offers STARTTLS with a good certificate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SmtpProbeError {
    /// Nothing listens on the port.
    #[error("{host} ({address}) refused the connection")]
    Refused {
        /// The MX host.
        host: String,
        /// The address and port.
        address: SocketAddr,
    },
    /// A step took longer than its limit.
    #[error("{host} ({address}) timed out at the {step} step")]
    Timeout {
        /// The MX host.
        host: String,
        /// The address and port.
        address: SocketAddr,
        /// The step.
        step: SmtpStep,
    },
    /// The connection failed or broke.
    #[error("{host} ({address}) failed at the {step} step: {source}")]
    Io {
        /// The MX host.
        host: String,
        /// The address and port.
        address: SocketAddr,
        /// The step.
        step: SmtpStep,
        /// The socket error.
        #[source]
        source: std::io::Error,
    },
    /// The server closed the connection.
    #[error("{host} ({address}) closed the connection at the {step} step")]
    Closed {
        /// The MX host.
        host: String,
        /// The address and port.
        address: SocketAddr,
        /// The step.
        step: SmtpStep,
    },
    /// What came back is not an SMTP reply (RFC 5321 §4.2: three digits, then space or hyphen).
    #[error("{host} ({address}) does not speak SMTP: it sent {line:?}")]
    NotSmtp {
        /// The MX host.
        host: String,
        /// The address and port.
        address: SocketAddr,
        /// The first offending line (cut to 80 characters).
        line: String,
    },
    /// A reply broke the line-length or line-count cap.
    #[error("{host} ({address}) sent too much at the {step} step: {what}")]
    TooLarge {
        /// The MX host.
        host: String,
        /// The address and port.
        address: SocketAddr,
        /// The step.
        step: SmtpStep,
        /// Which cap.
        what: String,
    },
    /// The server answered a step with an error reply (e.g. 554 greeting, EHLO refused).
    #[error("{host} ({address}) rejected {step}: {reply}")]
    Rejected {
        /// The MX host.
        host: String,
        /// The address and port.
        address: SocketAddr,
        /// The step.
        step: SmtpStep,
        /// The reply.
        reply: String,
    },
    /// The server advertised STARTTLS and then refused it (RFC 3207 §4: 454).
    #[error("{host} ({address}) advertised STARTTLS but refused it: {reply}")]
    StartTlsRefused {
        /// The MX host.
        host: String,
        /// The address and port.
        address: SocketAddr,
        /// The reply.
        reply: String,
    },
    /// The server sent data after its 220 to STARTTLS, before the handshake: a command
    /// injection attempt or a broken server (RFC 3207 §4.2 requires discarding it).
    #[error("{host} ({address}) sent data between its STARTTLS reply and the TLS handshake")]
    Pipelined {
        /// The MX host.
        host: String,
        /// The address and port.
        address: SocketAddr,
    },
    /// The TLS handshake failed (certificate problems are reported as facts, not errors).
    #[error("TLS with {host} ({address}) failed: {source}")]
    Tls {
        /// The MX host.
        host: String,
        /// The address and port.
        address: SocketAddr,
        /// The reason.
        #[source]
        source: std::io::Error,
    },
}

impl SmtpProbeError {
    /// The kind of failure.
    pub fn kind(&self) -> FailureKind {
        match self {
            SmtpProbeError::Refused { .. } => FailureKind::Refused,
            SmtpProbeError::Timeout { .. } => FailureKind::Timeout,
            SmtpProbeError::Io { .. } | SmtpProbeError::Closed { .. } => FailureKind::Network,
            SmtpProbeError::NotSmtp { .. }
            | SmtpProbeError::Rejected { .. }
            | SmtpProbeError::Pipelined { .. } => FailureKind::Protocol,
            SmtpProbeError::TooLarge { .. } => FailureKind::TooLarge,
            SmtpProbeError::StartTlsRefused { .. } => FailureKind::StartTlsRefused,
            SmtpProbeError::Tls { .. } => FailureKind::Tls,
        }
    }

    /// The failure as data, for the check's observations and the relay's errors.
    pub fn failure(&self) -> ProbeFailure {
        ProbeFailure {
            kind: self.kind(),
            message: self.to_string(),
        }
    }
}

/// Probes MX hosts; cheap to clone and share across concurrent probes.
#[derive(Debug, Clone)]
pub struct SmtpProber {
    config: Arc<ClientConfig>,
    anchors: TrustAnchors,
    options: SmtpOptions,
}

impl SmtpProber {
    /// A prober judging chains against `anchors`.
    pub fn new(anchors: &TrustAnchors, options: SmtpOptions) -> SmtpProber {
        let config = Arc::new(anchors.observing_config(&[]));
        SmtpProber {
            config,
            anchors: anchors.clone(),
            options,
        }
    }

    /// The limits and the port of this prober's probes.
    pub fn options(&self) -> &SmtpOptions {
        &self.options
    }

    /// Probes `host` at `address` (already resolved; the relay passes the address it checked).
    pub async fn probe(
        &self,
        host: &DomainName,
        address: IpAddr,
    ) -> Result<MxProbe, SmtpProbeError> {
        let started = Instant::now();
        let socket = SocketAddr::new(address, self.options.port);
        let total = timeout(self.options.total_timeout, self.run(host, socket, started)).await;
        total.unwrap_or_else(|_| {
            Err(SmtpProbeError::Timeout {
                host: host.to_string(),
                address: socket,
                step: SmtpStep::Total,
            })
        })
    }

    async fn run(
        &self,
        host: &DomainName,
        address: SocketAddr,
        started: Instant,
    ) -> Result<MxProbe, SmtpProbeError> {
        let name = host.to_string();
        let o = &self.options;
        let timed_out = |step| SmtpProbeError::Timeout {
            host: name.clone(),
            address,
            step,
        };
        let tcp = timeout(o.connect_timeout, TcpStream::connect(address))
            .await
            .map_err(|_| timed_out(SmtpStep::Connect))?
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::ConnectionRefused => SmtpProbeError::Refused {
                    host: name.clone(),
                    address,
                },
                _ => SmtpProbeError::Io {
                    host: name.clone(),
                    address,
                    step: SmtpStep::Connect,
                    source,
                },
            })?;
        let _ = tcp.set_nodelay(true);
        let mut smtp = ReplyReader::new(tcp, o.max_line_len, o.max_lines);

        let greeting = self
            .reply(&mut smtp, &name, address, SmtpStep::Greeting)
            .await?;
        if greeting.code != 220 {
            return Err(self.rejected(&name, address, SmtpStep::Greeting, &greeting));
        }
        let banner = greeting.lines.join("\n");

        self.command(
            &mut smtp,
            &name,
            address,
            SmtpStep::Ehlo,
            &format!("EHLO {}", o.ehlo_name),
        )
        .await?;
        let ehlo = self
            .reply(&mut smtp, &name, address, SmtpStep::Ehlo)
            .await?;
        if ehlo.code != 250 {
            return Err(self.rejected(&name, address, SmtpStep::Ehlo, &ehlo));
        }
        // The first line is the server's name; each following line is one extension keyword.
        let starttls = ehlo.lines.iter().skip(1).any(|line| {
            line.split_whitespace()
                .next()
                .is_some_and(|kw| kw.eq_ignore_ascii_case("STARTTLS"))
        });
        if !starttls {
            self.quit(&mut smtp).await;
            return Ok(MxProbe {
                host: host.clone(),
                address: address.ip(),
                banner,
                starttls: false,
                tls: None,
                certificates: Vec::new(),
                chain_valid: false,
                chain_error: None,
                elapsed_ms: started.elapsed().as_millis() as u64,
            });
        }

        self.command(&mut smtp, &name, address, SmtpStep::StartTls, "STARTTLS")
            .await?;
        let reply = self
            .reply(&mut smtp, &name, address, SmtpStep::StartTls)
            .await?;
        if reply.code != 220 {
            return Err(SmtpProbeError::StartTlsRefused {
                host: name.clone(),
                address,
                reply: reply.text(),
            });
        }
        let (tcp, leftover) = smtp.into_inner();
        if leftover {
            return Err(SmtpProbeError::Pipelined {
                host: name.clone(),
                address,
            });
        }
        let server_name =
            ServerName::try_from(name.clone()).expect("a DomainName is a valid DNS name");
        let connector = TlsConnector::from(Arc::clone(&self.config));
        let tls = timeout(o.handshake_timeout, connector.connect(server_name, tcp))
            .await
            .map_err(|_| timed_out(SmtpStep::Handshake))?
            .map_err(|source| SmtpProbeError::Tls {
                host: name.clone(),
                address,
                source,
            })?;
        let facts = TlsFacts::observe(tls.get_ref().1, host, &self.anchors, UnixTime::now());

        let mut smtp = ReplyReader::new(tls, o.max_line_len, o.max_lines);
        self.quit(&mut smtp).await;
        let (mut tls, _) = smtp.into_inner();
        let _ = timeout(o.reply_timeout, tls.shutdown()).await;

        Ok(MxProbe {
            host: host.clone(),
            address: address.ip(),
            banner,
            starttls: true,
            tls: Some(facts.session),
            certificates: facts.certificates,
            chain_valid: facts.chain_valid,
            chain_error: facts.chain_error,
            elapsed_ms: started.elapsed().as_millis() as u64,
        })
    }

    async fn command<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        smtp: &mut ReplyReader<S>,
        host: &str,
        address: SocketAddr,
        step: SmtpStep,
        line: &str,
    ) -> Result<(), SmtpProbeError> {
        timeout(self.options.reply_timeout, smtp.send(line))
            .await
            .map_err(|_| SmtpProbeError::Timeout {
                host: host.to_owned(),
                address,
                step,
            })?
            .map_err(|source| SmtpProbeError::Io {
                host: host.to_owned(),
                address,
                step,
                source,
            })
    }

    async fn reply<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        smtp: &mut ReplyReader<S>,
        host: &str,
        address: SocketAddr,
        step: SmtpStep,
    ) -> Result<Reply, SmtpProbeError> {
        let host = host.to_owned();
        match timeout(self.options.reply_timeout, smtp.read_reply()).await {
            Err(_) => Err(SmtpProbeError::Timeout {
                host,
                address,
                step,
            }),
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(ReplyError::Io(source))) => Err(SmtpProbeError::Io {
                host,
                address,
                step,
                source,
            }),
            Ok(Err(ReplyError::Closed)) => Err(SmtpProbeError::Closed {
                host,
                address,
                step,
            }),
            Ok(Err(ReplyError::NotSmtp(line))) => Err(SmtpProbeError::NotSmtp {
                host,
                address,
                line,
            }),
            Ok(Err(ReplyError::TooLarge(what))) => Err(SmtpProbeError::TooLarge {
                host,
                address,
                step,
                what,
            }),
        }
    }

    fn rejected(
        &self,
        host: &str,
        address: SocketAddr,
        step: SmtpStep,
        reply: &Reply,
    ) -> SmtpProbeError {
        SmtpProbeError::Rejected {
            host: host.to_owned(),
            address,
            step,
            reply: reply.text(),
        }
    }

    /// `QUIT` and its reply, best effort: the facts are already in hand.
    async fn quit<S: AsyncRead + AsyncWrite + Unpin>(&self, smtp: &mut ReplyReader<S>) {
        let polite = async {
            if smtp.send("QUIT").await.is_ok() {
                let _ = smtp.read_reply().await;
            }
        };
        let _ = timeout(self.options.reply_timeout, polite).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_is_25_unless_a_test_says_otherwise() {
        assert_eq!(SmtpOptions::default().port(), 25);
        assert_eq!(SmtpOptions::default().with_test_port(2525).port(), 2525);
    }
}
