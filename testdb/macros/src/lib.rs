//! `#[both_engines]`: one test case per database engine, so that a failure on
//! PostgreSQL cannot hide the SQLite result, nor the other way round.
//!
//! Written on the plain `proc_macro` API: the attribute only needs the
//! function's name and return type, and rustfmt keeps formatting the body
//! (it does not format the inside of a `macro_rules!` call).

use proc_macro::{Delimiter, TokenStream, TokenTree};

/// Runs `async fn name(backend: Backend)` as two tests, `name_on_sqlite` and
/// `name_on_postgres`.
///
/// The PostgreSQL case passes without running when
/// `SPOTCHECK_TEST_POSTGRES_URL` is not set (saying so once per test binary).
/// Arguments are handed to `#[tokio::test]`:
/// `#[both_engines(flavor = "multi_thread", worker_threads = 2)]`. The function
/// may return `()` or `Result<(), E>`.
#[proc_macro_attribute]
pub fn both_engines(args: TokenStream, item: TokenStream) -> TokenStream {
    let signature = match Signature::of(&item) {
        Ok(signature) => signature,
        Err(message) => return compile_error(message),
    };
    let tokio_test = if args.is_empty() {
        "#[::tokio::test]".to_owned()
    } else {
        format!("#[::tokio::test({args})]")
    };
    let Signature { name, returns } = signature;
    let cases = format!(
        "{tokio_test}
        async fn {name}_on_sqlite() {returns} {{
            {name}(::testdb::Backend::Sqlite).await
        }}

        {tokio_test}
        async fn {name}_on_postgres() {returns} {{
            if ::testdb::skip_postgres() {{
                return ::testdb::Skipped::skipped();
            }}
            {name}(::testdb::Backend::Postgres).await
        }}"
    );
    let mut out = item;
    out.extend(parse(&cases));
    out
}

/// What the generated tests need of the function.
struct Signature {
    name: String,
    /// `-> T`, or nothing.
    returns: String,
}

impl Signature {
    fn of(item: &TokenStream) -> Result<Self, &'static str> {
        let tokens: Vec<TokenTree> = item.clone().into_iter().collect();
        let is_word = |token: &TokenTree, word: &str| matches!(token, TokenTree::Ident(ident) if ident.to_string() == word);
        let at_fn = tokens
            .iter()
            .position(|token| is_word(token, "fn"))
            .ok_or("#[both_engines] goes on an `async fn`")?;
        if !tokens[..at_fn].iter().any(|token| is_word(token, "async")) {
            return Err("#[both_engines] goes on an `async fn`");
        }
        let Some(TokenTree::Ident(name)) = tokens.get(at_fn + 1) else {
            return Err("#[both_engines] needs a named function");
        };
        let params_at = at_fn + 2;
        match tokens.get(params_at) {
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis => {}
            _ => return Err("#[both_engines] takes `fn name(backend: Backend)`, without generics"),
        }
        let Some((TokenTree::Group(body), between)) = tokens[params_at + 1..].split_last() else {
            return Err("#[both_engines] needs a function body");
        };
        if body.delimiter() != Delimiter::Brace {
            return Err("#[both_engines] needs a function body");
        }
        let returns = between.iter().cloned().collect::<TokenStream>().to_string();
        Ok(Self {
            name: name.to_string(),
            returns,
        })
    }
}

fn parse(code: &str) -> TokenStream {
    code.parse()
        .unwrap_or_else(|_| compile_error("#[both_engines] wrote code that does not parse"))
}

fn compile_error(message: &str) -> TokenStream {
    format!("compile_error!({message:?});")
        .parse()
        .unwrap_or_default()
}
