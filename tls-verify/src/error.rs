//! The verifier's errors: one small `Copy` enum per operation.

use core::fmt;

/// Why [`Verifier::verify_server`](crate::Verifier::verify_server) refused a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CertError {
    /// The server sent no certificate.
    EmptyChain,
    /// The server sent more than [`MAX_CHAIN_CERTS`](crate::MAX_CHAIN_CERTS) certificates, or the
    /// path it needs is deeper than path building allows.
    ChainTooLong,
    /// Path building gave up: too many candidate issuers or signature checks (a chain built to
    /// exhaust the device).
    TooComplex,
    /// A certificate is not well-formed DER X.509 v3 (truncated, garbled, trailing bytes, a bad
    /// time, a malformed extension).
    BadDer,
    /// The host name to check is not a valid DNS name or IP address.
    BadHostName,
    /// A certificate used as an issuer is not a CA (no basicConstraints `cA`): the forged
    /// certificate case, a leaf signed by another leaf.
    NotACa,
    /// The server's own certificate is a CA certificate.
    CaAsLeaf,
    /// A CA's pathLenConstraint is exceeded.
    PathLenExceeded,
    /// No path leads to a trust anchor.
    UnknownAnchor,
    /// A signature on the path does not verify (or its algorithm does not match the issuer's key).
    BadSignature,
    /// A certificate is signed with an algorithm this verifier does not implement.
    UnsupportedAlgorithm,
    /// A certificate on the path has expired.
    Expired,
    /// A certificate on the path is not valid yet.
    NotYetValid,
    /// The device's clock is not set and the policy is to refuse
    /// ([`ClockPolicy::Refuse`](crate::ClockPolicy::Refuse)).
    ClockNotSet,
    /// The leaf does not name the host in any subject alternative name.
    WrongHost,
    /// A certificate's extendedKeyUsage does not allow TLS server authentication.
    WrongUsage,
    /// A certificate violates its issuer's name constraints.
    NameConstraints,
    /// A certificate carries a critical extension this verifier does not know.
    UnknownCriticalExtension,
    /// The leaf's public key is larger than [`MAX_SPKI_LEN`](crate::MAX_SPKI_LEN).
    KeyTooLarge,
    /// Another certificate problem.
    Other,
}

impl From<webpki::Error> for CertError {
    fn from(e: webpki::Error) -> Self {
        use webpki::Error as E;
        #[allow(deprecated)]
        match e {
            E::BadDer
            | E::BadDerTime
            | E::TrailingData(_)
            | E::UnsupportedCertVersion
            | E::MalformedExtensions
            | E::ExtensionValueInvalid
            | E::InvalidCertValidity
            | E::InvalidSerialNumber
            | E::MalformedNameConstraint
            | E::InvalidNetworkMaskConstraint => CertError::BadDer,
            E::CaUsedAsEndEntity => CertError::CaAsLeaf,
            E::EndEntityUsedAsCa => CertError::NotACa,
            E::CertExpired { .. } => CertError::Expired,
            E::CertNotValidYet { .. } => CertError::NotYetValid,
            E::CertNotValidForName(_) => CertError::WrongHost,
            E::MalformedDnsIdentifier | E::UnsupportedNameType => CertError::BadHostName,
            E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => {
                CertError::WrongUsage
            }
            E::PathLenConstraintViolated => CertError::PathLenExceeded,
            E::UnknownIssuer | E::CertDistrusted => CertError::UnknownAnchor,
            E::InvalidSignatureForPublicKey | E::SignatureAlgorithmMismatch => {
                CertError::BadSignature
            }
            E::UnsupportedSignatureAlgorithm
            | E::UnsupportedSignatureAlgorithmContext(_)
            | E::UnsupportedSignatureAlgorithmForPublicKey
            | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
                CertError::UnsupportedAlgorithm
            }
            E::MaximumPathDepthExceeded => CertError::ChainTooLong,
            E::MaximumPathBuildCallsExceeded
            | E::MaximumSignatureChecksExceeded
            | E::MaximumNameConstraintComparisonsExceeded => CertError::TooComplex,
            E::NameConstraintViolation => CertError::NameConstraints,
            E::UnsupportedCriticalExtension => CertError::UnknownCriticalExtension,
            _ => CertError::Other,
        }
    }
}

impl fmt::Display for CertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CertError::EmptyChain => "the server sent no certificate",
            CertError::ChainTooLong => "the server's certificate chain is too long",
            CertError::TooComplex => "the certificate chain is too complex to build a path through",
            CertError::BadDer => "a certificate is not well-formed DER",
            CertError::BadHostName => "the host name is not a valid DNS name or IP address",
            CertError::NotACa => "a certificate that is not a CA signed another certificate",
            CertError::CaAsLeaf => "the server's certificate is a CA certificate",
            CertError::PathLenExceeded => "a CA's path length constraint is exceeded",
            CertError::UnknownAnchor => "the chain leads to no trusted root",
            CertError::BadSignature => "a certificate signature does not verify",
            CertError::UnsupportedAlgorithm => {
                "a certificate uses an unsupported signature algorithm"
            }
            CertError::Expired => "a certificate has expired",
            CertError::NotYetValid => "a certificate is not valid yet",
            CertError::ClockNotSet => {
                "the clock is not set, so certificate dates cannot be checked"
            }
            CertError::WrongHost => "the certificate does not name the host",
            CertError::WrongUsage => "a certificate is not for TLS server authentication",
            CertError::NameConstraints => "a certificate violates its issuer's name constraints",
            CertError::UnknownCriticalExtension => {
                "a certificate has an unknown critical extension"
            }
            CertError::KeyTooLarge => "the server's public key is too large",
            CertError::Other => "the certificate chain is not acceptable",
        })
    }
}

impl core::error::Error for CertError {}

/// Why [`ServerKey::verify_tls13`](crate::ServerKey::verify_tls13) refused a handshake signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SignatureError {
    /// The signature scheme is not one this verifier implements for TLS 1.3.
    UnsupportedScheme,
    /// The scheme does not fit the server's key (an ECDSA scheme for an RSA key, another curve).
    KeyMismatch,
    /// The signature does not verify.
    BadSignature,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureError::UnsupportedScheme => "unsupported handshake signature scheme",
            SignatureError::KeyMismatch => "the handshake signature scheme does not fit the key",
            SignatureError::BadSignature => "the handshake signature does not verify",
        })
    }
}

impl core::error::Error for SignatureError {}
