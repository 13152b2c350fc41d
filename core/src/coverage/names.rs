//! Names normalised for comparison, so that the same head of household typed twice — with
//! or without diacritics, in another order, with another form of alef — compares equal.

/// A comparison key for a person's name: lower case, Latin accents and Arabic vowel marks
/// and tatweel removed, alef/yaa/taa marbuta forms unified, punctuation dropped, words sorted.
/// `None` when nothing is left.
pub fn name_key(name: &str) -> Option<String> {
    let mut cleaned = String::with_capacity(name.len());
    for c in name.chars() {
        if let Some(mapped) = fold(c) {
            cleaned.push(mapped);
        }
    }
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    words.sort_unstable();
    Some(words.join(" "))
}

/// One character folded for comparison; `None` drops it, a space separates words.
fn fold(c: char) -> Option<char> {
    let folded = match c {
        // Arabic harakat, superscript alef, tatweel.
        '\u{064B}'..='\u{0652}' | '\u{0670}' | '\u{0640}' => return None,
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ى' | 'ئ' => 'ي',
        'ة' => 'ه',
        'ؤ' => 'و',
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'À' | 'Á' | 'Â' | 'Ä' | 'Ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'î' | 'ï' | 'í' | 'Î' | 'Ï' | 'Í' => 'i',
        'ô' | 'ö' | 'ó' | 'Ô' | 'Ö' | 'Ó' => 'o',
        'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' | 'Ú' => 'u',
        'ç' | 'Ç' => 'c',
        c if c.is_alphanumeric() => return Some(c.to_lowercase().next().unwrap_or(c)),
        // Apostrophes and hyphens join a name ("Aït-Ourir", "M'hamed").
        '\'' | '’' | '-' => return None,
        _ => ' ',
    };
    Some(folded)
}

#[cfg(test)]
mod tests {
    use super::name_key;

    #[test]
    fn spelling_variants_share_a_key() {
        assert_eq!(name_key("Mohamed  ALAOUI"), name_key("alaoui mohamed"));
        assert_eq!(name_key("Hélène Aït-Ouali"), name_key("helene aitouali"));
        assert_eq!(name_key("أحمد بنعلي"), name_key("احمد بنعلي"));
        assert_eq!(name_key("فاطِمة"), name_key("فاطمه"));
    }

    #[test]
    fn different_names_differ_and_empty_is_none() {
        assert_ne!(name_key("Mohamed Alaoui"), name_key("Mohamed Alami"));
        assert_eq!(name_key("  -- "), None);
        assert_eq!(name_key(""), None);
    }
}
