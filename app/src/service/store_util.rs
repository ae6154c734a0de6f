//! SQL expressions the capabilities' stores share: text matched literally
//! with `LIKE`, the same on SQLite and PostgreSQL.

use sea_orm::{
    ColumnTrait,
    sea_query::{Expr, ExprTrait as _, Func, LikeExpr, SimpleExpr},
};

/// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
#[must_use]
pub fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `column LIKE 'text%'` with the user's text matched literally.
pub fn text_starts_with(column: impl ColumnTrait, text: &str) -> SimpleExpr {
    Expr::col(column.as_column_ref())
        .like(LikeExpr::new(format!("{}%", like_escape(text))).escape('\\'))
}

/// A case-insensitive search: `LOWER(column) LIKE '%text%'`, the text matched
/// literally, the same on SQLite and PostgreSQL.
pub fn text_contains(column: impl ColumnTrait, text: &str) -> SimpleExpr {
    Expr::expr(Func::lower(Expr::col(column.as_column_ref())))
        .like(LikeExpr::new(format!("%{}%", like_escape(&text.to_lowercase()))).escape('\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_escape("50%_a\\b"), "50\\%\\_a\\\\b");
        assert_eq!(like_escape("河北"), "河北");
    }
}
