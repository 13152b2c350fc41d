//! The provisioning file: where a tablet's office is, and the certificate it presents.
//!
//! ```json
//! { "server_url": "https://census.example.org",
//!   "office_certificate_pem": "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n" }
//! ```
//!
//! The certificate (the office server's own, or the private CA that signed it; PEM, one or
//! more) becomes the **only** trust anchor of the sync client
//! ([`crate::sync::SyncConfig::trusted_certificates`]): the tablet talks to that office and no
//! other, and needs no platform verifier (which on Android needs JNI set-up and a Kotlin
//! component). Other fields are ignored, so the file can grow (an enrolment code, key
//! fingerprints) without breaking older apps.
//!
//! On Android the file lives in the app-private data directory, [`PROVISIONING_FILE`] next to
//! the database. An installer that cannot write there (`adb push` on a release build) puts it
//! in the app's external files directory; [`load_or_adopt`] moves it in on the next start.

use std::path::Path;

use serde::Deserialize;

use crate::app::AppConfig;

/// The provisioning file's name, in the data directory.
pub const PROVISIONING_FILE: &str = "provisioning.json";

/// A checked provisioning file.
#[derive(Clone, PartialEq, Eq)]
pub struct Provisioning {
    /// The office's sync server, `https://…`, without a trailing slash.
    pub server_url: String,
    /// The PEM text of the certificate(s) the tablet trusts for that server, and only those.
    pub office_certificate_pem: String,
    /// The enrolment code, when the office put it in the file (else typed at enrolment).
    pub enrolment_code: Option<String>,
    /// The office key ids to expect at enrolment.
    pub office_key_ids: OfficeKeyIds,
}

/// Office key ids a provisioning file or payload names (`census-server issue-code` prints
/// them): the tablet refuses to enrol with an office whose keys have other ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeKeyIds {
    /// The batch key's id.
    #[serde(default)]
    pub batch: Option<String>,
    /// The recovery key's id.
    #[serde(default)]
    pub recovery: Option<String>,
}

impl OfficeKeyIds {
    /// The ids as the enrolment checks them.
    pub fn expected(&self) -> crate::sync::ExpectedKeys {
        crate::sync::ExpectedKeys {
            batch: self.batch.clone(),
            recovery: self.recovery.clone(),
        }
    }
}

/// The enrolment payload an office hands a tablet as text (a QR code, a message): where the
/// office is, the one-time code, and the key ids to expect.
///
/// ```json
/// {"server_url": "https://census.example.org", "enrolment_code": "K7DQ-...",
///  "office_key_ids": {"batch": "0f3a…", "recovery": "9c1e…"}}
/// ```
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentPayload {
    /// The office's server.
    pub server_url: String,
    /// The one-time code.
    pub enrolment_code: String,
    /// The key ids to expect.
    #[serde(default)]
    pub office_key_ids: OfficeKeyIds,
}

impl std::fmt::Debug for EnrolmentPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolmentPayload")
            .field("server_url", &self.server_url)
            .field("office_key_ids", &self.office_key_ids)
            .finish_non_exhaustive()
    }
}

impl EnrolmentPayload {
    /// Reads a payload's JSON text.
    pub fn parse(text: &str) -> Result<EnrolmentPayload, String> {
        let payload: EnrolmentPayload = serde_json::from_str(text.trim())
            .map_err(|e| format!("the enrolment payload cannot be read: {e}"))?;
        if !(payload.server_url.starts_with("https://")
            || payload.server_url.starts_with("http://"))
        {
            return Err(format!(
                "the enrolment payload's server_url is not a web address: {:?}",
                payload.server_url
            ));
        }
        Ok(payload)
    }
}

impl std::fmt::Debug for Provisioning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provisioning")
            .field("server_url", &self.server_url)
            .field("office_certificate_pem", &self.office_certificate_pem.len())
            .field("enrolment_code", &self.enrolment_code.is_some())
            .field("office_key_ids", &self.office_key_ids)
            .finish()
    }
}

#[derive(Deserialize)]
struct RawProvisioning {
    server_url: String,
    office_certificate_pem: String,
    #[serde(default)]
    enrolment_code: Option<String>,
    #[serde(default)]
    office_key_ids: OfficeKeyIds,
}

impl Provisioning {
    /// Reads and checks the file's JSON text: an `https://` URL and at least one certificate
    /// that can anchor TLS verification.
    pub fn parse(json: &str) -> Result<Provisioning, String> {
        let raw: RawProvisioning = serde_json::from_str(json).map_err(|e| {
            format!(
                "the provisioning file is not the expected JSON \
                 ({{\"server_url\": …, \"office_certificate_pem\": …}}): {e}"
            )
        })?;
        let server_url = raw.server_url.trim().trim_end_matches('/').to_owned();
        let host = server_url.strip_prefix("https://").unwrap_or_default();
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(format!(
                "the provisioning file's server_url must be an https:// address such as \
                 https://census.example.org, not {:?}",
                raw.server_url
            ));
        }
        check_certificates(&raw.office_certificate_pem)?;
        Ok(Provisioning {
            server_url,
            office_certificate_pem: raw.office_certificate_pem,
            enrolment_code: raw.enrolment_code.filter(|c| !c.trim().is_empty()),
            office_key_ids: raw.office_key_ids,
        })
    }

    /// Sets the app's sync server and its only trusted certificate from this file.
    pub fn apply(&self, config: &mut AppConfig) {
        config.server_url = Some(self.server_url.clone());
        config.trusted_certificates = vec![self.office_certificate_pem.clone().into_bytes()];
        config.enrolment_code = self.enrolment_code.clone();
        config.expected_keys = self.office_key_ids.expected();
    }
}

