//! Cognito's `ProviderDetails`, per provider type: what `CreateIdentityProvider` requires, what
//! `DescribeIdentityProvider` adds, and what a SAML provider's metadata says about it.

use crate::config::IdentityProviderConfig;
use std::collections::BTreeMap;

/// The SAML 2.0 metadata namespace, and the bindings Cognito reports endpoints for.
const METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const REDIRECT_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
/// Larger metadata is refused: no real IdP's comes near this, the pool keeps it, and a request
/// body is at most 64 kB anyway.
const MAX_METADATA_BYTES: usize = 60 * 1024;

/// What the pool reads from a SAML identity provider's metadata.
#[derive(Debug, PartialEq, Eq)]
pub struct SamlMetadata {
    /// The IdP's `entityID`: the `issuer` of its users' `identities` entries.
    pub entity_id: String,
    pub sso_redirect: Option<String>,
    pub slo_redirect: Option<String>,
}

impl SamlMetadata {
    /// Reads an `EntityDescriptor` (alone or the first in an `EntitiesDescriptor`) that has an
    /// `IDPSSODescriptor`.
    pub fn parse(xml: &str) -> Result<SamlMetadata, String> {
        if xml.len() > MAX_METADATA_BYTES {
            return Err("The metadata file is too large.".into());
        }
        // roxmltree refuses DTDs by default, so entity expansion (billion laughs) cannot happen.
        let document = roxmltree::Document::parse(xml)
            .map_err(|e| format!("The metadata is not well-formed XML: {e}."))?;
        let is = |node: &roxmltree::Node, name: &str| {
            node.is_element()
                && node.tag_name().name() == name
                && node.tag_name().namespace() == Some(METADATA_NS)
        };
        let entity = document
            .descendants()
            .find(|n| is(n, "EntityDescriptor") && n.children().any(|c| is(&c, "IDPSSODescriptor")))
            .ok_or("The metadata describes no identity provider (no IDPSSODescriptor).")?;
        let entity_id = entity
            .attribute("entityID")
            .filter(|id| !id.trim().is_empty())
            .ok_or("The identity provider's EntityDescriptor has no entityID.")?
            .to_owned();
        let idp = entity
            .children()
            .find(|c| is(c, "IDPSSODescriptor"))
            .expect("found above");
        let redirect_of = |service: &str| {
            idp.children()
                .find(|c| is(c, service) && c.attribute("Binding") == Some(REDIRECT_BINDING))
                .and_then(|c| c.attribute("Location"))
                .map(str::to_owned)
        };
        let sso_redirect = redirect_of("SingleSignOnService");
        let has_sso = idp.children().any(|c| is(&c, "SingleSignOnService"));
        if !has_sso {
            return Err("The identity provider has no SingleSignOnService.".into());
        }
        Ok(SamlMetadata {
            entity_id,
            sso_redirect,
            slo_redirect: redirect_of("SingleLogoutService"),
        })
    }
}

/// The keys each type needs, as `CreateIdentityProvider` checks them. SAML needs one of two,
/// checked in [`check`].
fn required_keys(provider_type: &str) -> &'static [&'static str] {
    match provider_type {
        "Google" | "Facebook" | "LoginWithAmazon" => {
            &["client_id", "client_secret", "authorize_scopes"]
        }
        "SignInWithApple" => &[
            "client_id",
            "team_id",
            "key_id",
            "private_key",
            "authorize_scopes",
        ],
        "OIDC" => &["client_id", "authorize_scopes", "oidc_issuer"],
        _ => &[],
    }
}

/// Checks `details` for a provider of `provider_type`, as `CreateIdentityProvider` and
/// `UpdateIdentityProvider` do, and returns the SAML metadata when there is a file.
pub fn check(
    provider_type: &str,
    details: &BTreeMap<String, String>,
) -> Result<Option<SamlMetadata>, String> {
    let missing: Vec<&str> = required_keys(provider_type)
        .iter()
        .copied()
        .filter(|key| details.get(*key).is_none_or(|v| v.trim().is_empty()))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "ProviderDetails of a {provider_type} provider must include {}.",
            missing.join(", ")
        ));
    }
    if let Some(issuer) = details.get("oidc_issuer") {
        // http only on this machine, as a local Keycloak or oidc-provider would be.
        let secure_or_local = url::Url::parse(issuer).is_ok_and(|url| {
            url.scheme() == "https"
                || (url.scheme() == "http"
                    && matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")))
        });
        if !secure_or_local {
            return Err("oidc_issuer must be an https URL (or http on this machine).".into());
        }
    }
    if provider_type != "SAML" {
        return Ok(None);
    }
    match (details.get("MetadataFile"), details.get("MetadataURL")) {
        (Some(_), Some(_)) => Err("Give either MetadataFile or MetadataURL, not both.".into()),
        (None, None) => Err(
            "ProviderDetails of a SAML provider must include MetadataFile or MetadataURL.".into(),
        ),
        (Some(file), None) => SamlMetadata::parse(file).map(Some),
        (None, Some(url)) if url.starts_with("https://") => Ok(None),
        (None, Some(_)) => Err("MetadataURL must be an https URL.".into()),
    }
}

