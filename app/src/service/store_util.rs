//! SQL expressions the capabilities' stores share: text matched literally
//! with `LIKE`, the same on SQLite and PostgreSQL, and the enterprises a list
//! of their items is narrowed to.

use std::collections::HashMap;

use entities::enterprise;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait as _, QueryFilter as _, QuerySelect as _,
    QueryTrait as _,
    sea_query::{Expr, ExprTrait as _, Func, LikeExpr, SelectStatement, SimpleExpr},
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

/// `SELECT id FROM enterprise WHERE region_code LIKE 'prefix%'`: the
/// enterprises in a region subtree, for narrowing their risks or hazards.
#[must_use]
pub fn enterprises_below(region_prefix: &str) -> SelectStatement {
    enterprise::Entity::find()
        .select_only()
        .column(enterprise::Column::Id)
        .filter(text_starts_with(
            enterprise::Column::RegionCode,
            region_prefix,
        ))
        .into_query()
}

/// The enterprises with these ids, by id: the owners of a page of risks or hazards.
///
/// # Errors
/// When the database fails.
pub async fn enterprises_by_id<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> crate::error::AppResult<HashMap<i64, enterprise::Model>> {
    Ok(enterprise::Entity::find()
        .filter(enterprise::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect())
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
