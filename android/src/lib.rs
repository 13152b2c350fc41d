//! Android entry point: the GameActivity calls `android_main`, which starts the same app as
//! the desktop binary, with its database in the app-private directory.

#[cfg(target_os = "android")]
use winit::platform::android::activity::AndroidApp;

/// Called by the GameActivity glue on the app's main thread.
#[cfg(target_os = "android")]
#[allow(unsafe_code)] // `no_mangle` is an unsafe attribute since edition 2024: the symbol is looked up by name.
#[unsafe(no_mangle)]
fn android_main(app: AndroidApp) {
    android_logger::init_once(
        android_logger::Config::default()
            .with_max_level(log::LevelFilter::Info)
            .with_tag("census"),
    );
    let Some(data_dir) = app.internal_data_path() else {
        log::error!("Android gave the app no internal data directory: cannot open the database");
        return;
    };
    let options = eframe::NativeOptions {
        android_app: Some(app),
        ..Default::default()
    };
    if let Err(error) = census::app::run(options, data_dir) {
        log::error!("the app stopped with an error: {error}");
    }
}
