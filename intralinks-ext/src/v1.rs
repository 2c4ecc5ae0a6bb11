//! The V1 XML pieces the V2 spec lacks: workspace entry, its splash, the
//! exit call and the splash image.
//!
//! Calls are tunnelled (`?method=GET|CREATE|UPDATE|DELETE&httpStatus=T`), the
//! body is a form field `xml=...`; XML has no namespaces or attributes and
//! booleans are `T`/`F`. Parsing and writing go through quick-xml and serde.

use std::path::{Path, PathBuf};

use intralinks_api::TfBool;
use serde::{Deserialize, Serialize};

use crate::Intralinks;
use crate::error::{Error, Result};

/// `<workspaceEntryRequest>`: what a V1 entry POST carries.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename = "workspaceEntryRequest", rename_all = "camelCase")]
pub(crate) struct EntryRequestXml {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept_splash: Option<TfBool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_time_password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_declaration: Option<String>,
}

/// `<status>` of a V1 answer.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct StatusXml {
    /// The status code (201, 303, ...).
    #[serde(default)]
    pub code: Option<i32>,
    /// The subcode, if any.
    #[serde(default)]
    pub subcode: Option<String>,
    /// The message.
    #[serde(default)]
    pub message: Option<String>,
}

impl StatusXml {
    /// The error this status of a V1 answer stands for, if any, mapped as
    /// the V2 errors are: 303 is entry required (in `workspace_id`), 400 with
    /// subcode `3-1` not found, any other code from 400 up a service error
    /// (`http_status` being the answer's own).
    pub(crate) fn error(&self, http_status: u16, workspace_id: Option<i64>) -> Option<Error> {
        let message = || self.message.clone().unwrap_or_default();
        match self.code? {
            303 => Some(Error::EntryRequired { workspace_id }),
            400 if self.subcode.as_deref() == Some("3-1") => Some(Error::NotFound {
                message: message(),
                error_id: None,
            }),
            c if c >= 400 => Some(Error::Service {
                status: http_status,
                code: Some(c),
                subcode: self.subcode.clone(),
                message: message(),
                error_id: None,
                retry_after: None,
            }),
            _ => None,
        }
    }
}

/// The splash as V1 returns it with `splashReturn=A`.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SplashXml {
    /// The splash text (text or HTML).
    #[serde(default)]
    pub splash_text: Option<String>,
    /// Whether there is an image (`T`/`F`).
    #[serde(default)]
    pub has_image: Option<TfBool>,
    /// Where the image is.
    #[serde(default, rename = "splashURL")]
    pub splash_url: Option<String>,
    /// The text of the accept button.
    #[serde(default)]
    pub accept_text: Option<String>,
}

/// A V1 entry answer.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EntryResponseXml {
    /// The status.
    #[serde(default)]
    pub status: Option<StatusXml>,
    /// The entry state.
    #[serde(default)]
    pub state: Option<String>,
    /// The question to answer.
    #[serde(default)]
    pub security_question_key: Option<String>,
    /// Failed attempts so far.
    #[serde(default)]
    pub num_of_attempts: Option<i32>,
    /// The splash, with `splashReturn=A`.
    #[serde(default)]
    pub splash: Option<SplashXml>,
    /// A bare message (errors).
    #[serde(default)]
    pub message: Option<String>,
}

/// Parses a V1 answer, whatever its root element is called.
pub fn parse_entry_response(xml: &str) -> Result<EntryResponseXml> {
    quick_xml::de::from_str(xml).map_err(|e| Error::UnexpectedBody {
        status: None,
        content_type: Some("application/xml".into()),
        decode_error: Some(format!("XML that does not match the V1 entry answer: {e}")),
        excerpt: intralinks_api::mask_secrets(&xml.chars().take(160).collect::<String>()),
    })
}

/// The file extension an image content type names.
pub fn image_extension(content_type: &str) -> Option<&'static str> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "image/jpeg" | "image/jpg" | "image/pjpeg" => Some("jpg"),
        "image/gif" => Some("gif"),
        "image/png" => Some("png"),
        "image/bmp" => Some("bmp"),
        "image/webp" => Some("webp"),
        "image/svg+xml" => Some("svg"),
        _ => None,
    }
}

