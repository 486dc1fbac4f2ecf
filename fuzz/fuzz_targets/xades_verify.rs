//! XML signatures (XAdES / XML-DSig): parsing with DTDs and entities
//! refused, the ds:Signature structure, the qualifying properties, reference
//! processing and canonicalisation. Whatever the bytes, verification must
//! return a result or an error, never panic or hang, and never touch the
//! file system or the network (no base directory: detached references are
//! refused).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let keys = hozon_cms::KeyCache::default();
    let inputs = hozon_xades::validate::Inputs {
        base_dir: None,
        extra_certs: &[],
        keys: &keys,
    };
    let _ = hozon_xades::validate::verify_document(data, &inputs);
});
