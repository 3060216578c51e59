//! SHA-256 in the `digest` 0.10 traits, computed by `aws-session-core`'s SHA-256.
//!
//! The TLS engine (its transcript and key schedule), the device key's RFC 6979 nonces and the
//! certificate checks all want a `digest` 0.10 hash, and the signer has its own SHA-256 on `sha2`
//! 0.11. This type puts the crates on one: a device image then links one SHA-256 compression
//! function instead of two.

use sha2::digest::consts::{U32, U64};
use sha2::digest::core_api::BlockSizeUser;
use sha2::digest::{
    FixedOutput, FixedOutputReset, HashMarker, Output, OutputSizeUser, Reset, Update,
};

use aws_session_core::sigv4::Sha256State;

/// SHA-256 for `digest` 0.10 users (`embedded-tls`' cipher suite hash, `hmac` 0.12, `ecdsa` 0.16
/// RFC 6979 signing), backed by [`Sha256State`]. The state is wiped on drop.
#[derive(Clone, Default, Debug)]
pub struct Sha256(Sha256State);

impl HashMarker for Sha256 {}

impl OutputSizeUser for Sha256 {
    type OutputSize = U32;
}

impl BlockSizeUser for Sha256 {
    type BlockSize = U64;
}

impl Update for Sha256 {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
}

impl FixedOutput for Sha256 {
    fn finalize_into(mut self, out: &mut Output<Self>) {
        out.copy_from_slice(&self.0.finish_reset());
    }
}

impl FixedOutputReset for Sha256 {
    fn finalize_into_reset(&mut self, out: &mut Output<Self>) {
        out.copy_from_slice(&self.0.finish_reset());
    }
}

impl Reset for Sha256 {
    fn reset(&mut self) {
        self.0 = Sha256State::new();
    }
}

#[cfg(test)]
mod tests {
    use super::Sha256;
    use sha2::Digest;

    /// The same digests as `sha2` 0.10's own SHA-256, whole and in pieces, and through HMAC.
    #[test]
    fn agrees_with_sha2_whole_in_pieces_and_in_hmac() {
        let data: std::vec::Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in [0, 1, 55, 56, 63, 64, 65, 127, 128, 1000] {
            let msg = &data[..len];
            assert_eq!(
                Sha256::digest(msg),
                sha2::Sha256::digest(msg),
                "length {len}"
            );
            let mut pieces = Sha256::new();
            for chunk in msg.chunks(13) {
                pieces.update(chunk);
            }
            assert_eq!(pieces.finalize(), sha2::Sha256::digest(msg), "length {len}");
        }
        let mut reused = Sha256::new();
        reused.update(b"abc");
        let first = reused.finalize_reset();
        reused.update(b"abc");
        assert_eq!(reused.finalize(), first);
    }
}
