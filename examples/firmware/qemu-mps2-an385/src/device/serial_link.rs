//! The device's network link: Ethernet frames over UART0 (the CMSDK APB UART of the mps2-an385),
//! each framed in SLIP (RFC 1055, the `serial-line-ip` crate). On the host, QEMU joins the UART to
//! a Unix socket and `tests/peers/slip_tap.py` joins that to a TAP device, so the embassy-net
//! stack talks Ethernet to real servers: no network device model is needed.
//!
//! The UART is polled: the link task reads what has arrived, hands whole frames to embassy-net,
//! sends what embassy-net queued, and yields when the line is idle.

use core::ptr::{read_volatile, write_volatile};

use embassy_net_driver_channel as ch;
use serial_line_ip::{Decoder, Encoder};
use static_cell::ConstStaticCell;

/// Largest Ethernet frame (no FCS).
pub const MTU: usize = 1514;
/// The embassy-net device of this link.
pub type Device = ch::Device<'static, MTU>;

/// UART0 of the mps2-an385 and its registers.
const UART0: usize = 0x4000_4000;
const DATA: usize = 0x0;
const STATE: usize = 0x4;
const CTRL: usize = 0x8;
const BAUDDIV: usize = 0x10;
const STATE_TX_FULL: u32 = 1 << 0;
const STATE_RX_FULL: u32 = 1 << 1;
const CTRL_TX_EN: u32 = 1 << 0;
const CTRL_RX_EN: u32 = 1 << 1;
/// The smallest divisor the UART accepts (QEMU ignores the rate itself).
const MIN_BAUDDIV: u32 = 16;
/// Bytes read from the UART before the link task looks at its other work.
const RX_BURST: usize = 256;

struct Uart;

impl Uart {
    fn reg(offset: usize) -> *mut u32 {
        (UART0 + offset) as *mut u32
    }

    fn enable() -> Self {
        // SAFETY: UART0's registers on this machine; only this task touches them.
        unsafe {
            write_volatile(Self::reg(BAUDDIV), MIN_BAUDDIV);
            write_volatile(Self::reg(CTRL), CTRL_TX_EN | CTRL_RX_EN);
        }
        Uart
    }

    fn read(&self) -> Option<u8> {
        // SAFETY: as in `enable`.
        unsafe {
            if read_volatile(Self::reg(STATE)) & STATE_RX_FULL == 0 {
                return None;
            }
            Some(read_volatile(Self::reg(DATA)) as u8)
        }
    }

    fn write(&self, bytes: &[u8]) {
        for &b in bytes {
            // SAFETY: as in `enable`.
            unsafe {
                while read_volatile(Self::reg(STATE)) & STATE_TX_FULL != 0 {}
                write_volatile(Self::reg(DATA), u32::from(b));
            }
        }
    }
}

/// Cuts the byte stream from the UART into frames. A frame longer than [`MTU`] and a bad escape
/// are dropped: the decoder starts over at the next frame boundary.
struct Frames {
    decoder: Decoder,
    frame: &'static mut [u8; MTU],
    len: usize,
    /// The frame being read has lost bytes and is dropped at its end.
    damaged: bool,
    /// Waiting for a frame boundary after a bad escape.
    resync: bool,
}

impl Frames {
    fn new(frame: &'static mut [u8; MTU]) -> Self {
        Frames {
            decoder: Decoder::new(),
            frame,
            len: 0,
            damaged: false,
            resync: false,
        }
    }

    /// Feeds `input`; calls `deliver` with each whole frame.
    fn feed(&mut self, mut input: &[u8], mut deliver: impl FnMut(&[u8])) {
        while !input.is_empty() {
            if self.resync {
                // A new decoder wants a frame boundary (SLIP END) first.
                match input.iter().position(|&b| b == 0xC0) {
                    Some(at) => input = &input[at..],
                    None => return,
                }
                self.decoder = Decoder::new();
                self.resync = false;
            }
            match self.decoder.decode(input, &mut self.frame[self.len..]) {
                Ok((used, out, end)) => {
                    self.len += out.len();
                    input = &input[used..];
                    if end {
                        if self.len > 0 && !self.damaged {
                            deliver(&self.frame[..self.len]);
                        }
                        self.len = 0;
                        self.damaged = false;
                    } else if self.len == MTU && !input.is_empty() {
                        // Too long for a frame: keep reading to its end, then drop it.
                        self.len = 0;
                        self.damaged = true;
                    }
                }
                Err(_) => {
                    self.len = 0;
                    self.damaged = false;
                    self.resync = true;
                    input = &input[1..];
                }
            }
        }
    }
}

/// Sends `frame` SLIP-encoded.
fn send(uart: &Uart, frame: &[u8]) {
    let mut encoder = Encoder::new();
    let mut out = [0u8; 64];
    let mut rest = frame;
    while !rest.is_empty() {
        // At most half the buffer per round: each byte encodes to at most two.
        let take = rest.len().min(out.len() / 2 - 1);
        let Ok(totals) = encoder.encode(&rest[..take], &mut out) else {
            return;
        };
        uart.write(&out[..totals.written]);
        rest = &rest[totals.read..];
    }
    if let Ok(totals) = encoder.finish(&mut out) {
        uart.write(&out[..totals.written]);
    }
}

/// Runs the link: frames in, frames out.
#[embassy_executor::task]
pub async fn run(mut runner: ch::Runner<'static, MTU>) -> ! {
    static FRAME: ConstStaticCell<[u8; MTU]> = ConstStaticCell::new([0; MTU]);
    let mut frames = Frames::new(FRAME.take());
    let uart = Uart::enable();
    runner.set_link_state(ch::driver::LinkState::Up);
    loop {
        let mut burst = [0u8; RX_BURST];
        let mut n = 0;
        while n < burst.len() {
            match uart.read() {
                Some(b) => {
                    burst[n] = b;
                    n += 1;
                }
                None => break,
            }
        }
        frames.feed(&burst[..n], |frame| {
            // A frame that finds no free buffer is dropped, as a busy NIC would; TCP resends.
            if let Some(buf) = runner.try_rx_buf() {
                if let Some(dst) = buf.get_mut(..frame.len()) {
                    dst.copy_from_slice(frame);
                    runner.rx_done(frame.len());
                }
            }
        });
        let sent = match runner.try_tx_buf() {
            Some(frame) => {
                send(&uart, frame);
                true
            }
            None => false,
        };
        if sent {
            runner.tx_done();
        }
        if n == 0 && !sent {
            embassy_futures::yield_now().await;
        }
    }
}
