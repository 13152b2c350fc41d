//! `census-server`: the office's sync server and its admin commands.

use std::process::ExitCode;
use std::sync::Arc;

use census_core::wire::Decision;
use census_server::cli::{Cli, Command, ServeArgs};
use census_server::frame_checks::{self, Rows};
use census_server::http::{AppState, ServerConfig, serve};
use census_server::store::{self, NewCode, Storage};
use census_server::{admin, export, frame, office_keys, secrets};
use clap::Parser;

/// mimalloc rather than glibc's malloc: ingest builds and frees small values per event, and
/// glibc's allocator took about a quarter of the server's CPU on the app's households.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let cli = Cli::parse();
    // Personal data and keys: whatever this process writes is its user's alone.
    census_server::private_files::restrict_umask();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("census-server: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn open_store(cli: &Cli) -> Result<Arc<dyn Storage>, String> {
    census_server::private_files::create_private_dir(&cli.data_dir)?;
    store::open(&cli.database())
        .await
        .map_err(|e| e.to_string())
}

fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Reads an import file with `read`; errors name the file.
fn read_file<T>(
    path: &std::path::Path,
    read: impl FnOnce(std::fs::File) -> Result<T, String>,
) -> Result<T, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    read(file).map_err(|e| format!("{}: {e}", path.display()))
}

