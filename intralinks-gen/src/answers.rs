//! The generated structs and enums that only answers carry, marked
//! `#[non_exhaustive]` so that the service may add fields and values to them
//! without breaking users.
//!
//! Users build what they send: the request bodies and everything reachable
//! from them (their enums included) keep their struct literals, builders and
//! exhaustive matches. A type that is reachable only from answers is read,
//! never built, outside the client crate; `#[non_exhaustive]` lets a field
//! (a struct) or a value (an enum, such as a new entry state) be added to
//! it in a minor release, and a user's `match` keeps a `_` arm for what a
//! later release may add.

use std::collections::{BTreeMap, BTreeSet};

/// Marks the structs (with named fields) and enums of `types` that no
/// operation's builder reaches (see the module docs). Returns their names,
/// sorted.
pub(crate) fn mark(file: &mut syn::File) -> Vec<String> {
    let Some(types) = module_items(&file.items, "types") else {
        return Vec::new();
    };
    // Every struct and enum of `types`, with the names its fields mention.
    let mut mentions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // What may be marked: structs with named fields, and enums.
    let mut structs = BTreeSet::new();
    for item in types {
        let (name, mentioned) = match item {
            syn::Item::Struct(s) => {
                if matches!(s.fields, syn::Fields::Named(_)) {
                    structs.insert(s.ident.to_string());
                }
                (s.ident.to_string(), idents_in(&s.fields))
            }
            syn::Item::Enum(e) => {
                structs.insert(e.ident.to_string());
                (
                    e.ident.to_string(),
                    idents_in(e.variants.iter().flat_map(|v| &v.fields)),
                )
            }
            _ => continue,
        };
        mentions.insert(name, mentioned);
    }

    // What the operations send: the types their builders hold.
    let roots = module_items(&file.items, "builder")
        .map(|items| {
            idents_in(items.iter().flat_map(|item| match item {
                syn::Item::Struct(s) => s.fields.iter().collect(),
                _ => Vec::new(),
            }))
        })
        .unwrap_or_default();
    let mut sent = BTreeSet::new();
    let mut todo: Vec<String> = roots
        .into_iter()
        .filter(|n| mentions.contains_key(n))
        .collect();
    while let Some(name) = todo.pop() {
        if sent.insert(name.clone())
            && let Some(next) = mentions.get(&name)
        {
            todo.extend(
                next.iter()
                    .filter(|n| mentions.contains_key(*n) && !sent.contains(*n))
                    .cloned(),
            );
        }
    }

    let answers: BTreeSet<String> = structs.difference(&sent).cloned().collect();
    if let Some(types) = module_items_mut(&mut file.items, "types") {
        for item in types {
            let (ident, attrs) = match item {
                syn::Item::Struct(s) => (&s.ident, &mut s.attrs),
                syn::Item::Enum(e) => (&e.ident, &mut e.attrs),
                _ => continue,
            };
            if answers.contains(&ident.to_string()) {
                attrs.push(syn::parse_quote!(#[non_exhaustive]));
            }
        }
    }
    answers.into_iter().collect()
}

/// The items of the top-level module `name`.
fn module_items<'a>(items: &'a [syn::Item], name: &str) -> Option<&'a [syn::Item]> {
    items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, i)| i.as_slice()),
        _ => None,
    })
}

fn module_items_mut<'a>(items: &'a mut [syn::Item], name: &str) -> Option<&'a mut Vec<syn::Item>> {
    items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, i)| i),
        _ => None,
    })
}

/// Every identifier of every path in the types of `fields` (`Vec<Folder>`
/// gives `Vec` and `Folder`; `types::builder::Splash` gives all three).
fn idents_in<'a>(fields: impl IntoIterator<Item = &'a syn::Field>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut todo: Vec<&syn::Type> = fields.into_iter().map(|f| &f.ty).collect();
    while let Some(ty) = todo.pop() {
        match ty {
            syn::Type::Path(p) => {
                if let Some(q) = &p.qself {
                    todo.push(&q.ty);
                }
                for segment in &p.path.segments {
                    out.insert(segment.ident.to_string());
                    if let syn::PathArguments::AngleBracketed(args) = &segment.arguments {
                        todo.extend(args.args.iter().filter_map(|a| match a {
                            syn::GenericArgument::Type(t) => Some(t),
                            _ => None,
                        }));
                    }
                }
            }
            syn::Type::Reference(r) => todo.push(&r.elem),
            syn::Type::Slice(s) => todo.push(&s.elem),
            syn::Type::Array(a) => todo.push(&a.elem),
            syn::Type::Ptr(p) => todo.push(&p.elem),
            syn::Type::Group(g) => todo.push(&g.elem),
            syn::Type::Paren(p) => todo.push(&p.elem),
            syn::Type::Tuple(t) => todo.extend(t.elems.iter()),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_structs_and_enums_no_builder_reaches_are_marked() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Request { pub items: Vec<Item>, pub kind: Kind }
                pub struct Item { pub name: String }
                pub enum Kind { A(Detail), B }
                pub struct Detail { pub note: Option<String> }
                pub struct Answer { pub items: Vec<Item>, pub extra: Extra }
                pub struct Extra { pub n: i64 }
                pub struct Wrapper(pub String);
                pub enum Status { Ok }
                pub mod builder {
                    pub struct Answer { items: Result<Vec<super::Item>, String> }
                }
            }
            pub mod builder {
                pub struct Send<'a> { client: &'a super::Client, body: Result<types::builder::Request, String> }
                pub struct Get<'a> { client: &'a super::Client, id: Result<i64, String> }
            }
        };
        // `Kind` is sent (a request holds it); `Status` is not.
        assert_eq!(mark(&mut file), ["Answer", "Extra", "Status"]);
        let marked: Vec<String> = module_items(&file.items, "types")
            .unwrap()
            .iter()
            .filter_map(|item| match item {
                syn::Item::Struct(s)
                    if s.attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) =>
                {
                    Some(s.ident.to_string())
                }
                syn::Item::Enum(e)
                    if e.attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) =>
                {
                    Some(e.ident.to_string())
                }
                _ => None,
            })
            .collect();
        assert_eq!(marked, ["Answer", "Extra", "Status"]);
    }
}
