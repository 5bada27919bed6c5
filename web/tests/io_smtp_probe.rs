//! The STARTTLS probe against loopback SMTP fakes certified by a test CA: healthy, no STARTTLS,
//! STARTTLS refused, expired certificate, certificate for another name, a server that never
//! answers or answers too slowly (bounded by the timeouts), a flooded banner (cut off), a
//! service that is not SMTP, and nothing listening. Every fake records the commands it got, so
//! each test also proves the probe never sent MAIL, RCPT or DATA.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use stslens_core::name::{DomainName, TrailingDot};
use stslens_core::probe::{ChainError, FailureKind};
use stslens_e2e::pki::TestCa;
use stslens_e2e::smtp::{FakeSmtp, SmtpBehaviour, WRONG_NAME};
use stslens_web::io::smtp_probe::{SmtpOptions, SmtpProbeError, SmtpProber, SmtpStep};
use stslens_web::io::tls::TrustAnchors;

const MX: &str = "mx.example.test";
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn host() -> DomainName {
    DomainName::parse(MX, TrailingDot::Refuse).unwrap()
}

fn options(port: u16) -> SmtpOptions {
    let mut options = SmtpOptions::default().with_test_port(port);
    options.connect_timeout = Duration::from_secs(2);
    options.reply_timeout = Duration::from_millis(500);
    options.handshake_timeout = Duration::from_secs(2);
    options.total_timeout = Duration::from_secs(5);
    options.max_line_len = 512;
    options.max_lines = 32;
    options
}

async fn probe(
    behaviour: SmtpBehaviour,
) -> (
    Result<stslens_core::probe::MxProbe, SmtpProbeError>,
    Vec<String>,
) {
    let ca = TestCa::new();
    let fake = FakeSmtp::start(&ca, MX, behaviour).await.unwrap();
    let anchors = TrustAnchors::empty().with_root_der(&ca.cert_der()).unwrap();
    let prober = SmtpProber::new(&anchors, options(fake.port()));
    let result = prober.probe(&host(), LOOPBACK).await;
    // No wait needed: the fake records a command before it replies, and the probe reads the
    // reply to its last command (QUIT) before returning.
    (result, fake.commands())
}

fn assert_harmless(commands: &[String]) {
    for forbidden in ["MAIL", "RCPT", "DATA"] {
        assert!(
            !commands.iter().any(|c| c == forbidden),
            "{forbidden} sent: {commands:?}"
        );
    }
}

#[tokio::test]
async fn healthy_server() {
    let (result, commands) = probe(SmtpBehaviour::Healthy).await;
    let probe = result.unwrap();
    assert_eq!(probe.host.as_str(), MX);
    assert_eq!(probe.address, LOOPBACK);
    assert_eq!(probe.banner, "mx.example.test ESMTP StsLens fake");
    assert!(probe.starttls);
    let tls = probe.tls.as_ref().unwrap();
    assert!(
        tls.version == "TLSv1.3" || tls.version == "TLSv1.2",
        "{}",
        tls.version
    );
    assert!(tls.cipher.starts_with("TLS_"), "{}", tls.cipher);
    assert!(probe.chain_valid, "{:?}", probe.chain_error);
    assert_eq!(probe.chain_error, None);
    assert_eq!(probe.name_valid(), Some(true));
    assert_eq!(probe.certificates[0].dns_names, [MX]);
    assert_eq!(commands, ["EHLO", "STARTTLS", "QUIT"]);
    assert_harmless(&commands);

    let json = serde_json::to_value(&probe).unwrap();
    assert_eq!(json["starttls"], true);
    assert_eq!(json["chain_valid"], true);
    assert!(json["chain_error"].is_null());
}

#[tokio::test]
async fn no_starttls_is_a_result_not_an_error() {
    let (result, commands) = probe(SmtpBehaviour::NoStartTls).await;
    let probe = result.unwrap();
    assert!(!probe.starttls);
    assert!(probe.tls.is_none());
    assert!(probe.certificates.is_empty());
    assert!(!probe.chain_valid);
    assert_eq!(commands, ["EHLO", "QUIT"]);
}

#[tokio::test]
async fn starttls_advertised_then_refused() {
    let (result, commands) = probe(SmtpBehaviour::RefuseStartTls).await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, SmtpProbeError::StartTlsRefused { reply, .. } if reply.starts_with("454")),
        "{err:?}"
    );
    assert_eq!(err.kind(), FailureKind::StartTlsRefused);
    assert_harmless(&commands);
}

