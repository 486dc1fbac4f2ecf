//! RFC 3161 TimeStampResp and bare time-stamp tokens (TSTInfo inside):
//! parse, read every field, check the imprint and verify the token.
#![no_main]

use hozon_cms::KeyCache;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let keys = KeyCache::default();
    for token in [
        hozon_tsp::parse_response(data, "fuzz.tsr"),
        hozon_tsp::Token::parse(data, "fuzz.tst"),
    ]
    .into_iter()
    .flatten()
    {
        let _ = token.gen_time();
        let _ = token.imprint();
        let _ = token.covers(b"fuzz");
        let _ = token.serial_hex();
        let _ = token.policy();
        let _ = token.tst_info_der();
        let _ = token.tsa_certificate(&[]);
        let _ = token.verify(&[], &keys);
    }
});
