//! `aws-session device image`: a flash-store image of a desktop profile, for a device.
//!
//! The image holds what the firmware's [`ProfileStore`] would hold after importing the profile
//! itself: the profile (and the `source_profile` profiles it names, in turn), selected as the
//! active one, laid out by sequential-storage for the part's flash geometry. A flasher writes it at
//! the store's partition (`espflash write-bin`, `probe-rs download --binary-format bin`); the
//! firmware then opens the store over that range and finds the profile on first boot.
//!
//! Only settings a device can use are stored (see `aws_session_embassy::store::Setting`); the
//! others (`credential_process`, `sso_*`, …) are counted as skipped in the report. The image
//! holds secrets in plain text, like the store in flash does: see the README's threat model.

use std::io::Write;
use std::path::Path;

use aws_session_core::fetch::block_on;
use aws_session_core::platform::ProfileSource;
use aws_session_core::shared_file::FileKind;
use aws_session_embassy::store::{ImportError, ProfileStore, Setting};
use embedded_storage_async::nor_flash::{ErrorType, NorFlash, NorFlashErrorKind, ReadNorFlash};

use super::{configure::printable, CliError};
use crate::load::LoadedSession;

/// How many `source_profile` hops the image follows from the chosen profile (the session's own
/// chain limit applies when the device loads it; this only bounds the copy).
const MAX_CHAIN: usize = aws_session_core::limits::MAX_PROFILE_CHAIN;

/// A development board of the firmware examples, with where their store lives.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Board {
    /// ESP32-C3 (examples/firmware/esp32c3-wifi): the last two 4 KiB sectors of a 4 MiB flash.
    Esp32c3,
    /// NUCLEO-F429ZI (examples/firmware/stm32f4-eth): two 128 KiB sectors of bank 1.
    NucleoF429zi,
}

impl Board {
    /// (write size, erase size, store size, flash address, command that writes the image).
    fn layout(self) -> (usize, usize, usize, u32, &'static str) {
        match self {
            Board::Esp32c3 => (4, 4096, 8192, 0x3F_E000, "espflash write-bin 0x3fe000"),
            Board::NucleoF429zi => (
                4,
                128 * 1024,
                256 * 1024,
                0x080C_0000,
                "probe-rs download --chip STM32F429ZITx --binary-format bin --base-address 0x080c0000",
            ),
        }
    }
}

/// The flash geometries an image can be made for: (write size, erase size) of common parts.
/// sequential-storage aligns every item to the write size and every page to the erase size, so
/// an image is only valid for the geometry it was made for.
pub(super) const GEOMETRIES: &[(usize, usize, &str)] = &[
    (1, 4096, "RP2040"),
    (4, 4096, "ESP32 family, nRF52"),
    (4, 16 * 1024, "STM32F4 sectors 0-3"),
    (4, 64 * 1024, "STM32F4 sector 4"),
    (4, 128 * 1024, "STM32F4/F7 128 KiB sectors"),
    (8, 2048, "STM32L4, STM32G4"),
    (16, 8192, "STM32H5, STM32U5"),
    (32, 128 * 1024, "STM32H7"),
];

/// `device image` arguments.
#[derive(clap::Args, Debug)]
pub(super) struct ImageArgs {
    /// Profile to store (Go v1 Options.Profile; default AWS_PROFILE, else "default").
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Lay the image out for a firmware example's board.
    #[arg(long, value_name = "BOARD", conflicts_with_all = ["write_size", "erase_size", "size"])]
    board: Option<Board>,
    /// The flash driver's write size in bytes (NorFlash::WRITE_SIZE).
    #[arg(long, value_name = "BYTES", requires_all = ["erase_size", "size"])]
    write_size: Option<usize>,
    /// The flash driver's erase size in bytes (NorFlash::ERASE_SIZE).
    #[arg(long, value_name = "BYTES", requires_all = ["write_size", "size"])]
    erase_size: Option<usize>,
    /// The store's size in bytes: whole erase pages, at least two.
    #[arg(long, value_name = "BYTES", requires_all = ["write_size", "erase_size"])]
    size: Option<usize>,
    /// Where to write the image.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: std::path::PathBuf,
}

impl ImageArgs {
    /// The `--profile` given, if any.
    pub(super) fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }
}

/// An erased NOR flash in memory, with a part's write and erase sizes.
struct ImageFlash<const WRITE: usize, const ERASE: usize> {
    bytes: Vec<u8>,
}

