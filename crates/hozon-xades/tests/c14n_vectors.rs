//! libxml2's canonicalisation, through hozon-xades, against the W3C test
//! vectors in testdata/xml/c14n (sources in testdata/xml/README.md).

use std::path::PathBuf;

use hozon_xades::c14n::{
    canonicalize, C14nMethod, NodeSet, C14N_10, C14N_10_COMMENTS, C14N_11, EXC_C14N,
};
use hozon_xades::xml::Document;

fn vector(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/xml/c14n")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn whole(input: &str, uri: &str) -> String {
    let doc = Document::parse(&vector(input)).unwrap();
    let set = NodeSet {
        apex: None,
        exclude: None,
        comments: true,
    };
    String::from_utf8(canonicalize(&doc, &set, &C14nMethod::from_uri(uri).unwrap()).unwrap())
        .unwrap()
}

fn elem2(input: &str, method: &C14nMethod) -> String {
    let doc = Document::parse(&vector(input)).unwrap();
    let e = doc.root().unwrap().children()[0];
    assert_eq!(e.local_name(), "elem2");
    String::from_utf8(canonicalize(&doc, &NodeSet::subtree(e), method).unwrap()).unwrap()
}

fn expected(name: &str) -> String {
    String::from_utf8(vector(name)).unwrap()
}

#[test]
fn c14n10_3_1_pis_comments_and_outside_of_document_element() {
    assert_eq!(
        whole("c14n10-3.1-input.xml", C14N_10),
        expected("c14n10-3.1-output.xml")
    );
    assert_eq!(
        whole("c14n10-3.1-input.xml", C14N_10_COMMENTS),
        expected("c14n10-3.1-output-comments.xml")
    );
}

#[test]
fn c14n10_3_2_whitespace_in_document_content() {
    assert_eq!(
        whole("c14n10-3.2-input.xml", C14N_10),
        expected("c14n10-3.2-output.xml")
    );
    // Canonical XML 1.1 and Exclusive C14N treat whitespace the same way.
    assert_eq!(
        whole("c14n10-3.2-input.xml", C14N_11),
        expected("c14n10-3.2-output.xml")
    );
    assert_eq!(
        whole("c14n10-3.2-input.xml", EXC_C14N),
        expected("c14n10-3.2-output.xml")
    );
}

#[test]
fn c14n10_3_6_utf8_encoding() {
    assert_eq!(
        whole("c14n10-3.6-input.xml", C14N_10),
        expected("c14n10-3.6-output.xml")
    );
}

#[test]
fn exc_c14n_2_2_inclusive_subsets_carry_the_context() {
    let inclusive = C14nMethod::from_uri(C14N_10).unwrap();
    assert_eq!(
        elem2("exc-c14n-2.2-doc1.xml", &inclusive),
        expected("exc-c14n-2.2-doc1-inclusive.xml")
    );
    assert_eq!(
        elem2("exc-c14n-2.2-doc2.xml", &inclusive),
        expected("exc-c14n-2.2-doc2-inclusive.xml")
    );
}

#[test]
fn exc_c14n_2_2_exclusive_subsets_do_not() {
    let exclusive = C14nMethod::exclusive();
    for doc in ["exc-c14n-2.2-doc1.xml", "exc-c14n-2.2-doc2.xml"] {
        assert_eq!(
            elem2(doc, &exclusive),
            expected("exc-c14n-2.2-exclusive.xml"),
            "{doc}"
        );
    }
}

#[test]
fn exc_c14n_inclusive_namespaces_prefix_list_keeps_a_prefix() {
    let mut method = C14nMethod::exclusive();
    method.inclusive_prefixes = vec!["n2".to_owned()];
    let out = elem2("exc-c14n-2.2-doc2.xml", &method);
    assert!(
        out.starts_with(
            r#"<n1:elem2 xmlns:n1="http://example.net" xmlns:n2="http://foo.example" xml:lang="en">"#
        ),
        "{out}"
    );
}

#[test]
fn c14n11_does_not_inherit_xml_id_into_a_subset() {
    // Canonical XML 1.1 §2.4: xml:id is not inherited (1.0 copies every xml:
    // attribute of the omitted ancestors); xml:lang still is.
    let doc = Document::parse(br#"<a xml:id="x" xml:lang="ja"><b/></a>"#).unwrap();
    let b = doc.root().unwrap().children()[0];
    let c = |uri: &str| {
        String::from_utf8(
            canonicalize(
                &doc,
                &NodeSet::subtree(b),
                &C14nMethod::from_uri(uri).unwrap(),
            )
            .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(c(C14N_10), r#"<b xml:id="x" xml:lang="ja"></b>"#);
    assert_eq!(c(C14N_11), r#"<b xml:lang="ja"></b>"#);
}
