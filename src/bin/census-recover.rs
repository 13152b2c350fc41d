//! Office recovery tool for a locked or forgotten-PIN tablet.
//!
//! ```text
//! census-recover generate-office-key --secret-out office.secret --public-out office.pub
//! census-recover unlock --office-key office.secret --key-file census.key --new-pin 482913
//! ```
//!
//! `unlock` opens the key file's recovery wrap with the office's private key, wraps the
//! database key under the new PIN and resets the wrong-PIN counter. The database itself is
//! not touched. The new PIN may also be read from the `CENSUS_NEW_PIN` environment variable
//! (so it does not appear in the process list).

use std::path::PathBuf;
use std::process::ExitCode;

use census::keys::{KeyFile, OfficeSecretKey, Pin};

const USAGE: &str = "usage:
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
