//! Which relay a check uses: the Settings choice, confirmed by `/healthz` when it is this
//! site's own (a static host has none).

use crate::io::relay;

/// Which relay the check uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayInfo {
    /// The relay's base URL, when there is one.
    pub base: Option<String>,
    /// Where it comes from, or why there is none, in words.
    pub about: String,
}

/// The relay setting, to be confirmed when it is this site's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayChoice {
    /// No relay.
    Off,
    /// This site's relay, if `/healthz` says there is one.
    SameOrigin(String),
    /// A relay at another origin, chosen in Settings (its `/healthz` cannot be read from here).
    Other(String),
}

impl RelayChoice {
    /// From the stored settings.
    pub fn from_settings(settings: &crate::io::storage::Settings) -> RelayChoice {
        use crate::io::storage::RelayChoice as Stored;
        match (&settings.relay, settings.relay_base()) {
            (Stored::Off, _) | (_, None) => RelayChoice::Off,
            (Stored::SameOrigin, Some(base)) => RelayChoice::SameOrigin(base),
            (Stored::Url(_), Some(base)) => RelayChoice::Other(base),
        }
    }

    pub(super) async fn resolve(self) -> RelayInfo {
        match self {
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
}
