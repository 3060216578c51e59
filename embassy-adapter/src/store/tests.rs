//! Host tests of the profile store, including a power cut at every flash operation.

use super::*;
use crate::test_util::MemFlash;
use aws_session_core::config::Source;
use aws_session_core::credentials::CredentialPlan;
use aws_session_core::session::Session;
use embassy_futures::block_on;
use std::boxed::Box;
use std::format;
use std::string::ToString;
use std::vec::Vec;

/// Four 4 KiB sectors: room for every record size.
type Flash = MemFlash<16384, 4096, 4>;
/// Four 512-byte sectors: small records only, so that pages are reclaimed within a few writes.
type SmallFlash = MemFlash<2048, 512, 4>;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn store() -> ProfileStore<Flash> {
    ProfileStore::new(Flash::new(), 0..16384).unwrap()
}

fn profile(region: &'static str) -> ProfileData<'static> {
    ProfileData::new()
        .with(Setting::Region, region)
        .and_then(|p| p.with(Setting::AccessKeyId, "AKIDEXAMPLE"))
        .and_then(|p| p.with(Setting::SecretAccessKey, SECRET))
        .unwrap()
}

fn names<const N: usize>(v: &heapless::Vec<ProfileName, N>) -> Vec<&str> {
    v.iter().map(|n| n.as_str()).collect()
}

#[test]
fn provision_read_overwrite_list_delete_select() {
    block_on(async {
        let mut s = store();
        assert_eq!(s.read("dev").await.unwrap(), None);
        s.provision("dev", &profile("eu-west-1")).await.unwrap();
        s.provision("prod", &profile("us-east-1")).await.unwrap();
        s.provision("dev", &profile("eu-north-1")).await.unwrap();
        let dev = s.read("dev").await.unwrap().unwrap();
        assert_eq!(dev.get(Setting::Region), Some("eu-north-1"));
        assert_eq!(dev.expose(Setting::SecretAccessKey), Some(SECRET));

        let mut list: heapless::Vec<ProfileName, 4> = heapless::Vec::new();
        assert_eq!(s.list(&mut list).await.unwrap(), ListReport { corrupt: 0 });
        assert_eq!(names(&list), ["dev", "prod"]);

        assert_eq!(s.active().await.unwrap(), None);
        assert_eq!(s.select("nope").await, Err(StoreError::NotFound));
        s.select("prod").await.unwrap();
        assert_eq!(s.active().await.unwrap().as_deref(), Some("prod"));

        assert!(s.delete("prod").await.unwrap());
        assert!(!s.delete("prod").await.unwrap());
        assert_eq!(s.read("prod").await.unwrap(), None);
        assert_eq!(
            s.active().await.unwrap(),
            None,
            "deleting the active profile unselects it"
        );
        s.list(&mut list).await.unwrap();
        assert_eq!(names(&list), ["dev"]);

        // the same flash, "rebooted"
        let flash = s.into_flash();
        let mut s = ProfileStore::new(flash, 0..16384).unwrap();
        assert_eq!(
            s.read("dev").await.unwrap().unwrap().get(Setting::Region),
            Some("eu-north-1")
        );
    });
}

#[test]
fn invalid_names_and_ranges_are_refused() {
    block_on(async {
        let mut s = store();
        for bad in [
            "",
            "has space",
            "[x]",
            &"n".repeat(MAX_PROFILE_NAME_LEN + 1),
        ] {
            assert_eq!(
                s.provision(bad, &profile("r")).await,
                Err(StoreError::InvalidName),
                "{bad:?}"
            );
        }
        assert_eq!(
            s.read("").await,
            Err(ReadError::Store(StoreError::InvalidName))
        );
        assert!(matches!(
            ProfileStore::new(Flash::new(), 0..4096),
            Err(StoreError::BadRange)
        ));
        assert!(matches!(
            ProfileStore::new(Flash::new(), 100..8192),
            Err(StoreError::BadRange)
        ));
    });
}

#[test]
fn largest_record_fits_a_4k_page_and_list_capacity_is_typed() {
    block_on(async {
        let mut s = store();
        // A device builds core with its narrow limits (a 2 KiB session token); a host test
        // builds it wide (4 KiB tokens, which do not fit one 4 KiB page with the rest).
        let token = "T".repeat(aws_session_core::limits::MAX_SESSION_TOKEN_LEN.min(2048));
        let token: &'static str = Box::leak(token.into_boxed_str());
        let arn: &'static str = Box::leak(
            format!("arn:aws:iam::123456789012:role/{}", "r".repeat(200)).into_boxed_str(),
        );
        let big = profile("eu-west-1")
            .with(Setting::SessionToken, token)
            .and_then(|p| p.with(Setting::RoleArn, arn))
            .and_then(|p| p.with(Setting::EndpointUrl, "https://s3.eu-west-1.amazonaws.com"))
            .unwrap();
        s.provision("big", &big).await.unwrap();
        assert_eq!(
            s.read("big")
                .await
                .unwrap()
                .unwrap()
                .expose(Setting::SessionToken),
            Some(token)
        );
        s.provision("b", &profile("r")).await.unwrap();
        let mut one: heapless::Vec<ProfileName, 1> = heapless::Vec::new();
        assert_eq!(
            s.list(&mut one).await,
            Err(StoreError::TooManyProfiles { limit: 1 })
        );
    });
}

