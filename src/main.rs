//! Starts the census tablet app on the desktop: `census [--data-dir DIR] [--demo] …`
//! (see `census --help`). With no argument: demo mode in `./census-data`.

fn main() -> eframe::Result {
    let config = match census::app::AppConfig::from_args(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1024.0, 640.0])
            .with_title("Census 2024"),
        ..Default::default()
    };
    census::app::run_with(options, config)
}
