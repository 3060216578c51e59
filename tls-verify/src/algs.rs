//! The signature algorithms handed to webpki, from RustCrypto crates (and [`crate::rsa`]).

use pki_types::{alg_id, AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm};
use sha2::Digest;

/// A hash function of a signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    #[cfg_attr(not(feature = "rsa"), allow(dead_code))]
    Sha512,
}

impl Hash {
    /// Output length in bytes.
    #[cfg_attr(not(feature = "rsa"), allow(dead_code))]
    pub(crate) const fn len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }

    /// The hash of the concatenated `parts`, in the first [`Hash::len`] bytes.
    pub(crate) fn digest(self, parts: &[&[u8]]) -> [u8; 64] {
        fn run<D: Digest>(parts: &[&[u8]], out: &mut [u8; 64]) {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            let h = d.finalize();
            for (o, b) in out.iter_mut().zip(h.iter()) {
                *o = *b;
            }
        }
        let mut out = [0u8; 64];
        match self {
            Hash::Sha256 => run::<crate::sha256::Sha256>(parts, &mut out),
            Hash::Sha384 => run::<sha2::Sha384>(parts, &mut out),
            Hash::Sha512 => run::<sha2::Sha512>(parts, &mut out),
        }
        out
    }
}

/// ECDSA over P-256 or P-384 with one hash, as certificates and TLS 1.3 use it.
#[derive(Debug)]
struct Ecdsa {
    p384: bool,
    hash: Hash,
    key_id: AlgorithmIdentifier,
    sig_id: AlgorithmIdentifier,
}

impl SignatureVerificationAlgorithm for Ecdsa {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        let digest = self.hash.digest(&[message]);
        let digest = digest.get(..self.hash.len()).ok_or(InvalidSignature)?;
        if !self.p384 {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                .map_err(|_| InvalidSignature)?;
            let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
            return key
                .verify_prehash(digest, &sig)
                .map_err(|_| InvalidSignature);
        }
        #[cfg(feature = "p384")]
        {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                .map_err(|_| InvalidSignature)?;
            let sig = p384::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
            key.verify_prehash(digest, &sig)
                .map_err(|_| InvalidSignature)
        }
        #[cfg(not(feature = "p384"))]
        Err(InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.key_id
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.sig_id
    }
}

static ECDSA_P256_SHA256: Ecdsa = Ecdsa {
    p384: false,
    hash: Hash::Sha256,
    key_id: alg_id::ECDSA_P256,
    sig_id: alg_id::ECDSA_SHA256,
};
static ECDSA_P256_SHA384: Ecdsa = Ecdsa {
    p384: false,
    hash: Hash::Sha384,
    key_id: alg_id::ECDSA_P256,
    sig_id: alg_id::ECDSA_SHA384,
};
#[cfg(feature = "p384")]
static ECDSA_P384_SHA256: Ecdsa = Ecdsa {
    p384: true,
    hash: Hash::Sha256,
    key_id: alg_id::ECDSA_P384,
    sig_id: alg_id::ECDSA_SHA256,
};
#[cfg(feature = "p384")]
static ECDSA_P384_SHA384: Ecdsa = Ecdsa {
    p384: true,
    hash: Hash::Sha384,
    key_id: alg_id::ECDSA_P384,
    sig_id: alg_id::ECDSA_SHA384,
};

/// RSA signatures (PKCS#1 v1.5 or PSS with salt length = hash length, MGF1 with the same hash)
/// by an `rsaEncryption` key of 2048–4096 bits.
#[cfg(feature = "rsa")]
#[derive(Debug)]
struct Rsa {
    pss: bool,
    hash: Hash,
    sig_id: AlgorithmIdentifier,
}

#[cfg(feature = "rsa")]
impl SignatureVerificationAlgorithm for Rsa {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        crate::rsa::verify(public_key, self.pss, self.hash, message, signature)
            .map_err(|()| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.sig_id
    }
}

#[cfg(feature = "rsa")]
macro_rules! rsa_alg {
    ($name:ident, $pss:expr, $hash:ident, $id:ident) => {
        static $name: Rsa = Rsa {
            pss: $pss,
            hash: Hash::$hash,
            sig_id: alg_id::$id,
        };
    };
}
#[cfg(feature = "rsa")]
rsa_alg!(RSA_PKCS1_SHA256, false, Sha256, RSA_PKCS1_SHA256);
#[cfg(feature = "rsa")]
rsa_alg!(RSA_PKCS1_SHA384, false, Sha384, RSA_PKCS1_SHA384);
#[cfg(feature = "rsa")]
rsa_alg!(RSA_PKCS1_SHA512, false, Sha512, RSA_PKCS1_SHA512);
#[cfg(feature = "rsa")]
rsa_alg!(RSA_PSS_SHA256, true, Sha256, RSA_PSS_SHA256);
#[cfg(feature = "rsa")]
rsa_alg!(RSA_PSS_SHA384, true, Sha384, RSA_PSS_SHA384);
#[cfg(feature = "rsa")]
rsa_alg!(RSA_PSS_SHA512, true, Sha512, RSA_PSS_SHA512);

/// Every algorithm the verifier accepts on certificates (those its features enable).
pub static ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = &[
    &ECDSA_P256_SHA256,
    &ECDSA_P256_SHA384,
    #[cfg(feature = "p384")]
    &ECDSA_P384_SHA256,
    #[cfg(feature = "p384")]
    &ECDSA_P384_SHA384,
    #[cfg(feature = "rsa")]
    &RSA_PKCS1_SHA256,
    #[cfg(feature = "rsa")]
    &RSA_PKCS1_SHA384,
    #[cfg(feature = "rsa")]
    &RSA_PKCS1_SHA512,
    #[cfg(feature = "rsa")]
    &RSA_PSS_SHA256,
    #[cfg(feature = "rsa")]
    &RSA_PSS_SHA384,
    #[cfg(feature = "rsa")]
    &RSA_PSS_SHA512,
];

/// The algorithm of a TLS 1.3 CertificateVerify `SignatureScheme` (RFC 8446 §4.2.3).
pub(crate) fn tls13_scheme(scheme: u16) -> Option<&'static dyn SignatureVerificationAlgorithm> {
    Some(match scheme {
        0x0403 => &ECDSA_P256_SHA256,
        #[cfg(feature = "p384")]
        0x0503 => &ECDSA_P384_SHA384,
        #[cfg(feature = "rsa")]
        0x0804 => &RSA_PSS_SHA256,
        #[cfg(feature = "rsa")]
        0x0805 => &RSA_PSS_SHA384,
        #[cfg(feature = "rsa")]
        0x0806 => &RSA_PSS_SHA512,
        _ => return None,
    })
}
