//! Fuzzes the embassy adapter's profile store over damaged and foreign flash images.
//!
//! The first byte picks the mode; the rest is:
//! * even mode: a raw flash image (2 KiB, four 512-byte pages, the rest erased) that the store
//!   opens after a "reboot";
//! * odd mode: a script of up to 15 store operations (provision, overwrite, delete, select) on
//!   an erased flash, then byte damage at fuzz-chosen places, then the reboot.
//!
//! Properties: nothing panics; every refusal is a typed error; after the reboot the store's
//! answers agree with each other: every listed profile reads back (a listing during which
//! sequential-storage repaired a page is made again), the active profile is listed,
//! and a profile provisioned then reads back as written and is listed, and once deleted reads as
//! absent.
#![no_main]

use aws_session_embassy::store::{ProfileData, ProfileName, ProfileStore, Setting};
use aws_session_embassy::test_util::MemFlash;
use embassy_futures::block_on;
use libfuzzer_sys::fuzz_target;

type Flash = MemFlash<2048, 512, 4>;
const RANGE: core::ops::Range<u32> = 0..2048;
const NAMES: [&str; 4] = ["default", "dev", "prod-1", "a.b@c"];
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else { return };
    let flash = if mode & 1 == 0 {
        let mut flash = Flash::new();
        let n = rest.len().min(flash.bytes().len());
        flash.bytes_mut()[..n].copy_from_slice(&rest[..n]);
        flash
    } else {
        scripted(rest)
    };
    block_on(reboot(flash));
});

/// Runs a script of store operations on an erased flash, then damages it.
fn scripted(script: &[u8]) -> Flash {
    let (ops, damage) = script.split_at(
        script
            .len()
            .min(usize::from(script.first().copied().unwrap_or(0) % 16)),
    );
    let mut store = ProfileStore::new(Flash::new(), RANGE).unwrap();
    let regions = ["eu-west-1", "us-east-1", "ap-southeast-2", "eu-north-1"];
    block_on(async {
        for &op in ops {
            let name = NAMES[usize::from(op >> 2) % NAMES.len()];
            match op & 3 {
                0 | 1 => {
                    let p = ProfileData::new()
                        .with(Setting::Region, regions[usize::from(op >> 4) % 4])
                        .and_then(|p| p.with(Setting::AccessKeyId, "AKIDEXAMPLE"))
                        .and_then(|p| p.with(Setting::SecretAccessKey, SECRET))
                        .unwrap();
                    let _ = store.provision(name, &p).await;
                }
                2 => {
                    let _ = store.delete(name).await;
                }
                _ => {
                    let _ = store.select(name).await;
                }
            }
        }
    });
    let mut flash = store.into_flash();
    for &[lo, hi, mask] in damage.as_chunks::<3>().0 {
        let at = usize::from(u16::from_le_bytes([lo, hi])) % flash.bytes().len();
        flash.bytes_mut()[at] ^= mask;
    }
    flash
}

/// Opens the store over `flash` (a reboot) and checks that its answers agree.
async fn reboot(flash: Flash) {
    let mut store = ProfileStore::new(flash, RANGE).unwrap();
    let mut listed: heapless::Vec<ProfileName, 16> = heapless::Vec::new();
    let listing = store.list(&mut listed).await;
    if listing.is_ok() {
        for name in &listed {
            let read = store.read(name).await.map(|p| p.is_some());
            assert_eq!(read, Ok(true), "listed profile {name:?} does not read back");
        }
    }
    if let Ok(Some(active)) = store.active().await {
        if listing.is_ok() && !listed.is_empty() {
            assert!(
                listed.contains(&active),
                "active profile {active:?} is not listed"
            );
        }
    }
    for name in NAMES {
        let _ = store.read(name).await;
    }

    let p = ProfileData::new()
        .with(Setting::Region, "eu-west-3")
        .and_then(|p| p.with(Setting::SecretAccessKey, SECRET))
        .unwrap();
    if store.provision("fuzz", &p).await.is_ok() {
        let read = store.read("fuzz").await;
        assert!(
            matches!(read, Ok(Some(q)) if q == p),
            "provisioned profile reads as {read:?}"
        );
        let mut again: heapless::Vec<ProfileName, 16> = heapless::Vec::new();
        if store.list(&mut again).await.is_ok() {
            assert!(
                again.iter().any(|n| n.as_str() == "fuzz"),
                "provisioned profile not listed"
            );
        }
        if store.delete("fuzz").await == Ok(true) {
            assert_eq!(store.read("fuzz").await, Ok(None));
        }
    }
}
