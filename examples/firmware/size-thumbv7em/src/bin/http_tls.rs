//! Our HTTP/1.1 client and TLS 1.3 (with certificate verification) on embassy-net, one HTTPS GET:
//! the part that reqwless would replace.
#![no_std]
#![no_main]

#[path = "../board.rs"]
mod board;

use aws_session_core::http::{HttpRequest, Method, ResponseHead, Scheme};
use aws_session_core::platform::AsyncTransport;
use aws_session_embassy::http::HttpConfig;
use aws_session_embassy::tls::{self, ClockPolicy, Target, TlsBuffers, TrustAnchors};
use embassy_executor::Spawner;
use static_cell::StaticCell;

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, board::Device>) -> ! {
    runner.run().await
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let (stack, net, _device) = board::network(1);
    spawner.spawn(net_task(net)).ok();
    static BUFFERS: StaticCell<TlsBuffers<2048, 2048, { tls::MAX_TLS_RECORD_LEN }, 2048, 2048>> =
        StaticCell::new();
    let buffers = BUFFERS.init_with(TlsBuffers::new);
    let target = Target::host("sts.us-east-1.amazonaws.com");
    let Ok(mut conn) = tls::connect(
        stack,
        buffers,
        &target,
        &TrustAnchors::aws().with_clock_policy(ClockPolicy::BuildTimeLowerBound(tls::BUILD_TIME)),
        board::BoardRng(7),
        HttpConfig::default(),
    )
    .await
    else {
        return;
    };
    let Ok(req) = HttpRequest::new(
        Method::Get,
        Scheme::Https,
        "sts.us-east-1.amazonaws.com",
        "/",
    ) else {
        return;
    };
    let mut head = ResponseHead::new();
    if conn.begin(&req).await.is_ok() && conn.finish(&mut head).await.is_ok() {
        let mut body = [0u8; 256];
        while let Ok(n) = conn.read_body(&mut body).await {
            if n == 0 {
                break;
            }
            core::hint::black_box(&body);
        }
    }
    core::hint::black_box(head.status());
}