/// Checks that `pem` holds at least one certificate and that each can be a trust anchor.
fn check_certificates(pem: &str) -> Result<(), String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        let cert = cert.map_err(|e| {
            format!("the provisioning file's office_certificate_pem is not valid PEM: {e}")
        })?;
        roots.add(cert).map_err(|e| {
            format!("the provisioning file's office certificate cannot be used: {e}")
        })?;
    }
    if roots.is_empty() {
        return Err(
            "the provisioning file's office_certificate_pem holds no certificate \
             (-----BEGIN CERTIFICATE-----)"
                .to_owned(),
        );
    }
    Ok(())
}

/// Reads `data_dir`/[`PROVISIONING_FILE`]. If it is absent and `inbox` (a directory an
/// installer can write to) holds one, that file is checked, written into `data_dir` (private
/// to the app) and removed from `inbox`. `Ok(None)`: no provisioning file anywhere.
pub fn load_or_adopt(
    data_dir: &Path,
    inbox: Option<&Path>,
) -> Result<Option<Provisioning>, String> {
    let path = data_dir.join(PROVISIONING_FILE);
    if let Some(text) = read_if_present(&path)? {
        return Provisioning::parse(&text).map(Some);
    }
    let Some(inbox) = inbox else {
        return Ok(None);
    };
    let incoming = inbox.join(PROVISIONING_FILE);
    let Some(text) = read_if_present(&incoming)? else {
        return Ok(None);
    };
    let provisioning = Provisioning::parse(&text)
        .map_err(|e| format!("{} was not taken: {e}", incoming.display()))?;
    crate::private_files::create_private_dir(data_dir).map_err(|e| {
        format!(
            "the data directory {} cannot be used: {e}",
            data_dir.display()
        )
    })?;
    let saved = crate::private_files::create_private_file(&path).and_then(|mut out| {
        use std::io::Write;
        out.write_all(text.as_bytes())?;
        out.sync_all()
    });
    saved.map_err(|e| format!("the provisioning file could not be saved: {e}"))?;
    std::fs::remove_file(&incoming).map_err(|e| {
        format!(
            "the provisioning file was saved, but {} could not be removed: {e}",
            incoming.display()
        )
    })?;
    Ok(Some(provisioning))
}

fn read_if_present(path: &Path) -> Result<Option<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{} cannot be read: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn certificate_pem() -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["census.example.org".to_owned()]).unwrap();
        params.self_signed(&key).unwrap().pem()
    }

    fn file(url: &str, pem: &str) -> String {
        serde_json::json!({ "server_url": url, "office_certificate_pem": pem }).to_string()
    }

    #[test]
    fn a_good_file_sets_the_server_and_its_only_trusted_certificate() {
        let pem = certificate_pem();
        let p = Provisioning::parse(&file("https://census.example.org/", &pem)).unwrap();
        assert_eq!(p.server_url, "https://census.example.org");
        let mut config = AppConfig::new(PathBuf::from("d"));
        p.apply(&mut config);
        assert_eq!(
            config.server_url.as_deref(),
            Some("https://census.example.org")
        );
        assert_eq!(config.trusted_certificates, vec![pem.into_bytes()]);
    }

    #[test]
    fn bad_files_are_refused_in_words() {
        let pem = certificate_pem();
        for (json, words) in [
            ("{}".to_owned(), "not the expected JSON"),
            (file("http://census.example.org", &pem), "https://"),
            (file("https://", &pem), "https://"),
            (
                file("https://census.example.org", "hello"),
                "no certificate",
            ),
            (
                file(
                    "https://census.example.org",
                    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                ),
                "cannot be used",
            ),
        ] {
            let error = Provisioning::parse(&json).unwrap_err();
            assert!(error.contains(words), "{error:?} should say {words:?}");
        }
    }

    #[test]
    fn a_file_in_the_inbox_is_moved_into_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let inbox = dir.path().join("inbox");
        std::fs::create_dir_all(&inbox).unwrap();
        assert_eq!(load_or_adopt(&data, Some(&inbox)).unwrap(), None);

        let json = file("https://census.example.org", &certificate_pem());
        std::fs::write(inbox.join(PROVISIONING_FILE), &json).unwrap();
        let adopted = load_or_adopt(&data, Some(&inbox)).unwrap().unwrap();
        assert!(!inbox.join(PROVISIONING_FILE).exists());
        assert_eq!(
            std::fs::read_to_string(data.join(PROVISIONING_FILE)).unwrap(),
            json
        );
        // The next start reads it from the data directory.
        assert_eq!(load_or_adopt(&data, None).unwrap(), Some(adopted));
    }

    #[test]
    fn a_bad_file_in_the_inbox_is_left_there() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::write(dir.path().join(PROVISIONING_FILE), "{}").unwrap();
        let error = load_or_adopt(&data, Some(dir.path())).unwrap_err();
        assert!(error.contains("was not taken"), "{error}");
        assert!(dir.path().join(PROVISIONING_FILE).exists());
        assert!(!data.join(PROVISIONING_FILE).exists());
    }
}
