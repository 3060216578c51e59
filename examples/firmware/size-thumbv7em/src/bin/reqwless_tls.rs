//! reqwless (with its embedded-tls integration, certificate verification on) on embassy-net, one
//! HTTPS GET: the comparison point for `http_tls`.
#![no_std]
#![no_main]

#[path = "../board.rs"]
mod board;

use embassy_executor::Spawner;
use embassy_net::dns::DnsSocket;
use embassy_net::tcp::client::{TcpClient, TcpClientState};
use reqwless::client::{HttpClient, TlsConfig, TlsVerify};
use reqwless::request::Method;
use static_cell::StaticCell;

static ANCHOR: [u8; 8] = [0x30, 0x82, 0x01, 0x00, 0x30, 0x82, 0x00, 0x00];

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, board::Device>) -> ! {
    runner.run().await
}

struct Buffers {
    state: TcpClientState<1, 2048, 2048>,
    read_rec: [u8; 16640],
    write_rec: [u8; 2048],
    response: [u8; 2048],
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    board::heap();
    let (stack, net, _device) = board::network(1);
    spawner.spawn(net_task(net)).ok();
    static BUFFERS: StaticCell<Buffers> = StaticCell::new();
    let b = BUFFERS.init_with(|| Buffers {
        state: TcpClientState::new(),
        read_rec: [0; 16640],
        write_rec: [0; 2048],
        response: [0; 2048],
    });
    let tcp = TcpClient::new(stack, &b.state);
    let dns = DnsSocket::new(stack);
    let tls = TlsConfig::new(
        7,
        &mut b.read_rec,
        &mut b.write_rec,
        TlsVerify::Certificate {
            ca: &ANCHOR,
            cert: None,
            key: None,
        },
    );
    let mut client = HttpClient::new_with_tls(&tcp, &dns, tls);
    let request = client
        .request(Method::GET, "https://sts.us-east-1.amazonaws.com/")
        .await;
    if let Ok(mut request) = request {
        if let Ok(response) = request.send(&mut b.response).await {
            core::hint::black_box(response.status);
        }
    };
}
