//! The refusals of authorization an error may carry, and the sentences ARM wraps them in.

/// One resource of a template its deployer may not write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateRefusal {
    pub name: String,
    pub type_name: String,
    pub client: String,
    pub object_id: String,
    pub action: String,
    pub scope: String,
}

impl std::fmt::Display for TemplateRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Authorization failed for template resource '{}' of type '{}'. The client '{}' with object id '{}' does not have permission to perform action '{}' at scope '{}'.",
            self.name, self.type_name, self.client, self.object_id, self.action, self.scope
        )
    }
}

/// ARM's sentence around a template's refusals: one is quoted, several are joined with `:`.
pub(super) fn template_refusals_message(refusals: &[TemplateRefusal]) -> String {
    let all: Vec<String> = refusals.iter().map(ToString::to_string).collect();
    match all.as_slice() {
        [one] => format!("The template deployment failed with error: '{one}'."),
        _ => format!(
            "Deployment failed with multiple errors: '{}'",
            all.join(":")
        ),
    }
}

/// A write whose own action is allowed but some resource it references may not be joined
/// (boxed in [`DomainError::LinkedAuthorizationFailed`]: it is the largest error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedRefusal {
    pub client: String,
    pub object_id: String,
    pub action: String,
    pub scope: String,
    /// The refused links, in the order the request names them. Several are listed
    /// comma-separated (GUESS: Azure's transcripts show one).
    pub linked_actions: Vec<String>,
    pub linked_scopes: Vec<String>,
}

impl std::fmt::Display for LinkedRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "The client '{}' with object id '{}' has permission to perform action '{}' on scope '{}'; however, it does not have permission to perform action(s) '{}' on the linked scope(s) '{}' (respectively) or the linked scope(s) are invalid.",
            self.client,
            self.object_id,
            self.action,
            self.scope,
            self.linked_actions.join(","),
            self.linked_scopes.join(",")
        )
    }
}
