//! Just enough DER to find a certificate's public key and an RSA key's numbers (RFC 5280 §4.1,
//! RFC 8017 A.1.1). Every read is bounds-checked; malformed input gives `None`.

/// One TLV split off an input: `(tag, whole TLV, value, rest of the input)`.
type Tlv<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);

/// Splits the first TLV off `input`.
fn tlv(input: &[u8]) -> Option<Tlv<'_>> {
    let (&tag, after_tag) = input.split_first()?;
    let (&first, after_len) = after_tag.split_first()?;
    let (len, header) = match first {
        0..=0x7f => (usize::from(first), 2usize),
        0x81..=0x83 => {
            let n = usize::from(first & 0x7f);
            let bytes = after_len.get(..n)?;
            let len = bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (len, n.checked_add(2)?)
        }
        _ => return None,
    };
    let end = header.checked_add(len)?;
    let whole = input.get(..end)?;
    let value = whole.get(header..)?;
    let rest = input.get(end..)?;
    Some((tag, whole, value, rest))
}

/// The SubjectPublicKeyInfo (tag and length included) of a DER certificate.
pub(crate) fn certificate_spki(cert: &[u8]) -> Option<&[u8]> {
    let (0x30, _, cert, _) = tlv(cert)? else {
        return None;
    };
    let (0x30, _, tbs, _) = tlv(cert)? else {
        return None;
    };
    let mut rest = tbs;
    // [0] version (optional), serialNumber, signature, issuer, validity, subject.
    if rest.first() == Some(&0xa0) {
        rest = tlv(rest)?.3;
    }
    for _ in 0..5 {
        rest = tlv(rest)?.3;
    }
    let (0x30, spki, _, _) = tlv(rest)? else {
        return None;
    };
    Some(spki)
}

/// The modulus and public exponent of a DER RSAPublicKey, without leading zero bytes.
#[cfg(feature = "rsa")]
pub(crate) fn rsa_public_key(key: &[u8]) -> Option<(&[u8], &[u8])> {
    let (0x30, _, seq, []) = tlv(key)? else {
        return None;
    };
    let (0x02, _, n, rest) = tlv(seq)? else {
        return None;
    };
    let (0x02, _, e, []) = tlv(rest)? else {
        return None;
    };
    Some((strip_zeros(n), strip_zeros(e)))
}

#[cfg(feature = "rsa")]
fn strip_zeros(mut x: &[u8]) -> &[u8] {
    while let [0, rest @ ..] = x {
        x = rest;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_input_is_none() {
        assert!(tlv(&[0x30]).is_none());
        assert!(tlv(&[0x30, 0x82, 0x01]).is_none());
        assert!(tlv(&[0x30, 0x03, 0x01]).is_none());
        assert!(tlv(&[0x30, 0x84, 0, 0, 0, 1, 0]).is_none());
        assert!(certificate_spki(&[0x30, 0x02, 0x30, 0x00]).is_none());
        assert_eq!(
            tlv(&[0x04, 0x01, 0xaa, 0xbb]).map(|t| t.2),
            Some(&[0xaa][..])
        );
    }
}
