use patchbay_schema::{Schema, Shape};
use serde::{de::DeserializeOwned, Serialize};

/// One API operation: a name on the wire and the types of its own inputs and outputs.
pub trait Operation: Send + Sync + 'static {
    /// The wire name: the SOAP body element, the SOAPAction suffix, the JSON path segment.
    const NAME: &'static str;
    const DOC: &'static str;
    /// The operation's own request fields (without Credentials, Session and Debug).
    type Input: Schema + Serialize + DeserializeOwned + Send + 'static;
    /// The operation's own result fields (without Header).
    type Output: Schema + Serialize + DeserializeOwned + Send + 'static;
}

/// What a binding needs to know about an operation, without its Rust types.
#[derive(Clone, Copy)]
pub struct OpInfo {
    pub name: &'static str,
    pub doc: &'static str,
    pub input: fn() -> Shape,
    pub output: fn() -> Shape,
}

impl OpInfo {
    pub fn of<O: Operation>() -> Self {
        OpInfo { name: O::NAME, doc: O::DOC, input: O::Input::shape, output: O::Output::shape }
    }
}

/// Declares operation marker types and the list of all of them.
#[macro_export]
#[doc(hidden)]
macro_rules! declare_operations {
    ($( $(#[doc = $doc:literal])* $marker:ident = $name:literal ($input:ty) -> $output:ty; )*) => {
        $(
            $(#[doc = $doc])*
            pub struct $marker;
            impl $crate::Operation for $marker {
                const NAME: &'static str = $name;
                const DOC: &'static str = concat!($($doc, "\n"),*);
                type Input = $input;
                type Output = $output;
            }
        )*

        /// Every operation the server implements, in the order the WSDL lists them.
        pub fn operations() -> Vec<$crate::OpInfo> {
            vec![$($crate::OpInfo::of::<$marker>()),*]
        }
    };
}
