//! Where the policy file goes and the DNS lines that announce it: server snippets for nginx and
//! Caddy, the caveats of static hosts, and zone-file lines.
//!
//! What every snippet must get right (RFC 8461 §3.3): the file is served at exactly
//! `https://mta-sts.<domain>/.well-known/mta-sts.txt`, with a certificate for `mta-sts.<domain>`
//! that chains to a public CA, with status 200 and `Content-Type: text/plain`, and never through a
//! redirect, because senders do not follow redirects.

use crate::name::DomainName;
use serde::{Deserialize, Serialize};

/// The policy's path on the policy host (RFC 8461 §3.3).
pub use crate::policy::fetch::POLICY_PATH;

/// Where the web server's files live in the snippets.
const WEB_ROOT: &str = "/var/www/mta-sts";

/// Longest character-string in a TXT record (RFC 1035 §3.3: one length octet).
const TXT_STRING_MAX: usize = 255;

/// How to serve the policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hosting {
    /// `mta-sts.<domain>`: the name the web server answers to and its certificate covers.
    pub host: String,
    /// Where the file goes, relative to the site's root: `.well-known/mta-sts.txt`.
    pub file_path: String,
    /// What the certificate must cover, and how to get one.
    pub certificate: String,
    /// An nginx configuration file for the policy host.
    pub nginx: String,
    /// A Caddyfile site block.
    pub caddy: String,
    /// A static host (GitHub Pages, Netlify, Cloudflare Pages, ...).
    pub static_site: StaticSite,
    /// A `curl` command that shows what a sender would see: expect `200 text/plain`.
    pub verify: String,
}

/// Serving the policy from a static site host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaticSite {
    /// The caveats, one per entry.
    pub notes: Vec<String>,
    /// A `_headers` file (Netlify, Cloudflare Pages) that pins the content type.
    pub headers_file: String,
}

/// The hosting instructions for `domain`.
pub fn hosting(domain: &DomainName) -> Hosting {
    let host = format!("mta-sts.{domain}");
    let url = format!("https://{host}{POLICY_PATH}");
    let file_path = POLICY_PATH.trim_start_matches('/').to_owned();
    let static_site = StaticSite {
        notes: vec![
            format!(
                "Put the policy file at `{file_path}` in the site's root and publish the site under the custom domain {host} with HTTPS on."
            ),
            "Many hosts skip folders whose name starts with a dot: on GitHub Pages add an empty `.nojekyll` file to the root (or `include: [\".well-known\"]` to `_config.yml`).".to_owned(),
            "Senders refuse any type but `text/plain`: on Netlify and Cloudflare Pages add this `_headers` file to the site's root; GitHub Pages serves `.txt` as `text/plain` already.".to_owned(),
            format!(
                "Senders do not follow redirects: turn off \"redirect to www\", trailing-slash and \"pretty URL\" rules for {host}; {url} itself must answer 200."
            ),
        ],
        headers_file: format!("{POLICY_PATH}\n  Content-Type: text/plain; charset=utf-8\n"),
    };
    Hosting {
        certificate: format!(
            "The web server must present a certificate valid for {host} from a public CA (Let's Encrypt will do): senders check it as a browser does, and a self-signed or expired certificate, or one for another name, makes them ignore the policy."
        ),
        nginx: nginx(&host, &file_path),
        caddy: caddy(&host),
        static_site,
        verify: format!(
            "curl -sS --max-redirs 0 -o /dev/null -w '%{{http_code}} %{{content_type}}\\n' {url}"
        ),
        file_path,
        host,
    }
}

fn nginx(host: &str, file_path: &str) -> String {
    format!(
        "# /etc/nginx/conf.d/{host}.conf
# The policy file: {WEB_ROOT}/{file_path}
# A certificate for {host}, e.g. from Let's Encrypt:
#   certbot certonly --webroot -w {WEB_ROOT} -d {host}

server {{
    listen 80;
    listen [::]:80;
    server_name {host};
    # Only for the certificate's HTTP-01 challenge: senders use HTTPS.
    location /.well-known/acme-challenge/ {{ root {WEB_ROOT}; }}
    location / {{ return 404; }}
}}

server {{
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name {host};

    ssl_certificate     /etc/letsencrypt/live/{host}/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/{host}/privkey.pem;

    root {WEB_ROOT};

    # The policy: this path exactly, no redirect, as text/plain.
    location = {POLICY_PATH} {{
        types {{ }}
        default_type \"text/plain; charset=utf-8\";
        try_files $uri =404;
    }}

    location / {{ return 404; }}
}}
"
    )
}

fn caddy(host: &str) -> String {
    format!(
        "# Caddyfile. Caddy gets and renews the certificate for {host} itself:
# the name must resolve to this server, with ports 80 and 443 open.
{host} {{
\troot * {WEB_ROOT}
\t# The policy: this path exactly, no redirect, as text/plain.
\thandle {POLICY_PATH} {{
\t\theader Content-Type \"text/plain; charset=utf-8\"
\t\tfile_server
\t}}
\thandle {{
\t\trespond 404
\t}}
}}
"
    )
}

/// A TXT record to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxtRecord {
    /// The owner name, without the trailing dot: `_mta-sts.example.com`.
    pub name: String,
    /// The record's text, as one string.
    pub value: String,
    /// The record as a zone-file line (TTL left to the zone's default).
    pub zone_line: String,
}

impl TxtRecord {
    /// A record for `name` with text `value` (US-ASCII, as both RFCs require).
    pub fn new(name: String, value: String) -> TxtRecord {
        let zone_line = format!("{name}. IN TXT {}", txt_strings(&value));
        TxtRecord {
            name,
            value,
            zone_line,
        }
    }
}