async fn run(cli: Cli) -> Result<(), String> {
    // SQLite is served by one process: the lock is taken before the database is opened.
    let database = cli.database();
    let serving = matches!(cli.command, None | Some(Command::Serve(_)));
    let postgres = database.starts_with("postgres://") || database.starts_with("postgresql://");
    let _serve_lock = if serving && !postgres {
        census_server::private_files::create_private_dir(&cli.data_dir)?;
        Some(census_server::serve_lock::lock_sqlite(&database)?)
    } else {
        None
    };
    if let Some(Command::RotateBatchKey) = cli.command {
        println!("{}", admin::rotate_batch_key(&cli.data_dir)?);
        return Ok(());
    }
    let store = open_store(&cli).await?;
    match cli.command {
        None => serve_command(&cli, store, ServeArgs::default()).await,
        Some(Command::Serve(ref args)) => serve_command(&cli, store, args.clone()).await,
        Some(Command::ImportFrame { ref csv }) => {
            let districts = read_file(csv, frame::read_frame)?;
            let n = store.import_districts(&districts).await.map_err(text)?;
            println!("imported {n} districts");
            Ok(())
        }
        Some(Command::ImportExtents { ref csv }) => {
            let extents = read_file(csv, census_server::frame_extras::read_extents)?;
            let n = frame_checks::import_extents(store.as_ref(), &extents, Rows::CsvLines)
                .await
                .map_err(|e| format!("{}: {e}", csv.display()))?;
            println!("{n} district extents imported");
            Ok(())
        }
        Some(Command::ImportBoundaries { ref geojson }) => {
            let extents = read_file(geojson, census_server::boundaries::read_boundaries)?;
            let n = frame_checks::import_extents(store.as_ref(), &extents, Rows::Features)
                .await
                .map_err(|e| format!("{}: {e}", geojson.display()))?;
            println!("{n} district boundaries imported");
            Ok(())
        }
        Some(Command::ImportBuildings { ref csv }) => {
            let buildings = read_file(csv, census_server::frame_extras::read_buildings)?;
            let n = frame_checks::import_buildings(store.as_ref(), &buildings)
                .await
                .map_err(|e| format!("{}: {e}", csv.display()))?;
            println!("{n} frame buildings imported");
            Ok(())
        }
        Some(Command::IssueReviewer {
            ref name,
            ref role,
            ref scope,
        }) => {
            let role = census_server::store::Role::parse(role)
                .filter(|r| r.may_review())
                .ok_or_else(|| format!("--role {role:?}: use controller, supervisor or office"))?;
            let (level, id) = scope
                .split_once(':')
                .ok_or_else(|| format!("--scope {scope:?}: use level:id"))?;
            let level = census_core::coverage::Level::parse(level)
                .ok_or_else(|| format!("--scope: unknown level {level:?}"))?;
            if role.scope_level().is_some_and(|expected| expected != level) {
                return Err(format!(
                    "a {} works on a {} scope",
                    role.as_str(),
                    role.scope_level().map_or("", |l| l.as_str())
                ));
            }
            let code = secrets::generate_reviewer_code()?;
            store
                .add_reviewer(&census_server::store::NewReviewer {
                    token_hash: secrets::token_hash(&code),
                    name: name.clone(),
                    role,
                    scope_level: level,
                    scope_id: id.to_owned(),
                })
                .await
                .map_err(|e| e.to_string())?;
            println!("{code}");
            Ok(())
        }
        Some(Command::RotateBatchKey) => Ok(()),
        Some(Command::SetRecoveryKey { ref public }) => {
            println!("{}", admin::set_recovery_key(store.as_ref(), public).await?);
            Ok(())
        }
        Some(Command::Publish { ref file }) => {
            println!("{}", admin::publish(store.as_ref(), file).await?);
            Ok(())
        }
        Some(Command::IssueCode {
            ref enumerator,
            ref districts,
            ref server_url,
        }) => {
            let known = store
                .districts(districts)
                .await
                .map_err(|e| e.to_string())?;
            for d in districts {
                if !known.iter().any(|k| &k.district_id == d) {
                    return Err(format!("district {d} is not in the frame: import it first"));
                }
            }
            let key_ids = match server_url {
                Some(_) => Some(admin::key_ids(store.as_ref(), &cli.data_dir).await?),
                None => None,
            };
            let code = secrets::generate_code()?;
            store
                .add_enrolment_code(&NewCode {
                    code_hash: secrets::code_hash(&code),
                    enumerator_id: enumerator.clone(),
                    districts: districts.clone(),
                })
                .await
                .map_err(|e| e.to_string())?;
            println!("{code}");
            if let (Some(url), Some(ids)) = (server_url, key_ids) {
                println!("{}", admin::provisioning_payload(url, &code, &ids));
            }
            Ok(())
        }
        Some(Command::Export {
            ref out,
            ref questionnaire_files,
            ref format,
            ref lang,
            ref since,
        }) => {
            let questionnaires = export::load_questionnaires(questionnaire_files)?;
            let done = match (format.as_deref(), questionnaires.first()) {
                (Some(format), Some(q)) => {
                    let options = export::typed::Options {
                        lang: lang.clone(),
                        since: since.clone(),
                        format: export::typed::Format::parse(format)?,
                    };
                    let done =
                        export::typed::export_typed(store.as_ref(), out, q, &options).await?;
                    let cursor = out.join(export::typed::CURSOR_FILE);
                    let next = std::fs::read_to_string(&cursor).unwrap_or_default();
                    println!("next incremental export: --since {}", next.trim());
                    done
                }
                _ => export::export_with(store.as_ref(), out, &questionnaires).await?,
            };
            println!("exported {} cases to {}", done.cases, out.display());
            if done.problems > 0 {
                println!(
                    "{} problems (data not exported) listed in {}",
                    done.problems,
                    out.join(format!("{}.csv", export::PROBLEMS)).display()
                );
            }
            Ok(())
        }
        Some(Command::Tabulate {
            ref out,
            ref questionnaire_file,
        }) => {
            let files: Vec<std::path::PathBuf> = questionnaire_file.iter().cloned().collect();
            let q = export::load_questionnaires(&files)?;
            let t = census_server::tabulate::tabulate(store.as_ref(), out, &q).await?;
            println!(
                "tabulated {} persons in {} households, and {} persons counted apart in {} \
                 collective living quarters, into {}",
                t.persons,
                t.households,
                t.persons_apart,
                t.establishments,
                out.display()
            );
            if t.unread > 0 {
                println!(
                    "{} cases of questionnaires not given (--questionnaire-file) were not read",
                    t.unread
                );
            }
            Ok(())
        }
        Some(Command::RevokeDevice { ref device }) => {
            if store.revoke_device(device).await.map_err(text)? {
                println!("device {device} revoked: its token no longer works");
                Ok(())
            } else {
                Err(format!(
                    "no enrolled device {device} (or it was revoked already)"
                ))
            }
        }
        Some(Command::RevokeReviewer { ref name }) => {
            match store.revoke_reviewer(name).await.map_err(text)? {
                0 => Err(format!("no reviewer named {name:?} (or revoked already)")),
                n => {
                    println!("{n} token(s) of {name} revoked");
                    Ok(())
                }
            }
        }
        Some(Command::ReassignCase {
            case_id,
            ref device,
        }) => match store.reassign_case(case_id, device).await.map_err(text)? {
            Ok(done) => {
                tracing::info!(
                    case = %done.case_id, from = %done.from_device, to = %done.to_device,
                    revision = done.revision, "case reassigned by the office"
                );
                println!(
                    "case {} moved from device {} to device {} (enumerator {}) at revision {}",
                    done.case_id,
                    done.from_device,
                    done.to_device,
                    done.enumerator_id,
                    done.revision
                );
                Ok(())
            }
            Err(why) => Err(why),
        },
        Some(Command::Review {
            case,
            ref decision,
            ref comment,
            ref reviewer,
        }) => {
            // The command line also takes `sent-back`, as an operator would type it.
            let decision: Decision = decision
                .replace('-', "_")
                .parse()
                .map_err(|e| format!("{e}: use approved or sent-back"))?;
            let cursor = store
                .record_review(&store::NewReview {
                    case_id: case,
                    decision,
                    comment: comment.clone(),
                    reviewer: reviewer.clone(),
                    reviewer_role: store::Role::Office,
                    revision_read: None,
                })
                .await
                .map_err(|e| e.to_string())?;
            println!("review recorded (cursor {cursor})");
            Ok(())
        }
    }
}

