//! A tiny no_std image whose only job is to link the endpoint resolver with a choice of tables,
//! so `llvm-size` can report the flash they take on a Cortex-M4F at opt-level "s". One feature
//! selects the variant; the difference to the `baseline` image is the resolver's share. See
//! `measure.sh`.
#![no_std]
#![no_main]

use core::hint::black_box;
use core::panic::PanicInfo;

#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    loop {}
}

#[cfg(any(feature = "one", feature = "session", feature = "full"))]
fn run() {
    use aws_session_core::endpoint::*;

    let params = EndpointParams {
        service: black_box("sts"),
        region: Some(black_box("eu-west-1")),
        use_fips: black_box(false),
        use_dualstack: black_box(false),
        sts_legacy_global: black_box(true),
        ..EndpointParams::default()
    };
    #[cfg(feature = "one")]
    let resolved = {
        static ONE: Model = Model::of(&[&model::STS]);
        resolve_in(&ONE, &params)
    };
    #[cfg(not(feature = "one"))]
    let resolved = resolve(&params);
    if let Ok(ep) = resolved {
        black_box((
            ep.url(),
            ep.signing_region(),
            ep.signing_name(),
            ep.partition(),
        ));
    }
}

#[cfg(not(any(feature = "one", feature = "session", feature = "full")))]
fn run() {}

/// The entry point the linker keeps; everything `run` reaches is linked, nothing else.
#[no_mangle]
pub extern "C" fn _start() -> ! {
    run();
    loop {
        black_box(());
    }
}
