//! Neutral HTTP request and response views shared by the signer, the pipeline and transports.
//! (Filled in by the handlers/pipeline work.)

/// An outgoing HTTP request (placeholder).
#[derive(Debug)]
pub struct HttpRequest<'a> {
    _p: core::marker::PhantomData<&'a ()>,
}

/// A received HTTP response head (placeholder).
#[derive(Debug)]
pub struct HttpResponse {}