#[test]
fn corrupt_records_are_reported_and_skipped() {
    block_on(async {
        let mut s = store();
        s.provision("good", &profile("r")).await.unwrap();
        // A record that passes the storage CRC but is not a valid record.
        let key = StoreKey::Profile(ProfileName::try_from("bad").unwrap());
        let junk: &[u8] = b"{\"v\":9}";
        s.map.store_item(&mut s.buf.0, &key, &junk).await.unwrap();
        assert_eq!(s.read("bad").await, Err(ReadError::Corrupt));
        assert!(!s.contains("bad").await.unwrap());
        assert_eq!(s.select("bad").await, Err(StoreError::NotFound));
        let mut list: heapless::Vec<ProfileName, 4> = heapless::Vec::new();
        assert_eq!(s.list(&mut list).await.unwrap(), ListReport { corrupt: 1 });
        assert_eq!(names(&list), ["good"]);
        let mut out = FlashProfiles::<1024>::new();
        assert_eq!(
            s.load(Some("bad"), &mut out).await,
            Err(LoadError::Corrupt { hop: 0 })
        );
        // provisioning again repairs it
        s.provision("bad", &profile("r2")).await.unwrap();
        assert_eq!(
            s.read("bad").await.unwrap().unwrap().get(Setting::Region),
            Some("r2")
        );
    });
}

/// A key written as raw bytes, to put items in flash that the store itself never writes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RawKey(&'static [u8]);

impl sequential_storage::map::Key for RawKey {
    fn serialize_into(
        &self,
        buffer: &mut [u8],
    ) -> Result<usize, sequential_storage::map::SerializationError> {
        buffer[..self.0.len()].copy_from_slice(self.0);
        Ok(self.0.len())
    }

    fn deserialize_from(
        _buffer: &[u8],
    ) -> Result<(Self, usize), sequential_storage::map::SerializationError> {
        Ok((RawKey(&[]), 0))
    }
}

#[test]
fn an_item_shorter_than_its_key_is_refused_not_a_panic() {
    // sequential-storage 8.0.2 decodes a key from the whole record buffer: an item whose data
    // (`[6]`: a six-byte name, none of it there) follows "dev-1"'s item would be read with that
    // item's leftover bytes as its key and then sliced past its end (the fuzzer's panic).
    block_on(async {
        let mut s = store();
        s.provision("dev-1", &profile("eu-west-1")).await.unwrap();
        let range = s.map.flash_range();
        let config = MapConfig::try_new(range).unwrap();
        let mut raw: MapStorage<RawKey, _, Cache<Uncached, Uncached, Uncached, RawKey>> =
            MapStorage::new(s.map.flash(), config, Cache::new_uncached());
        let empty: &[u8] = &[];
        raw.store_item(&mut s.buf.0, &RawKey(&[6]), &empty)
            .await
            .unwrap();

        let mut s = ProfileStore::new(s.into_flash(), 0..16384).unwrap();
        let mut list: heapless::Vec<ProfileName, 4> = heapless::Vec::new();
        assert_eq!(s.list(&mut list).await, Err(StoreError::Corrupted));
        assert_eq!(
            s.read("dev-1").await,
            Err(ReadError::Store(StoreError::Corrupted))
        );
        assert_eq!(s.active().await, Err(StoreError::Corrupted));
        assert_eq!(
            s.provision("dev-1", &profile("r")).await,
            Err(StoreError::Corrupted)
        );
        assert_eq!(s.delete("dev-1").await, Err(StoreError::Corrupted));
    });
}

