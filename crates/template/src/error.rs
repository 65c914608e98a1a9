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

    /// ARM wraps what template validation finds in one sentence; callers recognise it.
    pub(crate) fn validation(detail: impl std::fmt::Display) -> Self {
        TemplateError::invalid(format!(
            "Deployment template validation failed: '{detail}'."
        ))
    }

    pub(crate) fn at(mut self, target: impl Into<String>) -> Self {
        if self.target.is_none() {
            self.target = Some(target.into());
        }
        self
    }
}

/// A failure inside one expression, before it is known where in the template the
/// expression sits. [`Fail::Done`] carries an error that already says where (e.g. a
/// parameter default that failed while another expression asked for it).
#[derive(Clone, Debug)]
pub(crate) enum Fail {
    Eval {
        code: &'static str,
        message: String,
        /// Character offset in the JSON string, when known.
        pos: Option<usize>,
    },
    Done(TemplateError),
}

pub(crate) type EvalResult<T> = Result<T, Fail>;

impl Fail {
    pub(crate) fn invalid(message: impl Into<String>) -> Fail {
        Fail::Eval {
            code: "InvalidTemplate",
            message: message.into(),
            pos: None,
        }
    }

    pub(crate) fn code(code: &'static str, message: impl Into<String>) -> Fail {
        Fail::Eval {
            code,
            message: message.into(),
            pos: None,
        }
    }

    /// Records where the failing call sits unless an inner call already did.
    pub(crate) fn at_pos(self, at: usize) -> Fail {
        match self {
            Fail::Eval {
                code,
                message,
                pos: None,
            } => Fail::Eval {
                code,
                message,
                pos: Some(at),
            },
            other => other,
        }
    }

    /// Turns the failure into a template error for the expression `text` at `path`.
    pub(crate) fn locate(self, path: &str, text: &str) -> TemplateError {
        match self {
            Fail::Done(e) => e,
            Fail::Eval { code, message, pos } => {
                let position = pos
                    .map(|p| format!(" at position {p} of '{}'", abbreviated(text)))
                    .unwrap_or_default();
                let message = if code == "InvalidTemplate" {
                    format!(
                        "Unable to process template language expressions in '{path}'{position}: {message}"
                    )
                } else {
                    // ResourceNotFound and NotImplemented keep ARM's own wording first.
                    format!("{message} (template language expression in '{path}'{position})")
                };
                TemplateError {
                    code,
                    message,
                    target: Some(path.to_string()),
                }
            }
        }
    }
}

/// Long expressions are named by their beginning: a message must not echo megabytes.
fn abbreviated(text: &str) -> std::borrow::Cow<'_, str> {
    const SHOWN: usize = 200;
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}...", &text[..cut]).into(),
        None => text.into(),
    }
}

impl From<TemplateError> for Fail {
    fn from(e: TemplateError) -> Fail {
        Fail::Done(e)
    }
}
