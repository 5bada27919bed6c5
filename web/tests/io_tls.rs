//! The observing TLS configuration of the policy fetch and the SMTP probe never resumes a
//! session: on a TLS 1.3 resumption the server presents no certificate and rustls hands back the
//! chain stored with the ticket, so a re-probe (the relay's cache lasts 60 s, tickets for hours)
//! would report a certificate the server may have replaced since. Every connection must be a
//! full handshake against a server that offers resumption.

use rustls::HandshakeKind;
use rustls::pki_types::ServerName;
use std::sync::Arc;
use stslens_e2e::pki::{SniResolver, TestCa, Validity, server_config};
use stslens_web::io::tls::TrustAnchors;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

const HOST: &str = "mx.example.test";

#[tokio::test]
async fn every_connection_of_the_observing_config_is_a_full_handshake() {
    let ca = TestCa::new();
    let mut certs = SniResolver::default();
    certs.set_fallback(ca.certified_key(&[HOST], Validity::Current));
    // rustls servers issue TLS 1.3 session tickets by default: resumption is on offer.
    let acceptor = TlsAcceptor::from(Arc::new(server_config(Arc::new(certs), &[])));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let _ = tls.write_all(b"hello").await;
                    let mut rest = Vec::new();
                    let _ = tls.read_to_end(&mut rest).await;
                }
            });
        }
    });

    let anchors = TrustAnchors::empty().with_root_der(&ca.cert_der()).unwrap();
    let connector = TlsConnector::from(Arc::new(anchors.observing_config(&[])));
    for attempt in 1..=3 {
        let tcp = TcpStream::connect(addr).await.unwrap();
        let name = ServerName::try_from(HOST).unwrap();
        let mut tls = connector.connect(name, tcp).await.unwrap();
        // Reading application data also reads the tickets the server sent before it.
        let mut hello = [0u8; 5];
        tls.read_exact(&mut hello).await.unwrap();
        let connection = tls.get_ref().1;
        assert_eq!(
            connection.handshake_kind(),
            Some(HandshakeKind::Full),
            "connection {attempt} resumed a session"
        );
        assert!(
            connection
                .peer_certificates()
                .is_some_and(|c| !c.is_empty())
        );
        tls.shutdown().await.unwrap();
    }
    server.abort();
}