/// The `ProviderDetails` `DescribeIdentityProvider` shows: what was sent (never Apple's private
/// key), and the members Cognito adds for each type.
pub fn described(provider: &IdentityProviderConfig) -> BTreeMap<String, String> {
    let mut details = provider.provider_details.clone();
    details.remove("private_key");
    let facebook_version = details
        .get("api_version")
        .cloned()
        .unwrap_or_else(|| "v17.0".to_owned());
    let added: Vec<(&str, String)> = match provider.provider_type.as_str() {
        "Google" => vec![
            (
                "attributes_url",
                "https://people.googleapis.com/v1/people/me?personFields=".into(),
            ),
            ("attributes_url_add_attributes", "true".into()),
            (
                "authorize_url",
                "https://accounts.google.com/o/oauth2/v2/auth".into(),
            ),
            ("oidc_issuer", "https://accounts.google.com".into()),
            ("token_request_method", "POST".into()),
            (
                "token_url",
                "https://www.googleapis.com/oauth2/v4/token".into(),
            ),
        ],
        "Facebook" => vec![
            (
                "attributes_url",
                format!("https://graph.facebook.com/{facebook_version}/me?fields="),
            ),
            ("attributes_url_add_attributes", "true".into()),
            (
                "authorize_url",
                format!("https://www.facebook.com/{facebook_version}/dialog/oauth"),
            ),
            ("token_request_method", "GET".into()),
            (
                "token_url",
                format!("https://graph.facebook.com/{facebook_version}/oauth/access_token"),
            ),
        ],
        "LoginWithAmazon" => vec![
            (
                "attributes_url",
                "https://api.amazon.com/user/profile".into(),
            ),
            ("attributes_url_add_attributes", "false".into()),
            ("authorize_url", "https://www.amazon.com/ap/oa".into()),
            ("token_request_method", "POST".into()),
            ("token_url", "https://api.amazon.com/auth/o2/token".into()),
        ],
        "SignInWithApple" => vec![
            ("attributes_url_add_attributes", "false".into()),
            (
                "authorize_url",
                "https://appleid.apple.com/auth/authorize".into(),
            ),
            ("oidc_issuer", "https://appleid.apple.com".into()),
            ("token_request_method", "POST".into()),
            ("token_url", "https://appleid.apple.com/auth/token".into()),
        ],
        "OIDC" => vec![("attributes_url_add_attributes", "false".into())],
        "SAML" => {
            let metadata = saml_metadata(provider);
            [
                (
                    "SSORedirectBindingURI",
                    metadata.as_ref().and_then(|m| m.sso_redirect.clone()),
                ),
                (
                    "SLORedirectBindingURI",
                    metadata.and_then(|m| m.slo_redirect),
                ),
            ]
            .into_iter()
            .filter_map(|(key, value)| Some((key, value?)))
            .collect()
        }
        _ => Vec::new(),
    };
    for (key, value) in added {
        details.entry(key.to_owned()).or_insert(value);
    }
    details
}

/// The metadata of a SAML provider configured with a file (one given by URL is not fetched:
/// the local pool runs offline, and its SAML providers are served by the test provider).
pub fn saml_metadata(provider: &IdentityProviderConfig) -> Option<SamlMetadata> {
    (provider.provider_type == "SAML")
        .then(|| provider.provider_details.get("MetadataFile"))
        .flatten()
        .and_then(|file| SamlMetadata::parse(file).ok())
}

/// The `issuer` of an identity from `provider`: the OIDC issuer, or a SAML IdP's entity id.
pub fn issuer(provider: &IdentityProviderConfig) -> Option<String> {
    match provider.provider_type.as_str() {
        "SAML" => saml_metadata(provider).map(|m| m.entity_id),
        _ => provider.provider_details.get("oidc_issuer").cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const METADATA: &str = r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sts.corp.example/tenant/">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://sso.corp.example/slo"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sso.corp.example/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://sso.corp.example/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#;

    #[test]
    fn metadata_gives_the_entity_and_its_redirect_endpoints() {
        assert_eq!(
            SamlMetadata::parse(METADATA).unwrap(),
            SamlMetadata {
                entity_id: "https://sts.corp.example/tenant/".into(),
                sso_redirect: Some("https://sso.corp.example/sso".into()),
                slo_redirect: Some("https://sso.corp.example/slo".into()),
            }
        );
    }

    #[test]
    fn bad_metadata_is_refused_with_the_reason() {
        let sp_only = METADATA.replace("IDPSSODescriptor", "SPSSODescriptor");
        let no_sso = METADATA
            .lines()
            .filter(|l| !l.contains("SingleSignOnService"))
            .collect::<Vec<_>>()
            .join("\n");
        let dtd = format!(
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]>{}",
            METADATA.split_once("?>").unwrap().1
        );
        for (xml, reason) in [
            ("<md:EntityDescriptor", "not well-formed"),
            (sp_only.as_str(), "no IDPSSODescriptor"),
            (no_sso.as_str(), "no SingleSignOnService"),
            (
                &METADATA.replace("entityID=\"https://sts.corp.example/tenant/\"", ""),
                "no entityID",
            ),
            (dtd.as_str(), "not well-formed"),
        ] {
            let error = SamlMetadata::parse(xml).unwrap_err();
            assert!(error.contains(reason), "{error}");
        }
    }

    #[test]
    fn each_type_needs_its_own_details() {
        let details = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect()
        };
        let error = check("Google", &details(&[("client_id", "x")])).unwrap_err();
        assert!(error.contains("client_secret, authorize_scopes"), "{error}");
        assert!(check("SAML", &details(&[]))
            .unwrap_err()
            .contains("MetadataFile"));
        assert!(check(
            "SAML",
            &details(&[("MetadataURL", "http://idp.example/metadata")])
        )
        .is_err());
        assert!(check("SAML", &details(&[("MetadataFile", METADATA)]))
            .unwrap()
            .is_some());
        assert!(check(
            "OIDC",
            &details(&[
                ("client_id", "c"),
                ("authorize_scopes", "openid"),
                ("oidc_issuer", "ftp://x")
            ])
        )
        .is_err());
    }
}
