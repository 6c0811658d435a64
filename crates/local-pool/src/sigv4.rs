//! AWS Signature Version 4 checks for IAM-signed calls. Without configured credentials only the
//! form of the header can be checked (as most local emulators do); with credentials, the
//! signature is recomputed over the request as received, body included, and must match.

use crate::pool::{fault, Fault};
use crate::server::SignedRequest;
use axum::http::HeaderMap;
use cognito_idp::error::ErrorKind;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// An access key the pool accepts.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

const MAX_SKEW_SECS: i64 = 300;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn invalid_signature(message: &str) -> Fault {
    fault(
        ErrorKind::Other("InvalidSignatureException".into()),
        message,
    )
}

struct Authorization<'a> {
    access_key: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse(header: &str) -> Option<Authorization<'_>> {
    let rest = header.strip_prefix("AWS4-HMAC-SHA256 ")?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',').map(str::trim) {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let mut scope = credential?.split('/');
    let (access_key, date, region, service, terminator) = (
        scope.next()?,
        scope.next()?,
        scope.next()?,
        scope.next()?,
        scope.next()?,
    );
    (terminator == "aws4_request").then_some(Authorization {
        access_key,
        date,
        region,
        service,
        signed_headers: signed?.split(';').collect(),
        signature: signature?,
    })
}

/// Whether `Authorization` is a well-formed SigV4 header (what is required without credentials).
pub fn is_signed(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(parse)
        .is_some()
}

/// AWS's answer to an IAM-signed operation that carries no signature.
pub fn missing_token() -> Fault {
    fault(
        ErrorKind::Other("MissingAuthenticationTokenException".into()),
        "Missing Authentication Token",
    )
}

/// Recomputes the signature of a request with the configured secret of its access key.
pub fn verify(
    credentials: &[Credentials],
    request: &SignedRequest<'_>,
    now: i64,
) -> Result<(), Fault> {
    let SignedRequest {
        method,
        uri,
        headers,
        body,
    } = *request;
    let header = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let auth = parse(header).ok_or_else(missing_token)?;
    let secret = credentials
        .iter()
        .find(|c| c.access_key_id == auth.access_key)
        .map(|c| c.secret_access_key.as_str())
        .ok_or_else(|| {
            fault(
                ErrorKind::Other("UnrecognizedClientException".into()),
                "The security token included in the request is invalid.",
            )
        })?;
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let signed_at = chrono::NaiveDateTime::parse_from_str(amz_date, "%Y%m%dT%H%M%SZ")
        .map_err(|_| invalid_signature("X-Amz-Date is missing or malformed."))?
        .and_utc()
        .timestamp();
    if (signed_at - now).abs() > MAX_SKEW_SECS || !amz_date.starts_with(auth.date) {
        return Err(invalid_signature(
            "Signature expired: the request time is too far from the server's time.",
        ));
    }
    // What names the operation and when must be signed, or a captured signature could be
    // replayed as another operation.
    for required in ["host", "x-amz-date", "x-amz-target"] {
        if !auth.signed_headers.contains(&required) {
            return Err(invalid_signature(&format!(
                "The header {required} must be signed."
            )));
        }
    }
    let mut canonical_headers = String::new();
    for name in &auth.signed_headers {
        let mut values = Vec::new();
        for value in headers.get_all(*name) {
            let text = value
                .to_str()
                .map_err(|_| invalid_signature("A signed header is not valid text."))?;
            values.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        canonical_headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let mut query: Vec<&str> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .collect();
    query.sort_unstable();
    // The body as received is what is signed: a claimed hash (or `UNSIGNED-PAYLOAD`) that
    // differs is refused, so a signed request cannot carry another body.
    let payload_hash = hex(&Sha256::digest(body));
    if let Some(claimed) = headers.get("x-amz-content-sha256") {
        if claimed.as_bytes() != payload_hash.as_bytes() {
            return Err(invalid_signature(
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            ));
        }
    }
    let canonical_request = format!(
        "{method}\n{path}\n{query}\n{canonical_headers}\n{signed}\n{payload_hash}",
        path = if uri.path().is_empty() {
            "/"
        } else {
            uri.path()
        },
        query = query.join("&"),
        signed = auth.signed_headers.join(";"),
    );
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), auth.date.as_bytes());
    for part in [auth.region, auth.service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let expected = hex(&hmac(&key, string_to_sign.as_bytes()));
    if !crate::pool::constant_time_eq(&expected, auth.signature) {
        return Err(invalid_signature("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."));
    }
    Ok(())
}