async fn serve_command(cli: &Cli, store: Arc<dyn Storage>, args: ServeArgs) -> Result<(), String> {
    let (keys, created) = office_keys::load_batch_keys(&cli.data_dir)?;
    if created {
        let key_path = cli.data_dir.join(office_keys::CURRENT_KEY_FILE);
        println!("new office key saved to {} (mode 0600)", key_path.display());
    }
    for line in admin::key_lines(&keys) {
        println!("{line}");
    }
    match store.recovery_key().await.map_err(text)? {
        Some(k) => println!("recovery key {}", k.key_id),
        None => println!(
            "no recovery key set: tablets cannot enrol until the office runs \
             census-server set-recovery-key"
        ),
    }
    let (questionnaires, lines) = census_server::validate::from_command_line(
        &args.questionnaires,
        &args.questionnaire_files,
    )?;
    for line in lines {
        println!("{line}");
    }
    let coverage_items =
        census_server::facts::CoverageItems::of_questionnaires(questionnaires.iter().map(|q| &**q))
            .map_err(|e| format!("cannot serve: {e}"))?;
    let mut config = ServerConfig {
        rate_burst: args.rate_burst,
        rate_per_second: args.rate_per_second,
        questionnaires,
        census_start: args.census_start.clone(),
        coverage_items,
        diagnostics_dir: Some(cli.data_dir.join("diagnostics")),
        ..ServerConfig::default()
    };
    args.limits.apply(&mut config)?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot listen: {e}"))?;
    let durability = store.durability().await.map_err(|e| e.to_string())?;
    tracing::info!(
        listen = %bound,
        storage = store.kind(),
        durability = %durability,
        "census-server listening"
    );
    let state = AppState::shared_with_keys(store, keys, config).await?;
    serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| format!("server stopped: {e}"))
}
