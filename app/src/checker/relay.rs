//! Which relay a check uses: the Settings choice, confirmed by `/healthz` when it is this
//! site's own (a static host has none). Runs in the worker, whose origin is the page's, so
//! `/healthz` is the same request it would be from the page.

use super::protocol::{RelayChoice, RelayInfo};
use crate::io::relay;

/// Confirms `choice`: this site's relay only if its `/healthz` answers.
pub async fn resolve(choice: RelayChoice) -> RelayInfo {
    match choice {
        RelayChoice::Off => RelayInfo {
            base: None,
            about: "No relay is set in Settings.".to_owned(),
        },
        RelayChoice::SameOrigin(base) => match relay::has_relay(&base).await {
            Some(true) => RelayInfo {
                about: "This site's relay.".to_owned(),
                base: Some(base),
            },
            _ => RelayInfo {
                base: None,
                about: "This site has no relay.".to_owned(),
            },
        },
        RelayChoice::Other(base) => RelayInfo {
            about: format!("The relay at {base}, set in Settings."),
            base: Some(base),
        },
    }
}
