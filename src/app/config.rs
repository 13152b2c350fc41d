//! How the app is started: data directory, demo mode, a fixed "today" (tests, screenshots).

use std::path::PathBuf;

use chrono::NaiveDate;

/// The PIN of the demo enrolment unless `--demo-pin` says otherwise.
pub const DEFAULT_DEMO_PIN: &str = "280514";

/// The data directory used when none is given: `./census-data`, next to where the app runs.
pub const DEFAULT_DATA_DIR: &str = "census-data";

/// What the app needs to start.
#[derive(Clone, PartialEq, Eq)]
pub struct AppConfig {
    /// Where the encrypted database and the key file live.
    pub data_dir: PathBuf,
    /// Demo mode: enrol automatically with the demo assignment and show the demo PIN.
    pub demo: bool,
    /// The demo PIN (demo mode only).
    pub demo_pin: String,
    /// A fixed date for "today" (revisits due, interview date); the clock when `None`.
    pub today: Option<NaiveDate>,
    /// The office's sync server (e.g. `https://census.example.org`); no sync when `None`.
    pub server_url: Option<String>,
    /// PEM certificates the sync client trusts for that server **instead of** the platform's
    /// roots (from the provisioning file, [`crate::platform::provisioning`]); empty: the
    /// platform's roots.
    pub trusted_certificates: Vec<Vec<u8>>,
    /// The enrolment code from the provisioning file (offered on the enrolment screen).
    pub enrolment_code: Option<String>,
    /// The office key ids the provisioning file expects at enrolment.
    pub expected_keys: crate::sync::ExpectedKeys,
    /// How long a reviewer's session stays open without a touch before their code must be
    /// typed again (the tablet is usually an enumerator's, lent for the review).
    pub reviewer_idle: std::time::Duration,
}

/// The default of [`AppConfig::reviewer_idle`]: ten minutes.
pub const REVIEWER_IDLE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

impl std::fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppConfig")
            .field("data_dir", &self.data_dir)
            .field("demo", &self.demo)
            .field("today", &self.today)
            .field("server_url", &self.server_url)
            .field("trusted_certificates", &self.trusted_certificates.len())
            .finish_non_exhaustive()
    }
}

impl AppConfig {
    /// A normal (non-demo) configuration for `data_dir`.
    pub fn new(data_dir: PathBuf) -> AppConfig {
        AppConfig {
            data_dir,
            demo: false,
            demo_pin: DEFAULT_DEMO_PIN.to_owned(),
            today: None,
            server_url: None,
            trusted_certificates: Vec::new(),
            enrolment_code: None,
            expected_keys: Default::default(),
            reviewer_idle: REVIEWER_IDLE,
        }
    }

    /// A demo configuration for `data_dir` with the default demo PIN.
    pub fn demo(data_dir: PathBuf) -> AppConfig {
        AppConfig {
            demo: true,
            ..AppConfig::new(data_dir)
        }
    }

    /// Today's date: the fixed one, else the local clock's.
    pub fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// Reads the command line (without the program name).
    ///
    /// * no argument: demo mode in `./census-data`;
    /// * `--data-dir DIR`: that directory, normal mode (enrolment on first run);
    /// * `--demo`: demo mode (also with `--data-dir`);
    /// * `--demo-pin PIN`: the demo PIN (implies `--demo`);
    /// * `--today YYYY-MM-DD`: a fixed date;
    /// * `--server URL`: the office's sync server.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<AppConfig, ConfigError> {
        let mut data_dir = None;
        let mut demo = None;
        let mut demo_pin = DEFAULT_DEMO_PIN.to_owned();
        let mut today = None;
        let mut server_url = None;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .ok_or_else(|| ConfigError::MissingValue(name.to_owned()))
            };
            match arg.as_str() {
                "--data-dir" => data_dir = Some(PathBuf::from(value("--data-dir")?)),
                "--demo" => demo = Some(true),
                "--demo-pin" => {
                    demo_pin = value("--demo-pin")?;
                    crate::keys::check_new_pin(&demo_pin)
                        .map_err(|p| ConfigError::DemoPin(p.english().to_owned()))?;
                    demo = Some(true);
                }
                "--today" => {
                    let text = value("--today")?;
                    let date = NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                        .map_err(|_| ConfigError::Date(text.clone()))?;
                    today = Some(date);
                }
                "--server" => {
                    let url = value("--server")?.trim().trim_end_matches('/').to_owned();
                    if !(url.starts_with("https://") || url.starts_with("http://")) {
                        return Err(ConfigError::ServerUrl(url));
                    }
                    server_url = Some(url);
                }
                "--help" | "-h" => return Err(ConfigError::Help),
                other => return Err(ConfigError::UnknownArgument(other.to_owned())),
            }
        }
        let demo = demo.unwrap_or(data_dir.is_none());
        Ok(AppConfig {
            data_dir: data_dir.unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            demo,
            demo_pin,
            today,
            server_url,
            trusted_certificates: Vec::new(),
            enrolment_code: None,
            expected_keys: Default::default(),
            reviewer_idle: REVIEWER_IDLE,
        })
    }
}