#[test]
fn items_a_write_brings_into_view_are_walked_before_the_read_back() {
    // The fuzzer's second find (fuzz/regressions/flash_store/crash-44c3…): crafted items the
    // first walk could not see (past an erased gap, or in a page counted as empty) come into
    // view when a write lands next to them; the read-back that follows then met one shorter
    // than its key (sequential-storage subtracted past zero in `fetch_item`). The store walks
    // again after every change to the flash.
    const INPUT: &[u8] = include_bytes!(
        "../../../fuzz/regressions/flash_store/crash-44c30d947815c6d774fae6993df1258e0460aa7b"
    );
    let image = &INPUT[1..]; // the fuzz input's first byte is its mode: a raw image
    block_on(async {
        let mut flash = SmallFlash::new();
        flash.bytes_mut()[..image.len()].copy_from_slice(image);
        let mut s = ProfileStore::new(flash, 0..2048).unwrap();
        let mut list: heapless::Vec<ProfileName, 4> = heapless::Vec::new();
        let _ = s.list(&mut list).await;
        for name in ["default", "dev", "prod-1", "a.b@c"] {
            let _ = s.read(name).await;
        }
        let p = profile("eu-west-3");
        if s.provision("fuzz", &p).await.is_ok() {
            assert_eq!(
                s.read("fuzz").await.unwrap().unwrap().get(Setting::Region),
                Some("eu-west-3")
            );
        }
    });
}

#[test]
fn a_damaged_newest_item_falls_back_to_the_previous_version() {
    block_on(async {
        let mut s = store();
        s.provision("dev", &profile("old-region")).await.unwrap();
        s.provision("dev", &profile("new-region")).await.unwrap();
        let mut flash = s.into_flash();
        // Flip bits inside the newest record's data: its CRC no longer matches.
        let bytes = flash.bytes_mut();
        let at = bytes.windows(10).rposition(|w| w == b"new-region").unwrap();
        bytes[at] &= 0x0F;
        let mut s = ProfileStore::new(flash, 0..16384).unwrap();
        assert_eq!(
            s.read("dev").await.unwrap().unwrap().get(Setting::Region),
            Some("old-region")
        );
    });
}

const CONFIG: &str = "\
[default]
region = us-west-2

[profile dev]
region = eu-west-1 # Ireland
endpoint_url = http://localhost:4566
sso_start_url = https://example.awsapps.com/start

[profile role]
role_arn = arn:aws:iam::123456789012:role/device
source_profile = dev
duration_seconds = 3600

[profile sso-only]
sso_session = corp

[sso-session corp]
sso_region = us-east-1
";

const CREDENTIALS: &str = "\
[dev]
aws_access_key_id = AKIDDEV
aws_secret_access_key = devsecret/with+slash

[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = defaultsecret
aws_session_token = token==
";

#[test]
fn import_merges_config_and_credentials_text() {
    block_on(async {
        let mut s = store();
        let report = s
            .import(Some(CONFIG), Some(CREDENTIALS), None)
            .await
            .unwrap();
        assert_eq!(
            report,
            ImportReport {
                imported: 3,
                skipped_profiles: 1,
                skipped_keys: 2
            }
        );
        let dev = s.read("dev").await.unwrap().unwrap();
        assert_eq!(dev.get(Setting::Region), Some("eu-west-1"));
        assert_eq!(dev.get(Setting::EndpointUrl), Some("http://localhost:4566"));
        assert_eq!(dev.get(Setting::AccessKeyId), Some("AKIDDEV"));
        assert_eq!(
            dev.expose(Setting::SecretAccessKey),
            Some("devsecret/with+slash")
        );
        let d = s.read("default").await.unwrap().unwrap();
        assert_eq!(d.expose(Setting::SessionToken), Some("token=="));
        assert_eq!(d.get(Setting::Region), Some("us-west-2"));
        assert_eq!(s.read("sso-only").await.unwrap(), None);

        let mut list: heapless::Vec<ProfileName, 8> = heapless::Vec::new();
        s.list(&mut list).await.unwrap();
        assert_eq!(names(&list), ["default", "dev", "role"]);
    });
}

#[test]
fn import_one_profile_and_its_errors() {
    block_on(async {
        let mut s = store();
        let r = s
            .import(Some(CONFIG), Some(CREDENTIALS), Some("dev"))
            .await
            .unwrap();
        assert_eq!(r.imported, 1);
        assert_eq!(
            s.import(Some(CONFIG), None, Some("ghost")).await,
            Err(ImportError::NotFound { profile: "ghost" })
        );
        let err = s
            .import(Some("[profile a]\nregion: x\n"), None, None)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ImportError::Parse { file: FileKind::Config, error } if error.line == 2),
            "{err:?}"
        );
        let err = s
            .import(None, Some("[a]\naws_secret_access_key = a\"b\n"), None)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ImportError::Value { profile: "a", .. }),
            "{err:?}"
        );
        let mut list: heapless::Vec<ProfileName, 8> = heapless::Vec::new();
        s.list(&mut list).await.unwrap();
        assert_eq!(names(&list), ["dev"], "failed imports stored nothing");
    });
}