impl<const WRITE: usize, const ERASE: usize> ErrorType for ImageFlash<WRITE, ERASE> {
    type Error = NorFlashErrorKind;
}

impl<const WRITE: usize, const ERASE: usize> ImageFlash<WRITE, ERASE> {
    /// The bytes `offset..offset + len`, when they are in range and `offset` and `len` are
    /// multiples of `align`.
    fn span(
        &mut self,
        offset: u32,
        len: usize,
        align: usize,
    ) -> Result<&mut [u8], NorFlashErrorKind> {
        let at = usize::try_from(offset).map_err(|_| NorFlashErrorKind::OutOfBounds)?;
        if at % align != 0 || len % align != 0 {
            return Err(NorFlashErrorKind::NotAligned);
        }
        at.checked_add(len)
            .and_then(|end| self.bytes.get_mut(at..end))
            .ok_or(NorFlashErrorKind::OutOfBounds)
    }
}

impl<const WRITE: usize, const ERASE: usize> ReadNorFlash for ImageFlash<WRITE, ERASE> {
    const READ_SIZE: usize = 1;

    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        bytes.copy_from_slice(self.span(offset, bytes.len(), 1)?);
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.bytes.len()
    }
}

impl<const WRITE: usize, const ERASE: usize> NorFlash for ImageFlash<WRITE, ERASE> {
    const WRITE_SIZE: usize = WRITE;
    const ERASE_SIZE: usize = ERASE;

    async fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        let len = to.checked_sub(from).ok_or(NorFlashErrorKind::OutOfBounds)?;
        let len = usize::try_from(len).map_err(|_| NorFlashErrorKind::OutOfBounds)?;
        self.span(from, len, ERASE)?.fill(0xff);
        Ok(())
    }

    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        // NOR programming only clears bits.
        for (cell, b) in self.span(offset, bytes.len(), WRITE)?.iter_mut().zip(bytes) {
            *cell &= b;
        }
        Ok(())
    }
}

/// What went into an image.
struct Made {
    bytes: Vec<u8>,
    stored: Vec<String>,
    skipped_keys: u16,
    /// The device certificate's length, when an identity was stored.
    identity: Option<usize>,
}

/// Imports `profile` (and its `source_profile` chain) from `loaded`'s files into a store over
/// an erased flash of `size` bytes, selects it, and returns the flash contents.
fn make<const WRITE: usize, const ERASE: usize>(
    loaded: &LoadedSession,
    profile: &str,
    size: usize,
) -> Result<Made, CliError> {
    let size32 = u32::try_from(size).map_err(|_| CliError::failed("--size is too large"))?;
    let flash = ImageFlash::<WRITE, ERASE> {
        bytes: vec![0xff; size],
    };
    let mut store = ProfileStore::new(flash, 0..size32).map_err(|e| {
        CliError::failed(format!(
            "--size {size} does not fit an erase size of {ERASE}: {e}"
        ))
    })?;
    let (config, credentials) = texts(loaded)?;
    let mut made = Made {
        bytes: Vec::new(),
        stored: Vec::new(),
        skipped_keys: 0,
        identity: None,
    };
    let mut next = Some(profile.to_owned());
    while let Some(name) = next.take() {
        if made.stored.contains(&name) {
            break;
        }
        if made.stored.len() > MAX_CHAIN {
            return Err(CliError::failed(format!(
                "profile {:?}: its source_profile chain is longer than {MAX_CHAIN}",
                printable(profile)
            )));
        }
        let report = block_on(store.import(config, credentials, Some(&name)))
            .map_err(|e| import_error(&name, &e))?;
        if report.imported == 0 {
            return Err(CliError::failed(format!(
                "profile {:?} has no setting a device can use (static keys, region, endpoint, role)",
                printable(&name)
            )));
        }
        made.skipped_keys = made.skipped_keys.saturating_add(report.skipped_keys);
        next = block_on(store.read(&name))
            .ok()
            .flatten()
            .and_then(|p| p.get(Setting::SourceProfile).map(str::to_owned));
        made.stored.push(name);
    }
    if let Some(files) = crate::transport::iot_certificate(loaded.session().credentials()) {
        // An AWS IoT credentials profile: its certificate and key go in as the device identity.
        let (certificate, key) = crate::transport::read_device_identity(&files)
            .map_err(|e| CliError::failed(e.to_string()))?;
        block_on(store.provision_identity(profile, &certificate, &key)).map_err(|e| {
            CliError::failed(format!(
                "cannot store the device identity of {:?}: {e}",
                printable(profile)
            ))
        })?;
        made.identity = Some(certificate.len());
        // The two paths were not stored as settings, but what they name was: not "skipped".
        made.skipped_keys = made.skipped_keys.saturating_sub(IDENTITY_PATH_KEYS);
    }
    block_on(store.select(profile))
        .map_err(|e| CliError::failed(format!("cannot select profile {profile:?}: {e}")))?;
    made.bytes = store.into_flash().bytes;
    Ok(made)
}

