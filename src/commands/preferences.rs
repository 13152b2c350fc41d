//! What the tablet remembers across restarts before it is unlocked: the interface language,
//! kept in a small plain file beside the encrypted store (it is not a secret, and the unlock
//! screen must already speak the enumerator's language).

use std::path::Path;

use crate::i18n::Lang;

/// The file in the data directory that holds the chosen language's code (`ar`, `fr`, ...).
pub const LANGUAGE_FILE_NAME: &str = "interface-language";

/// The language chosen last on this tablet, if one was chosen and the file is readable.
pub fn load_language(data_dir: &Path) -> Option<Lang> {
    let text = std::fs::read_to_string(data_dir.join(LANGUAGE_FILE_NAME)).ok()?;
    Lang::from_code(text.trim())
}

/// Remembers `lang` for the next start: written beside, then renamed over the old file, so a
/// power cut leaves either the old choice or the new one.
pub fn save_language(data_dir: &Path, lang: Lang) -> std::io::Result<()> {
    std::fs::create_dir_all(data_dir)?;
    let path = data_dir.join(LANGUAGE_FILE_NAME);
    let fresh = data_dir.join(format!("{LANGUAGE_FILE_NAME}.new"));
    std::fs::write(&fresh, lang.code())?;
    std::fs::rename(&fresh, &path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_survives_a_restart_and_a_damaged_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load_language(dir.path()), None);
        save_language(dir.path(), Lang::Ar).unwrap();
        assert_eq!(load_language(dir.path()), Some(Lang::Ar));
        save_language(dir.path(), Lang::Zgh).unwrap();
        assert_eq!(load_language(dir.path()), Some(Lang::Zgh));
        std::fs::write(dir.path().join(LANGUAGE_FILE_NAME), "klingon").unwrap();
        assert_eq!(load_language(dir.path()), None);
    }
}