/// Why the command line was not accepted (its `Display` is what `census` prints).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// An option was given without its value.
    #[error("{0} needs a value; see --help")]
    MissingValue(String),
    /// The demo PIN breaks the PIN rules.
    #[error("--demo-pin: {0}")]
    DemoPin(String),
    /// The date is not `YYYY-MM-DD`.
    #[error("--today needs a date YYYY-MM-DD, not {0:?}")]
    Date(String),
    /// The server address is not an http(s) URL.
    #[error("--server needs a URL such as https://census.example.org, not {0:?}")]
    ServerUrl(String),
    /// `--help` was asked for: the usage text.
    #[error("{USAGE}")]
    Help,
    /// An argument the app does not know.
    #[error("unknown argument {0:?}\n\n{USAGE}")]
    UnknownArgument(String),
}

/// The command-line help.
pub const USAGE: &str = "census — the enumerator's tablet app

USAGE: census [--data-dir DIR] [--demo] [--demo-pin PIN] [--today YYYY-MM-DD]
              [--server URL]

  (no argument)      demo mode in ./census-data: enrolled with the demo assignment,
                     the demo PIN is shown on the unlock screen
  --data-dir DIR     keep the encrypted database and key file in DIR (normal mode:
                     the first run asks to enrol the tablet)
  --demo             demo mode in the given data directory
  --demo-pin PIN     the demo PIN (default 280514); implies --demo
  --today DATE       use DATE as today's date
  --server URL       the office's sync server, e.g. https://census.example.org:
                     completed work is sent there in the background (enrol the
                     tablet with the office's code on the home screen)";

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn no_argument_is_demo_mode_in_census_data() {
        let c = AppConfig::from_args(args(&[])).unwrap();
        assert!(c.demo);
        assert_eq!(c.data_dir, PathBuf::from("census-data"));
    }

    #[test]
    fn data_dir_alone_is_normal_mode() {
        let c =
            AppConfig::from_args(args(&["--data-dir", "/tmp/x", "--today", "2024-09-05"])).unwrap();
        assert!(!c.demo);
        assert_eq!(c.today, NaiveDate::from_ymd_opt(2024, 9, 5));
        assert!(AppConfig::from_args(args(&["--today", "5/9/2024"])).is_err());
        assert!(AppConfig::from_args(args(&["--bogus"])).is_err());
        let d = AppConfig::from_args(args(&["--data-dir", "d", "--demo-pin", "730291"])).unwrap();
        assert!(d.demo);
        assert_eq!(d.demo_pin, "730291");
        assert!(AppConfig::from_args(args(&["--demo-pin", "9876"])).is_err());
        assert!(AppConfig::from_args(args(&["--demo-pin", "123456"])).is_err());
        assert_eq!(d.server_url, None);
    }

    #[test]
    fn server_flag_takes_a_url() {
        let c = AppConfig::from_args(args(&["--server", "https://office.example/"])).unwrap();
        assert_eq!(c.server_url.as_deref(), Some("https://office.example"));
        assert!(AppConfig::from_args(args(&["--server", "office.example"])).is_err());
        assert!(AppConfig::from_args(args(&["--server"])).is_err());
    }
}
