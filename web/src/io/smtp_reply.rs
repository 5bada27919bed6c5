//! Reading SMTP replies (RFC 5321 §4.2) with caps on line length and line count, so that a
//! server that floods or drips cannot make a probe hold unbounded memory.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// One SMTP reply: its code and the text of each line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit code.
    pub code: u16,
    /// The text after `ddd-`/`ddd `, one entry per line.
    pub lines: Vec<String>,
}

impl Reply {
    /// The reply on one line, for error messages.
    pub fn text(&self) -> String {
        format!("{} {}", self.code, self.lines.join(" / "))
    }
}

/// Why a reply could not be read.
#[derive(Debug)]
pub enum ReplyError {
    /// Socket error.
    Io(std::io::Error),
    /// End of stream before a complete reply.
    Closed,
    /// A line that is not `ddd[ -]text`.
    NotSmtp(String),
    /// A cap was exceeded.
    TooLarge(String),
}

/// Reads SMTP replies with caps on line length and line count, from any byte stream.
#[derive(Debug)]
pub struct ReplyReader<S> {
    stream: S,
    buffer: Vec<u8>,
    max_line_len: usize,
    max_lines: usize,
}

impl<S: AsyncRead + AsyncWrite + Unpin> ReplyReader<S> {
    /// Wraps `stream`.
    pub fn new(stream: S, max_line_len: usize, max_lines: usize) -> Self {
        ReplyReader {
            stream,
            buffer: Vec::new(),
            max_line_len,
            max_lines,
        }
    }

    /// Reads one (possibly multi-line) reply (RFC 5321 §4.2.1).
    pub async fn read_reply(&mut self) -> Result<Reply, ReplyError> {
        let mut lines = Vec::new();
        loop {
            if lines.len() == self.max_lines {
                return Err(ReplyError::TooLarge(format!(
                    "more than {} lines in one reply",
                    self.max_lines
                )));
            }
            let line = self.read_line().await?;
            let text = String::from_utf8_lossy(&line);
            let bytes = text.as_bytes();
            let well_formed = bytes.len() >= 3
                && bytes[..3].iter().all(u8::is_ascii_digit)
                && matches!(bytes.get(3), None | Some(b' ') | Some(b'-'));
            if !well_formed {
                return Err(ReplyError::NotSmtp(text.chars().take(80).collect()));
            }
            let code: u16 = text[..3].parse().expect("three ASCII digits");
            let more = bytes.get(3) == Some(&b'-');
            lines.push(text.get(4..).unwrap_or("").to_owned());
            if !more {
                return Ok(Reply { code, lines });
            }
        }
    }

    async fn read_line(&mut self) -> Result<Vec<u8>, ReplyError> {
        loop {
            if let Some(end) = self.buffer.iter().position(|&b| b == b'\n') {
                if end + 1 > self.max_line_len {
                    return Err(self.line_too_long());
                }
                let mut line: Vec<u8> = self.buffer.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if self.buffer.len() >= self.max_line_len {
                return Err(self.line_too_long());
            }
            let mut chunk = [0u8; 1024];
            let n = self.stream.read(&mut chunk).await.map_err(ReplyError::Io)?;
            if n == 0 {
                return Err(ReplyError::Closed);
            }
            self.buffer.extend_from_slice(&chunk[..n]);
        }
    }

    fn line_too_long(&self) -> ReplyError {
        ReplyError::TooLarge(format!("a line longer than {} bytes", self.max_line_len))
    }

    /// Sends one command line.
    pub async fn send(&mut self, command: &str) -> std::io::Result<()> {
        self.stream.write_all(command.as_bytes()).await?;
        self.stream.write_all(b"\r\n").await?;
        self.stream.flush().await
    }

    /// The stream back, and whether unread bytes were left in the buffer.
    pub fn into_inner(self) -> (S, bool) {
        (self.stream, !self.buffer.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn replies(
        input: &[u8],
        max_line_len: usize,
        max_lines: usize,
    ) -> Vec<Result<Reply, String>> {
        let (mut server, client) = tokio::io::duplex(4096);
        let input = input.to_vec();
        // Written from another task: the input may exceed the pipe's buffer.
        tokio::spawn(async move {
            let _ = server.write_all(&input).await;
        });
        let mut reader = ReplyReader::new(client, max_line_len, max_lines);
        let mut out = Vec::new();
        loop {
            match reader.read_reply().await {
                Ok(r) => out.push(Ok(r)),
                Err(ReplyError::Closed) => return out,
                Err(e) => {
                    out.push(Err(format!("{e:?}")));
                    return out;
                }
            }
        }
    }

    #[tokio::test]
    async fn multi_line_replies_and_bare_lf() {
        let got = replies(
            b"220-mx.example.com ESMTP\r\n220 ready\r\n250-mx\n250-PIPELINING\r\n250 STARTTLS\r\n",
            512,
            10,
        )
        .await;
        assert_eq!(
            got[0],
            Ok(Reply {
                code: 220,
                lines: vec!["mx.example.com ESMTP".into(), "ready".into()]
            })
        );
        assert_eq!(
            got[1].as_ref().unwrap().lines,
            ["mx", "PIPELINING", "STARTTLS"]
        );
        assert_eq!(got.len(), 2);
        let bare = replies(b"250\r\n", 512, 10).await;
        assert_eq!(
            bare[0],
            Ok(Reply {
                code: 250,
                lines: vec![String::new()]
            })
        );
    }

    #[tokio::test]
    async fn caps_and_non_smtp_lines() {
        let flood = b"220-x\r\n".repeat(20);
        let got = replies(&flood, 512, 5).await;
        assert!(
            matches!(&got[0], Err(e) if e.contains("more than 5 lines")),
            "{got:?}"
        );
        let long = [b"220 ".as_slice(), &[b'a'; 600], b"\r\n"].concat();
        let got = replies(&long, 512, 5).await;
        assert!(
            matches!(&got[0], Err(e) if e.contains("longer than 512")),
            "{got:?}"
        );
        let endless = vec![b'2'; 5000];
        let got = replies(&endless, 512, 5).await;
        assert!(
            matches!(&got[0], Err(e) if e.contains("longer than 512")),
            "{got:?}"
        );
        let got = replies(b"SSH-2.0-OpenSSH_9.6\r\n", 512, 5).await;
        assert!(
            matches!(&got[0], Err(e) if e.contains("NotSmtp")),
            "{got:?}"
        );
        let got = replies(b"22 short\r\n", 512, 5).await;
        assert!(
            matches!(&got[0], Err(e) if e.contains("NotSmtp")),
            "{got:?}"
        );
    }
}
