//! Running the workbook writers of the `reports` crate off the async runtime.

use reports::export::XlsxError;

use crate::error::{AppError, AppResult};

/// Runs a writer step off the async runtime: workbook writing is CPU and file work.
pub(super) async fn blocking<T: Send + 'static>(
    step: impl FnOnce() -> Result<T, XlsxError> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(step)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("report writer stopped: {e}")))?
        .map_err(|e| match e {
            XlsxError::RowColumnLimitError => AppError::TooLarge(
                "the report has more rows than an Excel sheet holds (1,048,574); \
                 export a shorter period or a smaller region"
                    .to_owned()
                    .into(),
            ),
            other => AppError::Internal(anyhow::anyhow!("Failed to write the report: {other}")),
        })
}