impl Intralinks {
    pub(crate) async fn v1_entry_call(
        &self,
        workspace_id: i64,
        method: &str,
        request: Option<&EntryRequestXml>,
    ) -> Result<EntryResponseXml> {
        let url = self.services_url("workspaces/entry")?;
        let ws = workspace_id.to_string();
        let mut query = vec![
            ("method", method),
            ("httpStatus", "T"),
            ("workspaceId", ws.as_str()),
        ];
        if method == "GET" {
            query.push(("splashReturn", "A"));
        }
        let builder = if method == "GET" {
            self.request(reqwest::Method::GET, url)
        } else {
            let xml = match request {
                Some(r) => quick_xml::se::to_string(r).map_err(|e| {
                    Error::InvalidInput(format!("cannot write the entry request as XML: {e}"))
                })?,
                None => "<workspaceEntryRequest></workspaceEntryRequest>".into(),
            };
            self.request(reqwest::Method::POST, url)
                .form(&[("xml", xml)])
        };
        let operation = match method {
            "GET" => "v1_get_workspace_entry",
            "DELETE" => "v1_delete_workspace_entry",
            _ => "v1_create_workspace_entry",
        };
        let response = self.send(builder.query(&query), operation).await?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(Error::from_response(response).await);
        }
        let limit = progenitor_client::ClientInfo::inner(self.api()).answer_limit;
        let body = crate::error::read_whole(response, limit).await?;
        let text = String::from_utf8_lossy(&body);
        let answer = parse_entry_response(&text)?;
        match answer
            .status
            .as_ref()
            .and_then(|s| s.error(status, Some(workspace_id)))
        {
            Some(e) => Err(e),
            None => Ok(answer),
        }
    }

    /// The splash text and image information, from V1 with `splashReturn=A`.
    pub async fn splash_v1(&self, workspace_id: i64) -> Result<SplashXml> {
        let answer = self.v1_entry_call(workspace_id, "GET", None).await?;
        Ok(answer.splash.unwrap_or_default())
    }

    /// Leaves a workspace entered with V1 (the entry DELETE).
    pub async fn exit_v1(&self, workspace_id: i64) -> Result<()> {
        self.v1_entry_call(workspace_id, "DELETE", None)
            .await
            .map(|_| ())
    }

    /// Downloads the splash image to `path_without_extension` plus the
    /// extension its content type names; returns the path written.
    pub async fn save_splash_image(
        &self,
        workspace_id: i64,
        path_without_extension: &Path,
    ) -> Result<PathBuf> {
        let url = self.services_url("workspaces/splashImage")?;
        let response = self
            .send(
                self.request(reqwest::Method::GET, url)
                    .query(&[("workspaceId", workspace_id.to_string())]),
                "v1_get_splash_image",
            )
            .await?;
        if !response.status().is_success() {
            return Err(Error::from_response(response).await);
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let extension = image_extension(&content_type).ok_or_else(|| Error::UnexpectedBody {
            status: Some(response.status().as_u16()),
            content_type: Some(content_type.clone()),
            decode_error: Some("the splash image's content type names no image format".into()),
            excerpt: String::new(),
        })?;
        let mut name = path_without_extension.as_os_str().to_owned();
        name.push(".");
        name.push(extension);
        let path = PathBuf::from(name);
        crate::transfer::stream_to_file(response, &path, self.transfer_limits()).await?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_request_is_written_as_plain_xml() {
        let r = EntryRequestXml {
            accept_splash: Some(TfBool(true)),
            answer: Some("My <Answer> & more".into()),
            ..Default::default()
        };
        assert_eq!(
            quick_xml::se::to_string(&r).unwrap(),
            "<workspaceEntryRequest><acceptSplash>T</acceptSplash><answer>My &lt;Answer&gt; &amp; more</answer></workspaceEntryRequest>"
        );
    }

    #[test]
    fn entry_answer_as_seed_000_shows_it() {
        let xml = "<workspaceEntryResponse><status><code>201</code><message>The entities have been created</message></status><state>ACCEPT_SPLASH</state></workspaceEntryResponse>";
        let a = parse_entry_response(xml).unwrap();
        assert_eq!(a.state.as_deref(), Some("ACCEPT_SPLASH"));
        assert_eq!(a.status.unwrap().code, Some(201));
    }

    #[test]
    fn splash_return_a_gives_text_and_image_info() {
        let xml = "<workspaceEntryResponse><splash><splashText>Terms</splashText><hasImage>T</hasImage><splashURL>/img</splashURL></splash></workspaceEntryResponse>";
        let s = parse_entry_response(xml).unwrap().splash.unwrap();
        assert_eq!(s.splash_text.as_deref(), Some("Terms"));
        assert_eq!(s.has_image, Some(TfBool(true)));
        assert_eq!(s.splash_url.as_deref(), Some("/img"));
    }

    #[test]
    fn a_v1_status_maps_to_the_errors_v2_answers_give() {
        let status = |code: i32, subcode: Option<&str>| StatusXml {
            code: Some(code),
            subcode: subcode.map(str::to_string),
            message: Some("said".into()),
        };
        assert!(matches!(
            status(303, None).error(200, Some(701424)),
            Some(Error::EntryRequired {
                workspace_id: Some(701424)
            })
        ));
        assert!(matches!(
            status(400, Some("3-1")).error(400, Some(7)),
            Some(Error::NotFound { ref message, .. }) if message == "said"
        ));
        assert!(matches!(
            status(500, Some("9-1")).error(200, None),
            Some(Error::Service { status: 200, code: Some(500), ref subcode, .. })
                if subcode.as_deref() == Some("9-1")
        ));
        assert!(status(200, None).error(200, None).is_none());
        assert!(StatusXml::default().error(200, None).is_none());
    }

    #[test]
    fn bad_xml_is_a_typed_error() {
        let e = parse_entry_response("<a><b></a>").unwrap_err();
        assert!(matches!(e, Error::UnexpectedBody { .. }), "{e:?}");
    }

    #[test]
    fn content_types_name_extensions() {
        assert_eq!(image_extension("image/jpeg"), Some("jpg"));
        assert_eq!(image_extension("image/gif; charset=binary"), Some("gif"));
        assert_eq!(image_extension("text/html"), None);
    }
}
