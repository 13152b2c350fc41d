//! The client over TLS (rustls with the ring provider): a certificate generated for the test
//! is trusted explicitly and everything goes through; without trusting it nothing is sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sync_support;

use census::sync::{SyncClient, SyncProblem};
use sync_support::server::TestServer;
use sync_support::tls::TlsFront;
use sync_support::{add_case, config, open_new, queued};

#[test]
fn enrol_and_send_over_tls_with_a_trusted_certificate_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), &["DR-1"]);
    let front = TlsFront::start(server.addr());

    // Not trusting the office's certificate: nothing leaves the tablet.
    let (_key, mut store) = open_new(&dir.path().join("tablet"));
    let untrusting = SyncClient::new(config(&front.url())).unwrap();
    let code = server.issue_code("E-001", &["DR-1"]);
    assert_eq!(
        untrusting.enrol(&mut store, &code, "E-001").unwrap_err(),
        SyncProblem::Untrusted
    );

    let mut trusting_config = config(&front.url());
    trusting_config.trusted_certificates = vec![front.certificate_pem.clone().into_bytes()];
    let client = SyncClient::new(trusting_config).unwrap();
    client.enrol(&mut store, &code, "E-001").unwrap();
    for b in 1..=5 {
        add_case(&mut store, "DR-1", b);
    }
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.sent, 5);
    assert!(queued(&store).is_empty());
    assert_eq!(server.case_count_without_duplicates(), 5);
    assert!(client.office().is_reachable());

    // Plain HTTP to the TLS port does not work either.
    let plain = SyncClient::new(config(&front.url().replace("https", "http"))).unwrap();
    assert!(!plain.office().is_reachable());
}

#[test]
fn a_provisioned_tablet_reaches_the_office_whose_certificate_it_was_given() {
    use census::platform::provisioning::Provisioning;

    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), &["DR-1"]);
    let front = TlsFront::start(server.addr());
    let (_key, mut store) = open_new(&dir.path().join("tablet"));
    let code = server.issue_code("E-001", &["DR-1"]);
    let client_for = |pem: &str| {
        let file = serde_json::json!({
            "server_url": front.url(),
            "office_certificate_pem": pem,
        });
        let provisioning = Provisioning::parse(&file.to_string()).unwrap();
        let mut app = census::app::AppConfig::new(dir.path().join("tablet"));
        provisioning.apply(&mut app);
        let config = census::commands::sync::sync_config(&app, vec![sync_support::questionnaire()]);
        SyncClient::new(config.unwrap()).unwrap()
    };

    // Provisioned with another office's certificate: refused, nothing sent.
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let impostor = client_for(&other.cert.pem());
    assert_eq!(
        impostor.enrol(&mut store, &code, "E-001").unwrap_err(),
        SyncProblem::Untrusted
    );

    // With the office's own certificate (the platform's roots never consulted): enrolled.
    let client = client_for(&front.certificate_pem);
    client.enrol(&mut store, &code, "E-001").unwrap();
    add_case(&mut store, "DR-1", 1);
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.sent, 1);
}
