//! The bits every fake shares: a loopback HTTP(S) server loop and a task guard.

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// Response bodies of the fakes.
pub type Body = Full<Bytes>;

/// Aborts a task (and, through its `JoinSet`, every connection it spawned) when dropped.
#[derive(Debug)]
pub struct AbortOnDrop(pub JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A response with a body and content type.
pub fn text_response(
    status: StatusCode,
    body: impl Into<Bytes>,
    content_type: &str,
) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    if !content_type.is_empty() {
        response.headers_mut().insert(
            "content-type",
            content_type.parse().expect("valid content type"),
        );
    }
    response
}

/// Adds the CORS headers a browser needs to call the fake from another origin.
pub fn cors(mut response: Response<Body>) -> Response<Body> {
    let headers = response.headers_mut();
    headers.insert("access-control-allow-origin", "*".parse().expect("static"));
    headers.insert(
        "access-control-allow-methods",
        "GET, POST, OPTIONS".parse().expect("static"),
    );
    headers.insert(
        "access-control-allow-headers",
        "content-type, accept".parse().expect("static"),
    );
    headers.insert("access-control-max-age", "600".parse().expect("static"));
    response
}

/// Serves HTTP/1.1 (over TLS when `tls` is given) on `addr` until the guard is dropped.
pub async fn serve_http<F, Fut>(
    addr: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
    handler: F,
) -> std::io::Result<(SocketAddr, AbortOnDrop)>
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send + 'static,
{
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let task = tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            while connections.try_join_next().is_some() {}
            let handler = handler.clone();
            let acceptor = acceptor.clone();
            connections.spawn(async move {
                let service = service_fn(move |request| {
                    let handler = handler.clone();
                    async move { Ok::<_, Infallible>(handler(request).await) }
                });
                let builder = hyper::server::conn::http1::Builder::new();
                match acceptor {
                    Some(acceptor) => {
                        if let Ok(tls) = acceptor.accept(stream).await {
                            let _ = builder.serve_connection(TokioIo::new(tls), service).await;
                        }
                    }
                    None => {
                        let _ = builder
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    }
                }
            });
        }
    });
    Ok((local, AbortOnDrop(task)))
}
