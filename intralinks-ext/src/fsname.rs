//! Names from the server made safe for the local filesystem.
//!
//! A folder or document name is data from someone else: `../x`, `a/b`, `CON`,
//! a trailing dot or a 300-byte name must never escape the target directory,
//! or fail on some platform. Siblings that would collide are told apart by
//! the sync engine's name rule (`sync::names::DirNames`), the one rule for unique names.

/// The longest name kept, in bytes (most filesystems allow 255).
pub const MAX_NAME_BYTES: usize = 200;

const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// One path component that is safe on Linux, macOS and Windows: no
/// separators, no `.`/`..`, no control or reserved characters, no reserved
/// device names, no trailing dots or spaces, at most [`MAX_NAME_BYTES`].
pub fn safe_component(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = out.trim_end_matches(['.', ' ']).trim_start();
    out = if trimmed.is_empty() {
        "_".to_string()
    } else {
        trimmed.to_string()
    };
    if out.starts_with('.') && out.chars().all(|c| c == '.') {
        out = "_".into();
    }
    let stem = out
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end()
        .to_ascii_uppercase();
    if RESERVED.contains(&stem.as_str()) {
        out.insert(0, '_');
    }
    truncate_keeping_extension(&out, MAX_NAME_BYTES)
}

fn truncate_keeping_extension(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 && name.len() - i <= 16 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    let mut cut = max - ext.len();
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{ext}", &stem[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_separators_cannot_escape() {
        assert_eq!(safe_component("../x"), ".._x");
        assert_eq!(safe_component(".."), "_");
        assert_eq!(safe_component("."), "_");
        assert_eq!(safe_component("a/b\\c"), "a_b_c");
        assert_eq!(safe_component("/etc/passwd"), "_etc_passwd");
        assert_eq!(safe_component(""), "_");
        assert_eq!(safe_component("tab\there\0"), "tab_here_");
    }

    #[test]
    fn windows_rules_apply() {
        assert_eq!(safe_component("CON"), "_CON");
        assert_eq!(safe_component("nul.txt"), "_nul.txt");
        assert_eq!(safe_component("report. "), "report");
        assert_eq!(safe_component("a:b?.pdf"), "a_b_.pdf");
    }

    #[test]
    fn long_names_keep_their_extension_and_char_boundaries() {
        let long = format!("{}.pdf", "é".repeat(300));
        let safe = safe_component(&long);
        assert!(safe.len() <= MAX_NAME_BYTES);
        assert!(safe.ends_with(".pdf"));
    }
}
