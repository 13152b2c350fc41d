//! Office recovery tool for a locked or forgotten-PIN tablet.
//!
//! ```text
//! census-recover keygen --private-out recovery.secret
//! census-recover generate-office-key --secret-out office.secret --public-out office.pub
//! census-recover unlock --office-key office.secret --key-file census.key --new-pin 482913
//! ```
//!
//! `keygen` makes the office's recovery key pair offline: it writes the private half (mode
//! 0600, never over an existing file) and prints the public half in base64 with its key id,
//! for `census-server set-recovery-key` (the online server never holds the private half).
//! `generate-office-key` is its older form, also writing the public half to a file.
//!
//! `unlock` opens the key file's recovery wrap with the office's private key, wraps the
//! database key under the new PIN and resets the wrong-PIN counter. The database itself is
//! not touched. The new PIN may also be read from the `CENSUS_NEW_PIN` environment variable
//! (so it does not appear in the process list).

use std::path::PathBuf;
use std::process::ExitCode;

use census::keys::{KeyFile, OfficeSecretKey, Pin};

const USAGE: &str = "usage:
  census-recover keygen --private-out <file>
  census-recover generate-office-key --secret-out <file> --public-out <file>
  census-recover unlock --office-key <file> --key-file <file> [--new-pin <pin>]
      (or the new PIN in the CENSUS_NEW_PIN environment variable)";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("census-recover: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Parses `--name value` pairs after the subcommand.
fn options(args: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut iter = args.iter();
    while let Some(name) = iter.next() {
        let Some(name) = name.strip_prefix("--") else {
            return Err(format!("unexpected argument {name:?}\n{USAGE}"));
        };
        let value = iter
            .next()
            .ok_or_else(|| format!("--{name} needs a value\n{USAGE}"))?;
        out.push((name.to_string(), value.clone()));
    }
    Ok(out)
}

fn take(options: &mut Vec<(String, String)>, name: &str) -> Option<String> {
    let index = options.iter().position(|(n, _)| n == name)?;
    Some(options.remove(index).1)
}

fn required(options: &mut Vec<(String, String)>, name: &str) -> Result<String, String> {
    take(options, name).ok_or_else(|| format!("missing --{name}\n{USAGE}"))
}

fn no_more(options: &[(String, String)]) -> Result<(), String> {
    match options.first() {
        Some((name, _)) => Err(format!("unknown option --{name}\n{USAGE}")),
        None => Ok(()),
    }
}

fn run(args: Vec<String>) -> Result<String, String> {
    let Some((command, rest)) = args.split_first() else {
        return Err(USAGE.to_string());
    };
    let mut opts = options(rest)?;
    match command.as_str() {
        "keygen" => {
            let private_out = PathBuf::from(required(&mut opts, "private-out")?);
            no_more(&opts)?;
            keygen(&private_out)
        }
        "generate-office-key" => {
            let secret_out = PathBuf::from(required(&mut opts, "secret-out")?);
            let public_out = PathBuf::from(required(&mut opts, "public-out")?);
            no_more(&opts)?;
            let secret = OfficeSecretKey::generate().map_err(|e| e.to_string())?;
            secret
                .write_new_file(&secret_out)
                .map_err(|e| e.to_string())?;
            let public = secret.public_key();
            public.write_file(&public_out).map_err(|e| e.to_string())?;
            Ok(format!(
                "office key pair written: private key {} (keep it offline), public key {} \
                 ({})",
                secret_out.display(),
                public_out.display(),
                public.to_hex()
            ))
        }
        "unlock" => {
            let office_key = PathBuf::from(required(&mut opts, "office-key")?);
            let key_file = PathBuf::from(required(&mut opts, "key-file")?);
            let pin_text = match take(&mut opts, "new-pin") {
                Some(pin) => pin,
                None => std::env::var("CENSUS_NEW_PIN")
                    .map_err(|_| format!("missing --new-pin (or CENSUS_NEW_PIN)\n{USAGE}"))?,
            };
            no_more(&opts)?;
            let new_pin = Pin::new(pin_text).map_err(|e| e.to_string())?;
            let secret = OfficeSecretKey::read_file(&office_key).map_err(|e| e.to_string())?;
            let mut file = KeyFile::load(&key_file).map_err(|e| e.to_string())?;
            file.recover_with_office_key(&secret, &new_pin)
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "tablet {} unlocked: its key file {} now opens with the new PIN",
                file.device_id(),
                key_file.display()
            ))
        }
        other => Err(format!("unknown command {other:?}\n{USAGE}")),
    }
}

/// `keygen`: a new recovery key pair; the private half to `private_out` (a new file), the
/// public half printed in base64 with its key id.
fn keygen(private_out: &std::path::Path) -> Result<String, String> {
    if private_out.exists() {
        return Err(format!(
            "{} exists already: a recovery key is never overwritten (choose another file)",
            private_out.display()
        ));
    }
    let secret = OfficeSecretKey::generate().map_err(|e| e.to_string())?;
    secret
        .write_new_file(private_out)
        .map_err(|e| e.to_string())?;
    let public = secret.public_key();
    Ok(format!(
        "recovery private key written to {} (mode 0600): keep it offline\n\
         public key: {}\n\
         key id: {}\n\
         give the public key to the office server: census-server set-recovery-key {}",
        private_out.display(),
        census_core::wire::b64_encode(&public.0),
        census_core::wire::key_id(&public.0),
        census_core::wire::b64_encode(&public.0),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// `keygen` writes a private key that `unlock` can read (mode 0600), prints its public
    /// half and key id, and never overwrites a file.
    #[test]
    fn keygen_writes_a_private_key_once_and_prints_its_public_half() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("recovery.secret");
        let out = run(vec![
            "keygen".into(),
            "--private-out".into(),
            path.to_string_lossy().into_owned(),
        ])
        .unwrap();
        let secret = OfficeSecretKey::read_file(&path).unwrap();
        let public = secret.public_key();
        let b64 = census_core::wire::b64_encode(&public.0);
        assert!(out.contains(&format!("public key: {b64}")), "{out}");
        let id = census_core::wire::key_id(&public.0);
        assert!(out.contains(&format!("key id: {id}")), "{out}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = run(vec![
            "keygen".into(),
            "--private-out".into(),
            path.to_string_lossy().into_owned(),
        ])
        .unwrap_err();
        assert!(again.contains("never overwritten"), "{again}");
        assert_eq!(
            OfficeSecretKey::read_file(&path).unwrap().public_key(),
            public
        );
    }
}
