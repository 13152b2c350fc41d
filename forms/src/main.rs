//! `census-forms import FORM.xlsx -o FORM.json [--reference-date YYYY-MM-DD]`: imports an
//! XLSForm into the census questionnaire format, or lists every problem found.

use std::path::PathBuf;
use std::process::ExitCode;

use census_forms::{Options, import_xlsx, to_json};

const USAGE: &str =
    "usage: census-forms import FORM.xlsx [-o FORM.json] [--reference-date YYYY-MM-DD]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let mut args = args.iter();
    if args.next().map(String::as_str) != Some("import") {
        return Err(USAGE.into());
    }
    let mut input: Option<PathBuf> = None;
    let mut output: Option<PathBuf> = None;
    let mut options = Options::default();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-o" | "--output" => output = args.next().map(PathBuf::from),
            "--reference-date" => options.reference_date = args.next().cloned(),
            "-h" | "--help" => return Err(USAGE.into()),
            other if input.is_none() && !other.starts_with('-') => {
                input = Some(PathBuf::from(other));
            }
            other => return Err(format!("unexpected argument `{other}`\n{USAGE}")),
        }
    }
    let input = input.ok_or_else(|| USAGE.to_string())?;
    let file = import_xlsx(&input, &options).map_err(|report| {
        format!(
            "{}: {} problem(s), nothing written\n{report}",
            input.display(),
            report.errors.len()
        )
    })?;
    let json = to_json(&file);
    match output {
        Some(path) => {
            std::fs::write(&path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            print!("{json}");
            Ok(())
        }
    }
}
