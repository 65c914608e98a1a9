/// Why a template cannot be deployed. `code` is ARM's error code (`InvalidTemplate`,
/// `InvalidTemplateDeployment`, `NotImplemented`, ...); the message says what and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    pub code: &'static str,
    pub message: String,
    /// Where in the template, e.g. `resources[1].properties.ipConfigurations`.
    pub target: Option<String>,
}

impl TemplateError {
    pub fn invalid(message: impl Into<String>) -> Self {
        TemplateError {
            code: "InvalidTemplate",
            message: message.into(),
            target: None,
        }
    }

    /// A function cerulean knows but does not perform (e.g. `listKeys`): HTTP 501.
    pub fn not_implemented(&self) -> bool {
        self.code == "NotImplemented"
    }
}
