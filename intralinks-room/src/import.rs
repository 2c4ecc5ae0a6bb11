//! Members read from CSV.

use intralinks_ext::Result;

use crate::file::{MemberSpec, invalid};

/// Members from CSV with a header row naming some of `email`,
/// `first_name`, `last_name`, `organization`, `role` and `groups` (group
/// names separated by `;`). `email` is required; an unknown column is an
/// error naming it.
pub fn members_from_csv(text: &str, origin: &str) -> Result<Vec<MemberSpec>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let bad = |e: csv::Error| invalid(origin, format!("{e}; fix the CSV"));
    let headers = reader.headers().map_err(bad)?.clone();
    const KNOWN: [&str; 6] = [
        "email",
        "first_name",
        "last_name",
        "organization",
        "role",
        "groups",
    ];
    for h in &headers {
        if !KNOWN.contains(&h) {
            return Err(invalid(
                origin,
                format!("unknown column {h:?}; the columns are {}", KNOWN.join(", ")),
            ));
        }
    }
    if !headers.iter().any(|h| h == "email") {
        return Err(invalid(
            origin,
            "the header has no email column; add one".into(),
        ));
    }
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(bad)?;
        let get = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|p| row.get(p))
                .map(str::to_owned)
                .filter(|v| !v.is_empty())
        };
        let email = get("email")
            .ok_or_else(|| invalid(origin, format!("row {} has no e-mail; fill it in", i + 2)))?;
        if !intralinks_ext::text::is_email_address(&email) {
            return Err(invalid(
                origin,
                format!(
                    "row {} has {email:?}, which is not one plain e-mail address (name@example.com: no spaces, display name, mailto: or second address); correct it — nothing was sent",
                    i + 2
                ),
            ));
        }
        out.push(MemberSpec {
            email,
            first_name: get("first_name"),
            last_name: get("last_name"),
            organization: get("organization"),
            role: get("role"),
            groups: get("groups")
                .map(|g| {
                    g.split(';')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            welcome_alert: None,
        });
    }
    Ok(out)
}
