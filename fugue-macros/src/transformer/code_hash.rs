//! The hash of a function's code that deterministic checkpoint keys include
//! (`Transformer::CODE_HASH`): a 64-bit FNV-1a hash, written here because the macro crate
//! depends on nothing but syn, quote and proc-macro2.
//!
//! What is hashed: the macro's kind, the attribute's arguments, and the function item (its
//! signature, body and attributes other than doc comments), as a canonical text of its tokens.
//! Tokens carry no whitespace or comments, and the canonical text ignores how punctuation was
//! spaced, so reformatting a function or editing its comments keeps the hash; any edit of a
//! token changes it. The hash sees only these tokens: a helper function the body calls, a
//! constant it reads or a record type's definition are not part of it (keys include the
//! record schemas separately, and `.version()` salts the rest).

use super::parse::Kind;
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;

/// FNV-1a, 64 bits: stable across platforms, compilers and releases (unlike `std`'s hashers).
struct Fnv(u64);

impl Fnv {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }
}

/// The tokens as text: one unit separator after each token, groups with their delimiters.
fn canonical(tokens: TokenStream, h: &mut Fnv) {
    for token in tokens {
        match token {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("\u{2}", "\u{3}"),
                };
                h.write(open.as_bytes());
                h.write(b"\x1f");
                canonical(group.stream(), h);
                h.write(close.as_bytes());
            }
            TokenTree::Ident(ident) => h.write(ident.to_string().as_bytes()),
            TokenTree::Punct(punct) => h.write(punct.as_char().to_string().as_bytes()),
            TokenTree::Literal(literal) => h.write(literal.to_string().as_bytes()),
        }
        h.write(b"\x1f");
    }
}

/// The code hash of `item` declared with `#[kind(attr)]`.
pub fn code_hash(kind: Kind, attr: &TokenStream, item: &syn::ItemFn) -> u64 {
    let mut h = Fnv(Fnv::OFFSET);
    h.write(b"fugue-code-v1\0");
    h.write(kind.attribute().as_bytes());
    h.write(b"\0");
    canonical(attr.clone(), &mut h);
    h.write(b"\0");
    let mut item = item.clone();
    item.attrs.retain(|a| !a.path().is_ident("doc"));
    canonical(item.to_token_stream(), &mut h);
    h.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn hash(kind: Kind, attr: TokenStream, item: TokenStream) -> u64 {
        code_hash(kind, &attr, &syn::parse2(item).unwrap())
    }

    #[test]
    fn fnv_matches_the_reference_values() {
        // The published FNV-1a 64 test vectors.
        let mut h = Fnv(Fnv::OFFSET);
        h.write(b"");
        assert_eq!(h.0, 0xcbf2_9ce4_8422_2325);
        let mut h = Fnv(Fnv::OFFSET);
        h.write(b"a");
        assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c);
        let mut h = Fnv(Fnv::OFFSET);
        h.write(b"foobar");
        assert_eq!(h.0, 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_hash_changes_with_the_body_and_the_signature_only() {
        let take5 = hash(
            Kind::Transformer,
            quote!(),
            quote! { fn top(rows: Vec<R>) -> Vec<R> { rows.into_iter().take(5).collect() } },
        );
        // The measured failure: `take(5)` edited to `take(3)`.
        let take3 = hash(
            Kind::Transformer,
            quote!(),
            quote! { fn top(rows: Vec<R>) -> Vec<R> { rows.into_iter().take(3).collect() } },
        );
        assert_ne!(take5, take3);
        // Another signature.
        let signature = hash(
            Kind::Transformer,
            quote!(),
            quote! { fn top(rows: Vec<S>) -> Vec<R> { rows.into_iter().take(5).collect() } },
        );
        assert_ne!(take5, signature);
        // Other attribute arguments, another kind.
        assert_ne!(
            take5,
            hash(
                Kind::Transformer,
                quote!(partitionby_has = "k"),
                quote! { fn top(rows: Vec<R>) -> Vec<R> { rows.into_iter().take(5).collect() } },
            )
        );
        assert_ne!(
            take5,
            hash(
                Kind::Processor,
                quote!(),
                quote! { fn top(rows: Vec<R>) -> Vec<R> { rows.into_iter().take(5).collect() } },
            )
        );
        // Doc comments and the spacing of the tokens are not code.
        let reformatted: syn::ItemFn = syn::parse_str(
            "/// The first five rows.\nfn top ( rows : Vec < R > ) -> Vec<R> {\n    // five\n    \
             rows.into_iter().take(5).collect()\n}",
        )
        .unwrap();
        assert_eq!(
            take5,
            code_hash(Kind::Transformer, &TokenStream::new(), &reformatted)
        );
    }
}