/// The text of the session's config and credentials files (the last loaded of each kind).
fn texts(loaded: &LoadedSession) -> Result<(Option<&str>, Option<&str>), CliError> {
    let files = loaded.files();
    let (mut config, mut credentials) = (None, None);
    for i in 0..files.file_count() {
        let file = files
            .file(i)
            .map_err(|e| CliError::failed(format!("cannot read a shared file: {e}")))?;
        match file {
            Some(f) if f.kind == FileKind::Config => config = Some(f.text),
            Some(f) => credentials = Some(f.text),
            None => {}
        }
    }
    Ok((config, credentials))
}

/// One line for an import failure (never a value: values may be secrets).
fn import_error(profile: &str, e: &ImportError<'_>) -> CliError {
    match e {
        ImportError::NotFound { .. } => CliError::failed(format!(
            "profile {:?} is in none of the shared files",
            printable(profile)
        )),
        other => CliError::failed(format!(
            "cannot store profile {:?}: {other}",
            printable(profile)
        )),
    }
}

/// The settings naming the device identity's files (`iot_certificate`, `iot_private_key`): the
/// store does not keep the paths, it keeps the certificate and key beside the profile.
const IDENTITY_PATH_KEYS: u16 = 2;

/// Runs `device image`.
pub(super) fn image(
    loaded: &LoadedSession,
    args: &ImageArgs,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let (write, erase, size, board) =
        match (args.board, args.write_size, args.erase_size, args.size) {
            (Some(b), ..) => {
                let (w, e, s, address, tool) = b.layout();
                (w, e, s, Some((address, tool)))
            }
            (None, Some(w), Some(e), Some(s)) => (w, e, s, None),
            _ => {
                return Err(CliError {
                    message: "give --board, or --write-size, --erase-size and --size".into(),
                    code: super::EXIT_USAGE,
                })
            }
        };
    let profile = loaded.session().config().profile.value.as_str();
    macro_rules! geometry {
        ($(($w:literal, $e:expr)),*) => {
            match (write, erase) {
                $(($w, e) if e == $e => make::<$w, { $e }>(loaded, profile, size)?,)*
                _ => {
                    let known: Vec<String> = GEOMETRIES
                        .iter()
                        .map(|(w, e, parts)| format!("{w}/{e} ({parts})"))
                        .collect();
                    return Err(CliError::failed(format!(
                        "no image layout for write size {write} and erase size {erase}; \
                         supported write/erase sizes: {}",
                        known.join(", ")
                    )));
                }
            }
        };
    }
    let made = geometry!(
        (1, 4096),
        (4, 4096),
        (4, 16 * 1024),
        (4, 64 * 1024),
        (4, 128 * 1024),
        (8, 2048),
        (16, 8192),
        (32, 128 * 1024)
    );
    write_file(&args.output, &made.bytes)?;
    writeln!(
        out,
        "wrote {} ({} bytes): profile {:?} (active){}; {} setting(s) skipped as not for devices",
        printable(&args.output.display().to_string()),
        made.bytes.len(),
        printable(profile),
        match made.stored.len() {
            1 => String::new(),
            _ => format!(
                " with its source profiles {:?}",
                made.stored[1..]
                    .iter()
                    .map(|s| printable(s).to_string())
                    .collect::<Vec<_>>()
            ),
        },
        made.skipped_keys,
    )
    .map_err(CliError::output)?;
    if let Some(len) = made.identity {
        writeln!(
            out,
            "device identity stored with it (from iot_certificate and iot_private_key): \
             certificate ({len} bytes of DER) and its P-256 key"
        )
        .map_err(CliError::output)?;
    }
    if let Some((address, tool)) = board {
        writeln!(
            out,
            "flash it at 0x{address:08x}: {tool} {}",
            printable(&args.output.display().to_string())
        )
        .map_err(CliError::output)?;
    }
    Ok(0)
}

/// Writes the image with owner-only permissions (it holds secrets).
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let shown = || printable(&path.display().to_string()).to_string();
    let mut file = options
        .open(path)
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", shown())))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", shown())))
}
