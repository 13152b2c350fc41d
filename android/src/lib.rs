//! Android entry point: the GameActivity calls `android_main`, which starts the same app as
//! the desktop binary, with its database in the app-private directory, the office named by
//! the provisioning file, logs to logcat, the soft-keyboard glue of [`shell`] and the
//! location fixes of [`location`].

#[cfg(target_os = "android")]
mod insets;
#[cfg(target_os = "android")]
mod location;
#[cfg(target_os = "android")]
mod shell;

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
    // The key file's PIN wrap goes under a non-exportable Android Keystore key (an existing
    // file is moved under it at its next unlock).
    census::keys::protector::install(std::sync::Arc::new(
        census::platform::keystore::AndroidKeystore,
    ));
    let mut config = census::app::AppConfig::new(data_dir.clone());
    let inbox = app.external_data_path();
    match census::platform::provisioning::load_or_adopt(&data_dir, inbox.as_deref()) {
        Ok(Some(provisioning)) => {
            log::info!("provisioned for the office at {}", provisioning.server_url);
            provisioning.apply(&mut config);
        }
        // Without a pinned certificate there is no sync: the platform verifier the sync
        // client would fall back to cannot work on Android without its Java side.
        Ok(None) => log::warn!(
            "no {} in the app's data directory nor in {}: this tablet will not sync",
            census::platform::provisioning::PROVISIONING_FILE,
            inbox
                .as_deref()
                .map_or("(no external directory)".into(), |p| p
                    .display()
                    .to_string()),
        ),
        Err(problem) => log::error!("{problem}; this tablet will not sync"),
    }
    let options = eframe::NativeOptions {
        android_app: Some(app.clone()),
        ..Default::default()
    };
    let started = eframe::run_native(
        "census",
        options,
        Box::new(move |cc| {
            census::app::setup_context(&cc.egui_ctx);
            let census = census::app::CensusApp::new(config);
            Ok(Box::new(shell::AndroidShell::new(census, app)))
        }),
    );
    if let Err(error) = started {
        log::error!("the app stopped with an error: {error}");
    }
}
