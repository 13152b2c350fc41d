//! `serve` options for the limits that keep slow or hostile clients from starving the
//! server: the connection cap, read timeouts, and per-address limits.

use std::time::Duration;

use crate::http::ServerConfig;
use crate::http::limits::ClientLimits;
use crate::http::serving::ConnectionLimits;

/// Limits of `serve` (defaults in `server/README.md`).
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Most connections open at once (kept below the file-descriptor limit; more wait).
    #[arg(long, default_value_t = 4096)]
    pub max_connections: usize,
    /// Seconds a client may take to send a request's headers (also closes idle
    /// keep-alive connections).
    #[arg(long, default_value_t = 10)]
    pub header_read_timeout: u64,
    /// Seconds a request body may pause; also the grace before its rate is checked.
    #[arg(long, default_value_t = 30)]
    pub body_read_timeout: u64,
    /// Least average request-body rate after the grace, bytes per second (0: none).
    #[arg(long, default_value_t = 4096)]
    pub body_min_rate: u64,
    /// Enrolment requests one client address may send at once.
    #[arg(long, default_value_t = 30)]
    pub enrol_burst_per_ip: u32,
    /// Enrolment requests per minute one client address may send, sustained.
    #[arg(long, default_value_t = 30.0)]
    pub enrol_per_minute_per_ip: f64,
    /// Failed authentications one client address may cause at once before it gets 429.
    #[arg(long, default_value_t = 30)]
    pub auth_failure_burst_per_ip: u32,
    /// Failed authentications per minute, sustained, before an address gets 429.
    #[arg(long, default_value_t = 6.0)]
    pub auth_failures_per_minute_per_ip: f64,
    /// Header a trusted reverse proxy sets to the client's address (e.g. `x-forwarded-for`,
    /// whose last address is taken). Only behind such a proxy: clients could forge it.
    #[arg(long)]
    pub client_ip_header: Option<String>,
}

impl Default for LimitArgs {
    fn default() -> LimitArgs {
        let c = ConnectionLimits::default();
        let p = ClientLimits::default();
        LimitArgs {
            max_connections: c.max_connections,
            header_read_timeout: c.header_read_timeout.as_secs(),
            body_read_timeout: c.body_read_timeout.as_secs(),
            body_min_rate: c.body_min_rate,
            enrol_burst_per_ip: p.enrol_burst,
            enrol_per_minute_per_ip: p.enrol_per_minute,
            auth_failure_burst_per_ip: p.auth_failure_burst,
            auth_failures_per_minute_per_ip: p.auth_failures_per_minute,
            client_ip_header: p.client_ip_header,
        }
    }
}

impl LimitArgs {
    /// Sets these limits in `config`; an error names a flag that cannot be used.
    pub fn apply(&self, config: &mut ServerConfig) -> Result<(), String> {
        let client_ip_header = match &self.client_ip_header {
            Some(name) => Some(
                axum::http::HeaderName::from_bytes(name.trim().as_bytes())
                    .map_err(|_| format!("--client-ip-header {name:?} is no header name"))?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        config.connections = ConnectionLimits {
            max_connections: self.max_connections,
            header_read_timeout: Duration::from_secs(self.header_read_timeout.max(1)),
            body_read_timeout: Duration::from_secs(self.body_read_timeout.max(1)),
            body_min_rate: self.body_min_rate,
        };
        config.clients = ClientLimits {
            enrol_burst: self.enrol_burst_per_ip,
            enrol_per_minute: self.enrol_per_minute_per_ip,
            auth_failure_burst: self.auth_failure_burst_per_ip,
            auth_failures_per_minute: self.auth_failures_per_minute_per_ip,
            client_ip_header,
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_ip_header_must_be_a_header_name() {
        let mut config = ServerConfig::default();
        let mut args = LimitArgs {
            client_ip_header: Some("X-Forwarded-For".into()),
            ..LimitArgs::default()
        };
        args.apply(&mut config).unwrap();
        assert_eq!(
            config.clients.client_ip_header.as_deref(),
            Some("x-forwarded-for")
        );
        args.client_ip_header = Some("no such header".into());
        assert!(
            args.apply(&mut config)
                .unwrap_err()
                .contains("no header name")
        );
    }
}
