//! `aws-session device image`: the image a desktop writes is a profile store the firmware's own
//! code opens — at the partition's offset, with the board's geometry — finding the profile, its
//! source profile and the active selection; and each refusal is one line with exit status 1 or 2.

mod common;

use aws_session_core::fetch::block_on;
use aws_session_embassy::store::{ProfileName, ProfileStore, Setting};
use aws_session_embassy::test_util::MemFlash;
use std::process::Output;

use common::cli::{assert_one_line_error, home, run, stderr, stdout};

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// A home with a role profile `dev` whose source profile `base` has static keys, and an SSO
/// setting a device cannot use.
fn profiles() -> tempfile::TempDir {
    let h = home();
    common::write(
        h.path(),
        ".aws/config",
        "[profile dev]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/device\n\
         source_profile = base\n[profile base]\nregion = us-east-1\n[profile sso]\n\
         sso_session = corp\nsso_account_id = 1\nsso_role_name = r\n[sso-session corp]\n\
         sso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
    );
    common::write(
        h.path(),
        ".aws/credentials",
        format!("[base]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n"),
    );
    h
}

/// Runs `aws-session device image ARGS -o OUT` in home `h`.
fn device_image(h: &tempfile::TempDir, args: &[&str], out: &std::path::Path) -> Output {
    let mut argv = vec!["device", "image", "-o", out.to_str().unwrap()];
    argv.extend_from_slice(args);
    run(h.path(), &[], &argv)
}

#[test]
fn an_esp32c3_image_opens_at_its_partition_with_the_profile_active() {
    let h = profiles();
    let image = h.path().join("store.bin");
    let o = device_image(&h, &["--profile", "dev", "--board", "esp32c3"], &image);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert!(
        stdout(&o).contains("profile \"dev\" (active) with its source profiles [\"base\"]"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("flash it at 0x003fe000: espflash write-bin 0x3fe000"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains(SECRET) && !stderr(&o).contains(SECRET));
    let bytes = std::fs::read(&image).unwrap();
    assert_eq!(bytes.len(), 8192);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&image).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the image holds secrets: owner-only");
    }

    // The device: the same 4-byte words and 4 KiB sectors, the image at 0x3000 of its flash.
    let mut flash = MemFlash::<0x5000, 4096, 4>::new();
    flash.bytes_mut()[0x3000..].copy_from_slice(&bytes);
    let mut store = ProfileStore::new(flash, 0x3000..0x5000).unwrap();
    block_on(async {
        assert_eq!(store.active().await.unwrap().as_deref(), Some("dev"));
        let mut names: heapless::Vec<ProfileName, 4> = heapless::Vec::new();
        store.list(&mut names).await.unwrap();
        assert_eq!(
            names.iter().map(|n| n.as_str()).collect::<Vec<_>>(),
            ["dev", "base"]
        );
        let dev = store.read("dev").await.unwrap().unwrap();
        assert_eq!(dev.get(Setting::Region), Some("eu-west-1"));
        assert_eq!(dev.get(Setting::SourceProfile), Some("base"));
        let base = store.read("base").await.unwrap().unwrap();
        assert_eq!(base.get(Setting::AccessKeyId), Some(AKID));
        assert_eq!(base.expose(Setting::SecretAccessKey), Some(SECRET));
    });
}

#[test]
fn a_custom_geometry_image_holds_the_default_profile() {
    let h = profiles();
    common::write(
        h.path(),
        ".aws/credentials",
        format!("[default]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n"),
    );
    let image = h.path().join("l4.bin");
    let o = device_image(
        &h,
        &[
            "--write-size",
            "8",
            "--erase-size",
            "2048",
            "--size",
            "8192",
        ],
        &image,
    );
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert!(
        !stdout(&o).contains("flash it at"),
        "no address without a board"
    );
    let mut flash = MemFlash::<8192, 2048, 8>::new();
    flash
        .bytes_mut()
        .copy_from_slice(&std::fs::read(&image).unwrap());
    let mut store = ProfileStore::new(flash, 0..8192).unwrap();
    block_on(async {
        assert_eq!(store.active().await.unwrap().as_deref(), Some("default"));
        let p = store.read("default").await.unwrap().unwrap();
        assert_eq!(p.get(Setting::AccessKeyId), Some(AKID));
    });
}

