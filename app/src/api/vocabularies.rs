//! `/vocabularies`: the closed sets of codes with their Chinese and English labels.

use poem_openapi::{Object, OpenApi, payload::Json};

use super::ApiTags;
use crate::domain::vocab;

/// One value of a vocabulary.
#[derive(Object)]
pub struct VocabularyTerm {
    /// The code the API sends and takes, such as `hazardous_chemicals`.
    pub code: String,
    /// The Chinese label, such as 危险化学品.
    pub zh: String,
    /// The English label.
    pub en: String,
}

/// A closed vocabulary.
#[derive(Object)]
pub struct Vocabulary {
    /// The vocabulary, named as the fields that hold it (`industry`, `task_status`, …).
    pub name: String,
    /// Its values, in order.
    pub terms: Vec<VocabularyTerm>,
}

/// Every closed vocabulary.
#[derive(Object)]
pub struct Vocabularies {
    /// The vocabularies.
    pub items: Vec<Vocabulary>,
}

/// The vocabularies endpoint.
pub struct VocabulariesApi;

#[OpenApi(tag = "ApiTags::Directories")]
impl VocabulariesApi {
    /// Every closed vocabulary with Chinese and English labels
    ///
    /// Public: the words carry no data. Clients show `zh` (or `en`) and send `code`.
    #[oai(path = "/vocabularies", method = "get")]
    async fn list(&self) -> Json<Vocabularies> {
        let items = vocab::all()
            .into_iter()
            .map(|listing| Vocabulary {
                name: listing.name.to_owned(),
                terms: listing
                    .terms
                    .into_iter()
                    .map(|(code, zh, en)| VocabularyTerm {
                        code: code.to_owned(),
                        zh: zh.to_owned(),
                        en: en.to_owned(),
                    })
                    .collect(),
            })
            .collect();
        Json(Vocabularies { items })
    }
}
