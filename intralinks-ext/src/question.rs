//! Security questions as people read them, for a [`crate::Prompter`] that
//! asks one and for an [`crate::Error`] that names one; it sits below both
//! `entry` and `error`, so that neither needs the other for it.

/// A security question's key as people read it:
/// `NAME_OF_CHILDHOOD_SLED` → `Name of childhood sled?`.
///
/// ```
/// assert_eq!(intralinks_ext::question_text("NAME_OF_CHILDHOOD_SLED"), "Name of childhood sled?");
/// assert_eq!(intralinks_ext::question_text(""), "Security question?");
/// ```
pub fn question_text(key: &str) -> String {
    let words: Vec<String> = key
        .split(['_', ' '])
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut text = if words.is_empty() {
        "security question".to_string()
    } else {
        words.join(" ")
    };
    if let Some(first) = text.get(..1) {
        text.replace_range(..1, &first.to_uppercase());
    }
    text.push('?');
    text
}