#[tokio::test]
async fn expired_certificate_keeps_its_facts() {
    let (result, commands) = probe(SmtpBehaviour::ExpiredCert).await;
    let probe = result.unwrap();
    assert!(probe.starttls);
    assert!(!probe.chain_valid);
    assert_eq!(probe.chain_error, Some(ChainError::Expired));
    assert_eq!(probe.name_valid(), Some(true));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(probe.certificates[0].not_after < now);
    assert_eq!(commands, ["EHLO", "STARTTLS", "QUIT"]);
}

#[tokio::test]
async fn certificate_for_another_name() {
    let (result, _) = probe(SmtpBehaviour::WrongName).await;
    let probe = result.unwrap();
    assert!(
        probe.chain_valid,
        "the chain is fine: {:?}",
        probe.chain_error
    );
    assert_eq!(probe.name_valid(), Some(false));
    assert_eq!(probe.certificates[0].dns_names, [WRONG_NAME]);
}

#[tokio::test]
async fn untrusted_issuer() {
    let ca = TestCa::new();
    let fake = FakeSmtp::start(&ca, MX, SmtpBehaviour::Healthy)
        .await
        .unwrap();
    let prober = SmtpProber::new(&TrustAnchors::webpki(), options(fake.port()));
    let probe = prober.probe(&host(), LOOPBACK).await.unwrap();
    assert_eq!(probe.chain_error, Some(ChainError::UnknownIssuer));
}

#[tokio::test]
async fn a_server_that_never_answers_is_bounded_by_the_reply_timeout() {
    let (result, _) = probe(SmtpBehaviour::NeverAnswers).await;
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            SmtpProbeError::Timeout {
                step: SmtpStep::Greeting,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.failure().kind, FailureKind::Timeout);
    assert!(err.to_string().contains(MX), "{err}");
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_is_cut_off_and_one_within_it_is_not() {
    let (result, _) = probe(SmtpBehaviour::Slow { delay_ms: 3_000 }).await;
    assert!(
        matches!(
            result,
            Err(SmtpProbeError::Timeout {
                step: SmtpStep::Greeting,
                ..
            })
        ),
        "{result:?}"
    );
    let (result, _) = probe(SmtpBehaviour::Slow { delay_ms: 50 }).await;
    assert!(result.unwrap().chain_valid);
}

#[tokio::test]
async fn the_whole_probe_has_its_own_limit() {
    let ca = TestCa::new();
    let fake = FakeSmtp::start(&ca, MX, SmtpBehaviour::NeverAnswers)
        .await
        .unwrap();
    let mut options = options(fake.port());
    options.reply_timeout = Duration::from_secs(30);
    options.total_timeout = Duration::from_millis(300);
    let err = SmtpProber::new(&TrustAnchors::empty(), options)
        .probe(&host(), LOOPBACK)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SmtpProbeError::Timeout {
                step: SmtpStep::Total,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_flooded_banner_is_cut_off() {
    let (result, commands) = probe(SmtpBehaviour::BannerFlood).await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, SmtpProbeError::TooLarge { step: SmtpStep::Greeting, what, .. } if what.contains("32 lines")),
        "{err:?}"
    );
    assert_eq!(err.kind(), FailureKind::TooLarge);
    assert!(
        commands.is_empty(),
        "nothing sent to a flooding server: {commands:?}"
    );
}

#[tokio::test]
async fn another_protocol_on_the_port_is_not_smtp() {
    let (result, commands) = probe(SmtpBehaviour::NotSmtp).await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, SmtpProbeError::NotSmtp { line, .. } if line.starts_with("SSH-2.0")),
        "{err:?}"
    );
    assert_eq!(err.kind(), FailureKind::Protocol);
    assert!(commands.is_empty());
}

#[tokio::test]
async fn nothing_listening_is_refused() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let prober = SmtpProber::new(&TrustAnchors::empty(), options(dead.port()));
    let err = prober.probe(&host(), LOOPBACK).await.unwrap_err();
    assert!(matches!(err, SmtpProbeError::Refused { .. }), "{err:?}");
    assert_eq!(err.kind(), FailureKind::Refused);
}

#[tokio::test]
async fn probes_of_several_mx_run_concurrently_on_one_prober() {
    let ca = TestCa::new();
    let a = FakeSmtp::start(&ca, MX, SmtpBehaviour::Healthy)
        .await
        .unwrap();
    let b = FakeSmtp::start(&ca, MX, SmtpBehaviour::Healthy)
        .await
        .unwrap();
    let anchors = TrustAnchors::empty().with_root_der(&ca.cert_der()).unwrap();
    let pa = SmtpProber::new(&anchors, options(a.port()));
    let pb = SmtpProber::new(&anchors, options(b.port()));
    let h = host();
    let (ra, rb) = tokio::join!(pa.probe(&h, LOOPBACK), pb.probe(&h, LOOPBACK));
    assert!(ra.unwrap().chain_valid && rb.unwrap().chain_valid);
}