/// `value` as zone-file character-strings: quoted, `"` and `\` escaped, split into pieces of at
/// most 255 octets, which resolvers join with no separator (RFC 8461 §3.1, RFC 8460 §3).
pub fn txt_strings(value: &str) -> String {
    let bytes = value.as_bytes();
    if bytes.is_empty() {
        return "\"\"".to_owned();
    }
    bytes
        .chunks(TXT_STRING_MAX)
        .map(|chunk| {
            let mut s = String::with_capacity(chunk.len() + 2);
            s.push('"');
            for &b in chunk {
                match b {
                    b'"' | b'\\' => {
                        s.push('\\');
                        s.push(char::from(b));
                    }
                    0x20..=0x7e => s.push(char::from(b)),
                    other => s.push_str(&format!("\\{other:03}")),
                }
            }
            s.push('"');
            s
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The zone-file block: both TXT records, aligned, and the policy host's address records as
/// comments to fill in (StsLens cannot know where the policy is hosted).
pub fn zone(domain: &DomainName, records: &[&TxtRecord]) -> String {
    let host = format!("mta-sts.{domain}.");
    let width = records
        .iter()
        .map(|r| r.name.len() + 1)
        .chain([host.len()])
        .max()
        .unwrap_or(0);
    let mut out = format!("; MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) for {domain}\n");
    for r in records {
        let name = format!("{}.", r.name);
        out.push_str(&format!(
            "{name:width$} IN TXT   {}\n",
            txt_strings(&r.value)
        ));
    }
    out.push_str(&format!(
        "; Point {host} at the policy's web server, with one of:\n"
    ));
    for (kind, target) in [
        ("A    ", "<IPv4 address of the web server>"),
        ("AAAA ", "<IPv6 address of the web server>"),
        ("CNAME", "<host name your static host gives you>."),
    ] {
        out.push_str(&format!("; {host:width$} IN {kind} {target}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::TrailingDot;

    fn domain() -> DomainName {
        DomainName::parse("example.org", TrailingDot::Refuse).unwrap()
    }

    #[test]
    fn snippets_serve_the_exact_path_as_text_plain_without_redirects() {
        let h = hosting(&domain());
        assert_eq!(h.host, "mta-sts.example.org");
        assert_eq!(h.file_path, ".well-known/mta-sts.txt");
        for snippet in [&h.nginx, &h.caddy] {
            assert!(
                snippet.contains("mta-sts.example.org {")
                    || snippet.contains("server_name mta-sts.example.org;")
            );
            assert!(snippet.contains(POLICY_PATH));
            assert!(snippet.contains("text/plain; charset=utf-8"));
            assert!(
                !snippet.contains("return 30")
                    && !snippet
                        .lines()
                        .any(|l| l.trim_start().starts_with("redir ")),
                "{snippet}"
            );
        }
        // nginx: the policy location pins the type whatever mime.types says.
        assert!(h.nginx.contains(
            "location = /.well-known/mta-sts.txt {\n        types { }\n        default_type"
        ));
        assert!(
            h.nginx
                .contains("/etc/letsencrypt/live/mta-sts.example.org/fullchain.pem")
        );
        assert!(
            h.static_site
                .headers_file
                .starts_with("/.well-known/mta-sts.txt\n  Content-Type: text/plain")
        );
        assert!(h.static_site.notes.iter().any(|n| n.contains(".nojekyll")));
        assert!(h.certificate.contains("mta-sts.example.org"));
        assert!(
            h.verify
                .ends_with("https://mta-sts.example.org/.well-known/mta-sts.txt")
        );
        assert!(h.verify.contains("--max-redirs 0"));
    }

    #[test]
    fn txt_strings_split_at_255_and_escape() {
        assert_eq!(txt_strings("v=STSv1; id=1"), "\"v=STSv1; id=1\"");
        assert_eq!(txt_strings(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(txt_strings(""), "\"\"");
        let long = "x".repeat(300);
        let split = txt_strings(&long);
        assert_eq!(
            split,
            format!("\"{}\" \"{}\"", "x".repeat(255), "x".repeat(45))
        );
    }

    #[test]
    fn zone_block_has_both_records_and_the_address_reminder() {
        let sts = TxtRecord::new("_mta-sts.example.org".into(), "v=STSv1; id=1".into());
        let rpt = TxtRecord::new(
            "_smtp._tls.example.org".into(),
            "v=TLSRPTv1; rua=mailto:r@example.org".into(),
        );
        assert_eq!(
            sts.zone_line,
            "_mta-sts.example.org. IN TXT \"v=STSv1; id=1\""
        );
        let z = zone(&domain(), &[&sts, &rpt]);
        let lines: Vec<&str> = z.lines().collect();
        assert_eq!(
            lines[1],
            "_mta-sts.example.org.   IN TXT   \"v=STSv1; id=1\""
        );
        assert_eq!(
            lines[2],
            "_smtp._tls.example.org. IN TXT   \"v=TLSRPTv1; rua=mailto:r@example.org\""
        );
        // Only the two TXT lines are live; the address records are comments to fill in.
        assert_eq!(lines.iter().filter(|l| !l.starts_with(';')).count(), 2);
        for kind in ["IN A ", "IN AAAA ", "IN CNAME "] {
            assert!(
                lines
                    .iter()
                    .any(|l| l.starts_with("; mta-sts.example.org.") && l.contains(kind)),
                "{kind}"
            );
        }
    }
}