#[test]
fn refusals_are_one_line() {
    let h = profiles();
    let out = h.path().join("x.bin");
    // Arguments (split at spaces), exit status, and what the error line says.
    let geometry = |w: &str, e: &str, n: &str| {
        format!("--profile base --write-size {w} --erase-size {e} --size {n}")
    };
    let cases: &[(String, i32, &str)] = &[
        (
            "--profile nope --board esp32c3".into(),
            1,
            "profile \"nope\" is in none of the shared files",
        ),
        (
            "--profile sso --board esp32c3".into(),
            1,
            "profile \"sso\" has no setting a device can use",
        ),
        (
            geometry("4", "999", "8192"),
            1,
            "no image layout for write size 4 and erase size 999",
        ),
        (
            geometry("4", "4096", "4096"),
            1,
            "flash range must be at least two whole pages",
        ),
        (
            geometry("4", "4096", "10000"),
            1,
            "flash range must be at least two whole pages",
        ),
        (
            "--profile base".into(),
            2,
            "give --board, or --write-size, --erase-size and --size",
        ),
        (
            "--profile base --board esp32c3 --size 8192".into(),
            2,
            "cannot be used with",
        ),
        (
            "--profile base --board pdp11".into(),
            2,
            "invalid value 'pdp11'",
        ),
    ];
    for (args, code, message) in cases {
        let args: Vec<&str> = args.split(' ').collect();
        let o = device_image(&h, &args, &out);
        let err = assert_one_line_error(&o, *code);
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?} wrote an image");
    }
    let o = device_image(
        &h,
        &["--profile", "base", "--board", "esp32c3"],
        std::path::Path::new("/nonexistent-dir/x.bin"),
    );
    let err = assert_one_line_error(&o, 1);
    assert!(err.contains("cannot write /nonexistent-dir/x.bin"), "{err}");
}

/// A home with an AWS IoT credentials profile `thing` whose certificate and key (P-256, made with
/// rcgen; the key as SEC1 or PKCS#8) are PEM files; returns the home, the certificate's DER and
/// the key's scalar.
fn iot_profile(sec1: bool) -> (tempfile::TempDir, Vec<u8>, [u8; 32]) {
    let h = home();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["thing-7".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    use p256_device::pkcs8::DecodePrivateKey as _;
    let secret = p256_device::SecretKey::from_pkcs8_der(&key.serialize_der()).unwrap();
    let key_pem = if sec1 {
        use p256_device::pkcs8::LineEnding;
        secret.to_sec1_pem(LineEnding::LF).unwrap().to_string()
    } else {
        key.serialize_pem()
    };
    common::write(h.path(), "device/cert.pem", cert.pem());
    common::write(h.path(), "device/key.pem", key_pem);
    let dir = h.path().join("device");
    common::write(
        h.path(),
        ".aws/config",
        format!(
            "[profile thing]\nregion = eu-west-1\niot_credentials_endpoint = c2.credentials.iot.eu-west-1.amazonaws.com\n\
             iot_role_alias = device-role\niot_thing_name = thing-7\niot_certificate = {}\niot_private_key = {}\n",
            dir.join("cert.pem").display(),
            dir.join("key.pem").display()
        ),
    );
    (h, cert.der().to_vec(), secret.to_bytes().into())
}

/// Runs `device image --profile thing --board esp32c3` in home `h` with shared config loading on;
/// the output and the image's path.
fn image_of_thing(h: &tempfile::TempDir) -> (Output, std::path::PathBuf) {
    let image = h.path().join("store.bin");
    let args = [
        "device",
        "image",
        "-o",
        image.to_str().unwrap(),
        "--profile",
        "thing",
        "--board",
        "esp32c3",
    ];
    (run(h.path(), &[("AWS_SDK_LOAD_CONFIG", "1")], &args), image)
}

#[test]
fn an_iot_profile_image_holds_the_device_identity() {
    for sec1 in [false, true] {
        let (h, cert, scalar) = iot_profile(sec1);
        let (o, image) = image_of_thing(&h);
        assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
        assert!(
            stdout(&o).contains("device identity stored with it"),
            "{}",
            stdout(&o)
        );
        // The certificate and key paths went in as the identity: none of the settings was left out.
        assert!(
            stdout(&o).contains("; 0 setting(s) skipped as not for devices"),
            "{}",
            stdout(&o)
        );
        let bytes = std::fs::read(&image).unwrap();
        let mut flash = MemFlash::<0x2000, 4096, 4>::new();
        flash.bytes_mut().copy_from_slice(&bytes);
        let mut store = ProfileStore::new(flash, 0..0x2000).unwrap();
        block_on(async {
            let p = store.read("thing").await.unwrap().unwrap();
            assert_eq!(p.get(Setting::IotRoleAlias), Some("device-role"));
            assert_eq!(p.get(Setting::IotThingName), Some("thing-7"));
            let id = store.identity("thing").await.unwrap().unwrap();
            assert_eq!(id.certificate, cert.as_slice());
            assert_eq!(id.expose_key(), &scalar);
        });
    }
}

#[test]
fn an_rsa_device_key_is_refused_in_one_line() {
    let (h, _, _) = iot_profile(false);
    let rsa = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256);
    // rcgen cannot make RSA keys with ring; a PKCS#1 block is refused before it is parsed.
    let pem = match rsa {
        Ok(k) => k.serialize_pem(),
        Err(_) => "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n".to_string(),
    };
    common::write(h.path(), "device/key.pem", pem);
    let (o, _) = image_of_thing(&h);
    assert_one_line_error(&o, 1);
    assert!(stderr(&o).contains("key.pem"), "{}", stderr(&o));
}
