//! Command line: `census-server [serve]` and the admin subcommands.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The census office's sync server.
#[derive(Debug, Parser)]
#[command(name = "census-server", version, about)]
pub struct Cli {
    /// Directory for the office key and the default SQLite database.
    #[arg(long, global = true, default_value = "census-server-data")]
    pub data_dir: PathBuf,
    /// `postgres://user:password@host/db`, or a SQLite file (default: DATA_DIR/census.db).
    #[arg(long, global = true)]
    pub database: Option<String>,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the sync API (the default).
    Serve(ServeArgs),
    /// Import (or update) census districts from a CSV file.
    ImportFrame {
        /// The CSV file (see the README for its columns).
        csv: PathBuf,
    },
    /// Import district extents (boxes) from CSV: district_id,lat_min,lat_max,lon_min,lon_max.
    ImportExtents {
        /// The CSV file.
        csv: PathBuf,
    },
    /// Import district boundaries from GeoJSON (a FeatureCollection of Polygon or
    /// MultiPolygon features with `properties.district_id`); each replaces the district's box.
    ImportBoundaries {
        /// The GeoJSON file.
        geojson: PathBuf,
    },
    /// Import cartography's buildings from CSV: district_id,building_number,lat,lon,description.
    ImportBuildings {
        /// The CSV file.
        csv: PathBuf,
    },
    /// Create a reviewer account and print its reviewer code once (`K7QMX-3PARD`: typed on
    /// a tablet or into the review page, any case, spaces or dashes; only its hash is stored).
    IssueReviewer {
        /// Name shown with decisions.
        #[arg(long)]
        name: String,
        /// `controller`, `supervisor` or `office`.
        #[arg(long)]
        role: String,
        /// Scope as `level:id` (e.g. `control_sector:CS-07-041-03`, `national:national`).
        #[arg(long)]
        scope: String,
    },
    /// Issue a one-time enrolment code for an enumerator's device.
    IssueCode {
        /// Enumerator id.
        #[arg(long)]
        enumerator: String,
        /// Districts the device may write, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        districts: Vec<String>,
        /// The office's URL as tablets reach it: also prints a one-line provisioning payload
        /// (JSON: server URL, code, office key ids) for a QR code or a file.
        #[arg(long)]
        server_url: Option<String>,
    },
    /// Set the office's recovery key: the public half (base64, or a file holding it) that
    /// `census-recover keygen` printed. Setting another makes it current (rotation). Prints
    /// its key id. The private half stays offline.
    SetRecoveryKey {
        /// The public key, base64, or a file holding it.
        public: String,
    },
    /// Retire the current batch key (DATA_DIR/office.key, kept in DATA_DIR/retired-keys so
    /// batches sealed to it stay readable) and make a new one, announced in the next
    /// downloads once the server restarts.
    RotateBatchKey,
    /// Publish a questionnaire file under its id@version (checked by the loader; it needs a
    /// `coverage` block). A published version never changes: publish a new version.
    Publish {
        /// The questionnaire file (JSON).
        file: PathBuf,
    },
    /// Export stored cases as CSV or Parquet (one file per level of the questionnaire) plus
    /// a data dictionary, all or nothing, into a new or empty folder.
    Export {
        /// Output directory (new or empty).
        #[arg(long)]
        out: PathBuf,
        /// A questionnaire file whose cases are exported (repeatable; default: the bundled
        /// rgph2024). The export's files are its levels, never names found in cases.
        #[arg(long = "questionnaire-file")]
        questionnaire_files: Vec<PathBuf>,
        /// `csv`: the questionnaire-aware export (typed columns, keys that join, labels,
        /// Stata/SPSS/R load scripts) of the first questionnaire given; `parquet`: the same
        /// tables as Parquet files (typed columns, labels in each file's metadata). Without
        /// it: the generic export of every answer found in cases.
        #[arg(long, value_parser = ["csv", "parquet"])]
        format: Option<String>,
        /// Language of the labels of `--format` exports (one of the questionnaire's).
        #[arg(long, default_value = "fr")]
        lang: String,
        /// With `--format`: only cases received since this cursor (the `cursor.txt` of the
        /// previous export), at their latest revision.
        #[arg(long, requires = "format")]
        since: Option<String>,
    },
    /// Provisional first results: population by sex and 5-year age group, households by
    /// size, population by region, province and commune, as CSV and one HTML page.
    Tabulate {
        /// Output directory (new or empty).
        #[arg(long)]
        out: PathBuf,
        /// The questionnaire file of the cases (default: the bundled rgph2024).
        #[arg(long = "questionnaire-file")]
        questionnaire_file: Option<PathBuf>,
    },
    /// Revoke a device (a lost tablet): its token stops working at once. The tablet, or
    /// another, may then enrol under that id with a new code.
    RevokeDevice {
        /// The device id.
        device: String,
    },
    /// Revoke every token of a reviewer (a departed controller): their API calls and review
    /// page sessions stop working at once.
    RevokeReviewer {
        /// The reviewer's name, as given to `issue-reviewer`.
        #[arg(long)]
        name: String,
    },
    /// Move a case to another enrolled device of its district (the only way a case changes
    /// hands; recorded in the database and the log).
    ReassignCase {
        /// Case id.
        case_id: uuid::Uuid,
        /// The device that takes the case over.
        #[arg(long)]
        device: String,
    },
    /// Record a review decision on a case (the device downloads it).
    Review {
        /// Case id.
        #[arg(long)]
        case: uuid::Uuid,
        /// `approved` or `sent-back`.
        #[arg(long)]
        decision: String,
        /// Comment for the enumerator.
        #[arg(long, default_value = "")]
        comment: String,
        /// Who decides (recorded with the decision).
        #[arg(long, default_value = crate::store::COMMAND_LINE_REVIEWER)]
        reviewer: String,
    },
}

/// Options of `serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (plain HTTP; put a TLS terminator in front in production).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Accepted questionnaire as `id@version`: only the bundled one can be named without
    /// its file (repeatable; with no --questionnaire nor --questionnaire-file: the bundled
    /// census questionnaire `rgph2024`).
    #[arg(long = "questionnaire")]
    pub questionnaires: Vec<String>,
    /// A questionnaire file (repeatable): its id@version is accepted, and its `coverage`
    /// block says which items coverage reads from its cases (checked at start).
    #[arg(long = "questionnaire-file")]
    pub questionnaire_files: Vec<PathBuf>,
    /// Per-device burst of requests.
    #[arg(long, default_value_t = 60)]
    pub rate_burst: u32,
    /// Per-device sustained requests per second.
    #[arg(long, default_value_t = 2.0)]
    pub rate_per_second: f64,
    /// First day of enumeration (YYYY-MM-DD), for the schedule in coverage reports.
    #[arg(long)]
    pub census_start: Option<String>,
    /// Connection cap, read timeouts, per-address limits.
    #[command(flatten)]
    pub limits: crate::cli_limits::LimitArgs,
}

impl Default for ServeArgs {
    fn default() -> ServeArgs {
        ServeArgs {
            listen: "127.0.0.1:8080".into(),
            questionnaires: Vec::new(),
            questionnaire_files: Vec::new(),
            rate_burst: 60,
            rate_per_second: 2.0,
            census_start: None,
            limits: crate::cli_limits::LimitArgs::default(),
        }
    }
}

impl Cli {
    /// The database to open.
    pub fn database(&self) -> String {
        self.database.clone().unwrap_or_else(|| {
            self.data_dir
                .join("census.db")
                .to_string_lossy()
                .into_owned()
        })
    }
}
