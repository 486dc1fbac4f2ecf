//! The thin FFI to the system libxml2 (Debian `libxml2`, headers and link
//! name from `libxml2-dev`): the parser, the tree, the C14N module and an
//! output buffer — nothing else. The structures are declared up to the last
//! field hozon reads, with the layouts of libxml2's public `tree.h` and
//! `xmlerror.h`, which have been stable across libxml2 2.x.
#![allow(non_camel_case_types, dead_code)]

use std::ffi::{c_char, c_int, c_uint, c_ushort, c_void};

pub type xmlChar = u8;

/// `xmlElementType` values hozon tests for.
pub const XML_ELEMENT_NODE: c_uint = 1;
pub const XML_ATTRIBUTE_NODE: c_uint = 2;
pub const XML_TEXT_NODE: c_uint = 3;
pub const XML_CDATA_SECTION_NODE: c_uint = 4;
pub const XML_DOCUMENT_NODE: c_uint = 9;
pub const XML_NAMESPACE_DECL: c_uint = 18;

/// `xmlParserOption` values.
pub const XML_PARSE_NOERROR: c_int = 1 << 5;
pub const XML_PARSE_NOWARNING: c_int = 1 << 6;
pub const XML_PARSE_NONET: c_int = 1 << 11;

/// `xmlC14NMode` values.
pub const XML_C14N_1_0: c_int = 0;
pub const XML_C14N_EXCLUSIVE_1_0: c_int = 1;
pub const XML_C14N_1_1: c_int = 2;

#[repr(C)]
pub struct xmlNs {
    pub next: *mut xmlNs,
    pub type_: c_uint,
    pub href: *const xmlChar,
    pub prefix: *const xmlChar,
    pub _private: *mut c_void,
    pub context: *mut xmlDoc,
}

#[repr(C)]
pub struct xmlNode {
    pub _private: *mut c_void,
    pub type_: c_uint,
    pub name: *const xmlChar,
    pub children: *mut xmlNode,
    pub last: *mut xmlNode,
    pub parent: *mut xmlNode,
    pub next: *mut xmlNode,
    pub prev: *mut xmlNode,
    pub doc: *mut xmlDoc,
    pub ns: *mut xmlNs,
    pub content: *mut xmlChar,
    pub properties: *mut xmlAttr,
    pub ns_def: *mut xmlNs,
    pub psvi: *mut c_void,
    pub line: c_ushort,
    pub extra: c_ushort,
}

#[repr(C)]
pub struct xmlAttr {
    pub _private: *mut c_void,
    pub type_: c_uint,
    pub name: *const xmlChar,
    pub children: *mut xmlNode,
    pub last: *mut xmlNode,
    pub parent: *mut xmlNode,
    pub next: *mut xmlAttr,
    pub prev: *mut xmlAttr,
    pub doc: *mut xmlDoc,
    pub ns: *mut xmlNs,
    pub atype: c_uint,
    pub psvi: *mut c_void,
}

/// `xmlDoc`, up to `extSubset` (the rest is never read).
#[repr(C)]
pub struct xmlDoc {
    pub _private: *mut c_void,
    pub type_: c_uint,
    pub name: *mut c_char,
    pub children: *mut xmlNode,
    pub last: *mut xmlNode,
    pub parent: *mut xmlNode,
    pub next: *mut xmlNode,
    pub prev: *mut xmlNode,
    pub doc: *mut xmlDoc,
    pub compression: c_int,
    pub standalone: c_int,
    pub int_subset: *mut c_void,
    pub ext_subset: *mut c_void,
}

/// `xmlError`, up to `line`.
#[repr(C)]
pub struct xmlError {
    pub domain: c_int,
    pub code: c_int,
    pub message: *mut c_char,
    pub level: c_uint,
    pub file: *mut c_char,
    pub line: c_int,
}

pub type xmlC14NIsVisibleCallback = Option<
    unsafe extern "C" fn(user_data: *mut c_void, node: *mut xmlNode, parent: *mut xmlNode) -> c_int,
>;
pub type xmlOutputWriteCallback =
    Option<unsafe extern "C" fn(context: *mut c_void, buffer: *const c_char, len: c_int) -> c_int>;
pub type xmlOutputCloseCallback = Option<unsafe extern "C" fn(context: *mut c_void) -> c_int>;

#[link(name = "xml2")]
unsafe extern "C" {
    pub fn xmlInitParser();
    pub fn xmlNewParserCtxt() -> *mut c_void;
    pub fn xmlFreeParserCtxt(ctxt: *mut c_void);
    pub fn xmlCtxtReadMemory(
        ctxt: *mut c_void,
        buffer: *const c_char,
        size: c_int,
        url: *const c_char,
        encoding: *const c_char,
        options: c_int,
    ) -> *mut xmlDoc;
    pub fn xmlCtxtGetLastError(ctxt: *mut c_void) -> *mut xmlError;
    pub fn xmlFreeDoc(doc: *mut xmlDoc);
    pub fn xmlDocGetRootElement(doc: *const xmlDoc) -> *mut xmlNode;
    pub fn xmlC14NExecute(
        doc: *mut xmlDoc,
        is_visible_callback: xmlC14NIsVisibleCallback,
        user_data: *mut c_void,
        mode: c_int,
        inclusive_ns_prefixes: *mut *mut xmlChar,
        with_comments: c_int,
        buf: *mut c_void,
    ) -> c_int;
    pub fn xmlOutputBufferCreateIO(
        iowrite: xmlOutputWriteCallback,
        ioclose: xmlOutputCloseCallback,
        ioctx: *mut c_void,
        encoder: *mut c_void,
    ) -> *mut c_void;
    pub fn xmlOutputBufferClose(out: *mut c_void) -> c_int;
}
