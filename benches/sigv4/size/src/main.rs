//! A tiny no_std image whose only job is to link the SigV4 signer, so `llvm-size` can report the
//! flash it takes on a Cortex-M4F at opt-level "s". One feature selects the variant; the
//! difference to the `baseline` image is the signer's share. See `measure.sh`.
#![no_std]
#![no_main]

use core::hint::black_box;
use core::panic::PanicInfo;

#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    loop {}
}

#[cfg(feature = "crypto")]
fn run() {
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::{Digest, Sha256};
    let h: [u8; 32] = Sha256::digest(black_box(b"canonical request")).into();
    let mut m =
        <Hmac<Sha256> as KeyInit>::new_from_slice(black_box(&h)).unwrap_or_else(|_| loop {});
    m.update(black_box(b"string to sign"));
    black_box(m.finalize().into_bytes());
}

/// Calls `f` with the signing parameters every signing variant uses (standard settings, kept
/// opaque to the optimizer).
#[cfg(any(
    feature = "canonical",
    feature = "sign",
    feature = "all",
    feature = "sigv4a"
))]
fn with_params(f: impl FnOnce(&aws_session_core::sigv4::SigningParams<'_>)) {
    use aws_session_core::secret::SecretKey;
    use aws_session_core::sigv4::*;
    use aws_session_core::text::Field;
    use aws_session_core::time::UnixTime;

    let Ok(secret) = SecretKey::new(
        black_box("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        Field::SecretAccessKey,
    ) else {
        return;
    };
    f(&SigningParams {
        credentials: SigningCredentials {
            access_key_id: black_box("AKIDEXAMPLE"),
            secret: &secret,
            session_token: None,
        },
        region: black_box("us-east-1"),
        service: black_box("sts"),
        time: UnixTime::from_secs(black_box(1_440_938_160)),
        settings: black_box(SigningSettings::standard()),
    });
}

#[cfg(feature = "canonical")]
fn run() {
    use aws_session_core::sigv4::*;

    // The `sign` variant's request in canonical form: headers sorted, query `key=value`.
    let headers = [
        ("accept", "application/xml"),
        (black_box("host"), black_box("sts.us-east-1.amazonaws.com")),
    ];
    let parts = CanonicalParts::new(
        black_box("GET"),
        black_box("/"),
        black_box("Action=x"),
        &headers,
        SignableBody::Bytes(black_box(b"")),
    );
    with_params(|params| {
        let mut out = SigningOutput::new();
        if let Ok(ins) = sign_canonical(&parts, params, &mut out) {
            for h in ins.headers() {
                black_box(h);
            }
        }
    });
}

#[cfg(any(feature = "sign", feature = "all", feature = "sigv4a"))]
fn run() {
    use aws_session_core::sigv4::*;

    let headers = [
        (black_box("host"), black_box("sts.us-east-1.amazonaws.com")),
        ("accept", "application/xml"),
    ];
    let req = SignableRequest::new(
        black_box("GET"),
        black_box("/"),
        black_box("Action=x"),
        &headers,
        SignableBody::Bytes(black_box(b"")),
    );
    with_params(|params| {
        let mut out = SigningOutput::new();

        #[cfg(feature = "sign")]
        if let Ok(ins) = sign(&req, params, &mut out) {
            for h in ins.headers() {
                black_box(h);
            }
        }

        #[cfg(feature = "sigv4a")]
        {
            let v4a = SigningParams {
                region: black_box("*"),
                settings: black_box(SigningSettings::standard().sigv4a()),
                ..*params
            };
            if let Ok(ins) = sign(&req, &v4a, &mut out) {
                for h in ins.headers() {
                    black_box(h);
                }
            }
        }

        #[cfg(feature = "all")]
        {
            let mut signer: Signer = Signer::new();
            let presigned = SigningParams {
                settings: SigningSettings::s3().presigned(black_box(900)),
                ..*params
            };
            if let Ok(ins) = signer.sign(&req, &presigned, &mut out) {
                let mut url = aws_session_core::text::Text::<512>::new();
                black_box(ins.write_url(&mut url, "https://h/k").is_ok());
            }
            let streaming = SignableRequest {
                body: SignableBody::StreamingSignedWithTrailer,
                ..req
            };
            if let Ok(seed) = signer.sign(&streaming, params, &mut out) {
                for h in seed.headers() {
                    black_box(h);
                }
                if let Ok(chunks) = signer.chunk_signer(params, &seed) {
                    let mut enc = AwsChunkedEncoder::signed(chunks, true);
                    let mut sink = [0u8; 256];
                    let mut w: &mut [u8] = &mut sink;
                    black_box(enc.write_chunk(&mut w, black_box(b"data")).is_ok());
                    black_box(
                        enc.finish(&mut w, &[("x-amz-checksum-crc32", black_box("AAAAAA=="))])
                            .is_ok(),
                    );
                }
            }
        }
    });
}

#[cfg(not(any(
    feature = "crypto",
    feature = "canonical",
    feature = "sign",
    feature = "all",
    feature = "sigv4a"
)))]
fn run() {}

/// The entry point the linker keeps; everything `run` reaches is linked, nothing else.
#[no_mangle]
pub extern "C" fn _start() -> ! {
    run();
    loop {
        black_box(());
    }
}