use aws_session_core::config::FileKind;

#[test]
fn session_from_flash_reads_region_and_static_keys() {
    block_on(async {
        let mut s = store();
        s.import(Some(CONFIG), Some(CREDENTIALS), None)
            .await
            .unwrap();
        s.select("dev").await.unwrap();
        let mut profiles = FlashProfiles::<2048>::new();
        s.load(None, &mut profiles).await.unwrap();
        assert_eq!(profiles.profile(), "dev");
        let shown = format!("{profiles:?}");
        assert!(!shown.contains("devsecret"), "{shown}");

        let session = Session::new(&profiles.options(), &NoEnv, &profiles).unwrap();
        let config = session.config();
        let region = config.region.as_ref().unwrap();
        assert_eq!(region.value.as_str(), "eu-west-1");
        assert!(
            matches!(region.source, Source::File { line: 2, .. }),
            "{:?}",
            region.source
        );
        assert_eq!(
            config.provenance.display(region.source).to_string(),
            "file:flash:profiles:2"
        );
        let creds = session.credentials().static_credentials().unwrap();
        assert_eq!(creds.access_key_id.as_str(), "AKIDDEV");
        assert_eq!(creds.secret_access_key.expose(), "devsecret/with+slash");
    });
}

#[test]
fn role_profile_loads_its_source_chain() {
    block_on(async {
        let mut s = store();
        s.import(Some(CONFIG), Some(CREDENTIALS), None)
            .await
            .unwrap();
        let mut profiles = FlashProfiles::<2048>::new();
        s.load(Some("role"), &mut profiles).await.unwrap();
        let text = profiles.expose_text();
        assert!(text.starts_with("[profile role]\n"), "{text}");
        assert!(text.contains("[profile dev]\n"), "{text}");
        let session = Session::new(&profiles.options(), &NoEnv, &profiles).unwrap();
        match session.credentials() {
            CredentialPlan::Chain { hops, .. } => {
                assert_eq!(hops.len(), 1);
                assert_eq!(
                    hops.get(0).unwrap().role_arn,
                    "arn:aws:iam::123456789012:role/device"
                );
                assert_eq!(hops.get(0).unwrap().duration_secs, 3600);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            s.load(Some("ghost"), &mut profiles).await,
            Err(LoadError::NotFound)
        );
        assert_eq!(
            s.load(None, &mut profiles).await,
            Err(LoadError::NoActiveProfile)
        );
        let mut tiny = FlashProfiles::<32>::new();
        assert_eq!(
            s.load(Some("dev"), &mut tiny).await,
            Err(LoadError::TextFull { limit: 32 })
        );
    });
}

// ---- power cut at every flash operation ----------------------------------------------------

/// What the store holds: (dev region, prod region, active profile).
type State = (
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

#[derive(Clone, Copy, Debug)]
enum Op {
    Provision(&'static str, &'static str),
    Select(&'static str),
    Delete(&'static str),
}

/// A provision + overwrite sequence with selection and deletion, long enough that the 1 KiB
/// sectors fill and the store reclaims pages (moving live items) during it.
const OPS: &[Op] = &[
    Op::Provision("dev", "r0"),
    Op::Provision("dev", "r1"),
    Op::Provision("prod", "p0"),
    Op::Select("dev"),
    Op::Provision("dev", "r2"),
    Op::Provision("prod", "p1"),
    Op::Provision("dev", "r3"),
    Op::Select("prod"),
    Op::Provision("dev", "r4"),
    Op::Provision("dev", "r5"),
    Op::Provision("prod", "p2"),
    Op::Provision("dev", "r6"),
    Op::Delete("prod"),
    Op::Provision("dev", "r7"),
    Op::Provision("dev", "r8"),
    Op::Provision("prod", "p3"),
    Op::Provision("dev", "r9"),
    Op::Select("prod"),
    Op::Provision("dev", "r10"),
    Op::Provision("dev", "r11"),
];

fn apply(state: State, op: Op) -> State {
    let (dev, prod, active) = state;
    match op {
        Op::Provision("dev", r) => (Some(r), prod, active),
        Op::Provision(_, r) => (dev, Some(r), active),
        Op::Select(n) => (dev, prod, Some(n)),
        Op::Delete(_) => (
            dev,
            None,
            if active == Some("prod") { None } else { active },
        ),
    }
}

async fn run(s: &mut ProfileStore<SmallFlash>, op: Op) -> Result<(), StoreError> {
    match op {
        Op::Provision(name, region) => {
            let p = ProfileData::new()
                .with(Setting::Region, region)
                .and_then(|p| p.with(Setting::SecretAccessKey, SECRET))
                .and_then(|p| {
                    p.with(
                        Setting::EndpointUrl,
                        "https://vpce-0123456789abcdef.s3.eu-west-1.vpce.amazonaws.com",
                    )
                })
                .unwrap();
            s.provision(name, &p).await
        }
        Op::Select(name) => s.select(name).await,
        Op::Delete(name) => s.delete(name).await.map(|_| ()),
    }
}

async fn observe(
    s: &mut ProfileStore<SmallFlash>,
) -> (
    Option<std::string::String>,
    Option<std::string::String>,
    Option<std::string::String>,
) {
    // Listing first: the walk before the store's first use repairs what the cut left (a
    // half-erased page) as a lookup would.
    let mut list: heapless::Vec<ProfileName, 4> = heapless::Vec::new();
    s.list(&mut list)
        .await
        .expect("the first listing after a cut");
    let region = |p: Option<ProfileData<'_>>| p.map(|p| p.get(Setting::Region).unwrap().into());
    let dev = region(
        s.read("dev")
            .await
            .expect("dev must read back, never corrupt"),
    );
    let prod = region(
        s.read("prod")
            .await
            .expect("prod must read back, never corrupt"),
    );
    let active = s.active().await.unwrap().map(|n| n.as_str().into());
    let read: Vec<&str> = [("dev", &dev), ("prod", &prod)]
        .iter()
        .filter(|(_, r)| r.is_some())
        .map(|(n, _)| *n)
        .collect();
    let mut listed = names(&list);
    listed.sort_unstable();
    assert_eq!(listed, read, "the first listing names what reads back");
    (dev, prod, active)
}

fn owned(
    state: State,
) -> (
    Option<std::string::String>,
    Option<std::string::String>,
    Option<std::string::String>,
) {
    (
        state.0.map(Into::into),
        state.1.map(Into::into),
        state.2.map(Into::into),
    )
}

#[test]
fn power_cut_at_every_write_keeps_the_previous_or_the_new_version() {
    block_on(async {
        // Dry run: how many flash operations the whole sequence takes.
        let mut s = ProfileStore::new(SmallFlash::new(), 0..2048).unwrap();
        let mut states = std::vec![(None, None, None)];
        for op in OPS {
            run(&mut s, *op).await.unwrap();
            let next = apply(*states.last().unwrap(), *op);
            states.push(next);
        }
        let flash = s.into_flash();
        let (total, erases) = (flash.operations(), flash.erases());
        assert!(
            flash.erases() >= 4,
            "the sequence should reclaim pages; it erased {} times",
            flash.erases()
        );

        let mut cuts = 0;
        for n in 0..total {
            let mut flash = SmallFlash::new();
            flash.lose_power_at(n);
            let mut s = ProfileStore::new(flash, 0..2048).unwrap();
            let mut failed_at = None;
            for (i, op) in OPS.iter().enumerate() {
                if let Err(e) = run(&mut s, *op).await {
                    assert_eq!(
                        e,
                        StoreError::Flash(NorFlashErrorKind::Other),
                        "op {i} at cut {n}"
                    );
                    failed_at = Some(i);
                    break;
                }
            }
            let i = failed_at.unwrap_or_else(|| panic!("cut {n} did not interrupt anything"));
            let mut flash = s.into_flash();
            assert!(flash.power_lost());
            flash.restore_power();

            // Reboot: a new store over what the cut left.
            let mut s = ProfileStore::new(flash, 0..2048).unwrap();
            let seen = observe(&mut s).await;
            let before = owned(states[i]);
            let after = owned(states[i + 1]);
            assert!(
                seen == before || seen == after,
                "cut {n} during op {i} {:?}: saw {seen:?}, expected {before:?} or {after:?}",
                OPS[i]
            );

            // The store keeps working after the repair.
            run(&mut s, Op::Provision("dev", "again"))
                .await
                .unwrap_or_else(|e| panic!("cut {n}: store unusable after reboot: {e}"));
            assert_eq!(observe(&mut s).await.0.as_deref(), Some("again"));
            let mut list: heapless::Vec<ProfileName, 4> = heapless::Vec::new();
            assert_eq!(s.list(&mut list).await.unwrap().corrupt, 0, "cut {n}");
            cuts += 1;
        }
        assert_eq!(cuts, total);
        std::println!(
            "power cut tested at each of {cuts} flash operations ({erases} of them erases)"
        );
    });
}

/// `MAX_STORED_PROFILES` (docs/limits.md): an import of that many profiles is stored and listed;
/// one more in the files is `ImportError::TooManyProfiles` before anything is written, and one more
/// provisioned directly makes `list` report `StoreError::TooManyProfiles`.
#[test]
fn stored_profiles_limit_holds_its_maximum_and_refuses_one_more() {
    block_on(async {
        let config = |n: usize| {
            (0..n)
                .map(|i| format!("[profile p{i}]\nregion = eu-west-1\n"))
                .collect::<std::string::String>()
        };
        let mut s = store();
        let over = config(MAX_STORED_PROFILES + 1);
        assert_eq!(
            s.import(Some(&over), None, None).await,
            Err(ImportError::TooManyProfiles {
                limit: MAX_STORED_PROFILES
            })
        );
        let mut list: heapless::Vec<ProfileName, { MAX_STORED_PROFILES + 1 }> =
            heapless::Vec::new();
        s.list(&mut list).await.unwrap();
        assert!(list.is_empty(), "a refused import writes nothing");

        let full = config(MAX_STORED_PROFILES);
        let report = s.import(Some(&full), None, None).await.unwrap();
        assert_eq!(usize::from(report.imported), MAX_STORED_PROFILES);
        s.list(&mut list).await.unwrap();
        assert_eq!(list.len(), MAX_STORED_PROFILES);

        s.provision("one-more", &profile("r")).await.unwrap();
        assert_eq!(
            s.list(&mut list).await,
            Err(StoreError::TooManyProfiles {
                limit: MAX_STORED_PROFILES
            })
        );
    });
}

/// `MAX_PROFILE_RECORD_LEN` (docs/limits.md): a record of exactly that many bytes is stored on a
/// 4 KiB page; one byte more is `StoreError::Encode` naming the limit. Only a wide core build (the
/// host's) lets one value be long enough; a narrow build's largest record is far below the limit.
#[test]
fn record_limit_holds_its_maximum_and_refuses_one_more() {
    block_on(async {
        let mut buf = [0u8; MAX_PROFILE_RECORD_LEN + 64];
        // the record's length with a one-byte token, so the rest is the token's
        let one = profile("eu-west-1")
            .with(Setting::SessionToken, "T")
            .unwrap()
            .encode(&mut buf)
            .unwrap();
        let token_len = MAX_PROFILE_RECORD_LEN - one + 1;
        if token_len + 1 > aws_session_core::limits::MAX_SESSION_TOKEN_LEN {
            std::println!("skipped: a narrow core build cannot make a record this long");
            return;
        }
        let token = "T".repeat(token_len + 1);
        let with = |n: usize| profile("eu-west-1").with(Setting::SessionToken, &token[..n]);
        assert_eq!(
            with(token_len).unwrap().encode(&mut buf),
            Ok(MAX_PROFILE_RECORD_LEN)
        );
        let mut s = store();
        s.provision("max", &with(token_len).unwrap()).await.unwrap();
        assert_eq!(
            s.read("max")
                .await
                .unwrap()
                .unwrap()
                .expose(Setting::SessionToken),
            Some(&token[..token_len])
        );
        assert_eq!(
            s.provision("max", &with(token_len + 1).unwrap()).await,
            Err(StoreError::Encode(EncodeError {
                limit: MAX_PROFILE_RECORD_LEN
            }))
        );
    });
}

/// Found by the `flash_record` fuzz target: over a range holding bytes that are not a store
/// (here JSON text from some earlier use of the flash), `provision` reported success but the
/// record could not be read back. A write that does not read back is now an error that says
/// to erase the range.
#[test]
fn a_write_that_does_not_read_back_is_reported() {
    // The fuzzer's flash image: JSON-like text and erased bytes, not a store.
    let image: Vec<u8> = [
        &b"1\"v\":1,\"region\":\"eu-west-1\""[..],
        &[0xff; 22],
        b"egion\":`\"e",
        &[0xff; 22],
        b"}",
    ]
    .concat();
    block_on(async {
        let mut flash = SmallFlash::new();
        flash.bytes_mut()[..image.len()].copy_from_slice(&image);
        let mut s = ProfileStore::new(flash, 0..2048).unwrap();
        let p = profile("eu-west-3");
        match s.provision("fuzz", &p).await {
            Ok(()) => assert_eq!(s.read("fuzz").await.unwrap(), Some(p)),
            Err(e) => assert_eq!(e, StoreError::Corrupted),
        }
        match s.select("fuzz").await {
            Ok(()) => assert_eq!(s.active().await.unwrap().as_deref(), Some("fuzz")),
            Err(e) => assert!(
                matches!(e, StoreError::Corrupted | StoreError::NotFound),
                "{e:?}"
            ),
        }
    });
}

/// Replays a `flash_store` fuzz input's history on an erased flash, then damages it: each byte
/// of `ops` is an operation (low two bits: provision, provision, delete, select; next two: which
/// name; next two: which region), and each `(offset, mask)` of `damage` is XORed into the flash.
async fn fuzzed_history(ops: &[u8], damage: &[(usize, u8)]) -> SmallFlash {
    let names = ["default", "dev", "prod-1", "a.b@c"];
    let regions = ["eu-west-1", "us-east-1", "ap-southeast-2", "eu-north-1"];
    let mut s = ProfileStore::new(SmallFlash::new(), 0..2048).unwrap();
    for &op in ops {
        let name = names[usize::from(op >> 2) % 4];
        let _ = match op & 3 {
            0 | 1 => {
                s.provision(name, &profile(regions[usize::from(op >> 4) % 4]))
                    .await
            }
            2 => s.delete(name).await.map(|_| ()),
            _ => s.select(name).await,
        };
    }
    let mut flash = s.into_flash();
    for &(at, mask) in damage {
        flash.bytes_mut()[at] ^= mask;
    }
    flash
}

/// Found by the `flash_record` fuzz target: after a history of writes and a few damaged bytes,
/// `list` named `default` (its walk over the flash took one version as the newest) while `read`
/// found no record (its lookup took another). A listed profile now always reads back.
#[test]
fn list_and_read_agree_on_damaged_flash() {
    // The fuzzer's history (see `fuzzed_history`) ...
    const OPS: [u8; 31] = [
        255, 16, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 132, 132, 132, 132, 132, 132,
        255, 255, 191, 255, 255, 255, 255, 255, 255, 255,
    ];
    // ... then bytes XORed into the flash: (offset, mask).
    const DAMAGE: [(usize, u8); 9] = [
        (2047, 0xff),
        (255, 0xff),
        (1807, 0xff),
        (1797, 0xff),
        (1791, 0xff),
        (8, 4),
        (768, 34),
        (630, 58),
        (16, 49),
    ];
    block_on(async {
        let mut s = ProfileStore::new(fuzzed_history(&OPS, &DAMAGE).await, 0..2048).unwrap();
        let mut list: heapless::Vec<ProfileName, 16> = heapless::Vec::new();
        s.list(&mut list).await.unwrap();
        for name in &list {
            assert!(
                s.read(name).await.unwrap().is_some(),
                "{name} is listed but does not read"
            );
        }
    });
}

/// Found by the `flash_store` fuzz target: after a history of writes and damage, a lookup made by
/// `list` met a damaged page and sequential-storage repaired it, erasing a record that an earlier
/// lookup of the same listing had found: the listing named a profile that no longer read back.
/// A listing that changed the flash is made again, so every listed profile reads back.
#[test]
fn a_listing_that_repairs_the_flash_lists_again() {
    const OPS: [u8; 15] = [255, 255, 239, 255, 1, 189, 1, 8, 0, 4, 16, 3, 122, 7, 189];
    const DAMAGE: [(usize, u8); 14] = [
        (1325, 255),
        (832, 4),
        (650, 138),
        (1930, 64),
        (2047, 239),
        (511, 189),
        (1, 0),
        (650, 138),
        (1397, 117),
        (394, 4),
        (784, 122),
        (7, 0),
        (1796, 3),
        (528, 5),
    ];
    block_on(async {
        let mut s = ProfileStore::new(fuzzed_history(&OPS, &DAMAGE).await, 0..2048).unwrap();
        let mut list: heapless::Vec<ProfileName, 16> = heapless::Vec::new();
        s.list(&mut list).await.unwrap();
        let repaired = s.into_flash();
        assert!(repaired.operations() > 0, "the listing repaired nothing");
        let writes = repaired.operations();
        let mut s = ProfileStore::new(repaired, 0..2048).unwrap();
        for name in &list {
            assert!(
                s.read(name).await.unwrap().is_some(),
                "{name} is listed but does not read"
            );
        }
        assert_eq!(s.into_flash().operations(), writes);
    });
}

const CERT: &[u8] = b"0\x82\x01\x00 a device certificate, as DER";
const KEY: [u8; 32] = [7; 32];

#[test]
fn identities_round_trip_beside_profiles_and_stay_out_of_listings() {
    block_on(async {
        let mut s = store();
        assert!(s.identity("dev").await.unwrap().is_none());
        s.provision("dev", &profile("eu-west-1")).await.unwrap();
        s.provision_identity("dev", CERT, &KEY).await.unwrap();
        let id = s.identity("dev").await.unwrap().unwrap();
        assert_eq!((id.certificate, id.expose_key()), (CERT, &KEY));
        assert!(
            !std::format!("{id:?}").contains("7, 7"),
            "the key is not in Debug"
        );
        // Replaced by a newer one; the profile is untouched; listings name profiles only.
        s.provision_identity("dev", b"another certificate", &[9; 32])
            .await
            .unwrap();
        assert_eq!(
            s.identity("dev").await.unwrap().unwrap().certificate,
            b"another certificate"
        );
        let mut list: heapless::Vec<ProfileName, 4> = heapless::Vec::new();
        assert_eq!(s.list(&mut list).await.unwrap(), ListReport { corrupt: 0 });
        assert_eq!(names(&list), ["dev"]);
        assert_eq!(
            s.read("dev").await.unwrap().unwrap().get(Setting::Region),
            Some("eu-west-1")
        );
        // An identity without a profile, then deletions.
        s.provision_identity("spare", CERT, &KEY).await.unwrap();
        assert!(s.delete_identity("dev").await.unwrap());
        assert!(!s.delete_identity("dev").await.unwrap());
        assert!(s.identity("dev").await.unwrap().is_none());
        assert!(s.identity("spare").await.unwrap().is_some());
        assert!(s.read("dev").await.unwrap().is_some(), "the profile stays");
    });
}

#[test]
fn identity_refusals_are_typed() {
    block_on(async {
        let mut s = store();
        assert_eq!(
            s.provision_identity("bad name", CERT, &KEY).await,
            Err(StoreError::InvalidName)
        );
        assert_eq!(
            s.provision_identity("dev", &[], &KEY).await,
            Err(StoreError::IdentityTooBig {
                limit: crate::limits::MAX_DEVICE_CERTIFICATE_LEN
            })
        );
        let big = std::vec![0u8; crate::limits::MAX_DEVICE_CERTIFICATE_LEN + 1];
        assert_eq!(
            s.provision_identity("dev", &big, &KEY).await,
            Err(StoreError::IdentityTooBig {
                limit: crate::limits::MAX_DEVICE_CERTIFICATE_LEN
            })
        );
        assert!(matches!(
            s.identity("").await,
            Err(ReadError::Store(StoreError::InvalidName))
        ));
        // A record of another format version reads as corrupt, and provisioning again repairs it.
        let key = StoreKey::Identity(ProfileName::try_from("dev").unwrap());
        let junk: &[u8] = &[2, 0, 0];
        s.map.store_item(&mut s.buf.0, &key, &junk).await.unwrap();
        assert!(matches!(s.identity("dev").await, Err(ReadError::Corrupt)));
        s.provision_identity("dev", CERT, &KEY).await.unwrap();
        assert!(s.identity("dev").await.unwrap().is_some());
    });
}

#[test]
fn a_power_cut_while_provisioning_an_identity_keeps_the_old_or_the_new_one() {
    block_on(async {
        // Dry run: how many flash operations the second provisioning takes.
        let mut s = ProfileStore::new(Flash::new(), 0..16384).unwrap();
        s.provision_identity("dev", CERT, &KEY).await.unwrap();
        let before = s.into_flash();
        let start = before.operations();
        let mut s = ProfileStore::new(before, 0..16384).unwrap();
        s.provision_identity("dev", b"the new certificate", &[9; 32])
            .await
            .unwrap();
        let total = s.into_flash().operations() - start;
        assert!(total > 0);
        for n in 0..total {
            let mut flash = Flash::new();
            let mut s = ProfileStore::new(flash, 0..16384).unwrap();
            s.provision_identity("dev", CERT, &KEY).await.unwrap();
            flash = s.into_flash();
            let at = flash.operations() + n;
            flash.lose_power_at(at);
            let mut s = ProfileStore::new(flash, 0..16384).unwrap();
            let cut = s
                .provision_identity("dev", b"the new certificate", &[9; 32])
                .await;
            assert_eq!(
                cut,
                Err(StoreError::Flash(NorFlashErrorKind::Other)),
                "cut {n}"
            );
            let mut flash = s.into_flash();
            flash.restore_power();
            let mut s = ProfileStore::new(flash, 0..16384).unwrap();
            let id = s.identity("dev").await.unwrap().unwrap();
            let (cert, key) = (id.certificate, *id.expose_key());
            assert!(
                (cert, key) == (CERT, KEY) || (cert, key) == (&b"the new certificate"[..], [9; 32]),
                "cut {n}: {cert:?}"
            );
        }
    });
}
