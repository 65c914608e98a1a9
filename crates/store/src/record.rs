/// One stored resource. `body` is the serialized domain value; the store never looks inside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Lower-case id: the primary key.
    pub key: String,
    /// The id as the caller spelled it.
    pub id: String,
    /// Lower-case type path, e.g. `microsoft.network/networkinterfaces`.
    pub kind: String,
    /// Lower-case subscription id.
    pub subscription: String,
    /// Lower-case id of the resource group holding it (`None` for groups themselves).
    pub group_key: Option<String>,
    pub body: String,
    pub etag: String,
}

#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    /// Everything in a subscription (lower-case id).
    Subscription(&'a str),
    /// Everything in a resource group (lower-case group key).
    Group(&'a str),
}

#[derive(Clone, Copy, Debug)]
pub struct ListQuery<'a> {
    pub scope: Scope<'a>,
    /// Only this kind; `None` for every kind.
    pub kind: Option<&'a str>,
    /// Keyset pagination: records with a key greater than this.
    pub after: Option<&'a str>,
    pub limit: usize,
}
