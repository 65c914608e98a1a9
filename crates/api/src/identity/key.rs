//! The identity's signing key: where it is kept, and how a server loads it (from the store,
//! seeded from or written to the data directory's key file).

use super::{AuthMode, Directory, Identity, PrincipalsFile, B64, SIGNING_KEY_SECRET};
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};
use std::path::Path;

/// Where the signing key lives inside a data directory.
pub fn key_path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("identity").join("signing-key.pem")
}

/// Where the signing key is kept besides the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyFile {
    /// Read once to seed a store that has no key yet (a data directory of an earlier
    /// version); the store stays the key's home.
    SeedOnly,
    /// Also written, for a store that does not outlive the process (`--in-memory`).
    Keep,
}

impl Identity {
    /// The signing key from the store. A store without one takes the data directory's key
    /// file if there is one, else a new key; of servers starting together on an empty
    /// database, the first to commit decides (`App::secret_or_insert`).
    pub async fn load(
        app: &cerulean_app::App,
        data_dir: &Path,
        file: KeyFile,
        mode: AuthMode,
        principals: Option<PrincipalsFile>,
    ) -> Result<Identity, String> {
        let path = key_path(data_dir);
        let on_disk = match std::fs::read_to_string(&path) {
            Ok(p) => Some(p),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let candidate = match &on_disk {
            Some(pem) => pem.clone(),
            None => rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
                .map_err(|e| format!("cannot create the signing key: {e}"))?
                .serialize_pem(),
        };
        let pem = app
            .secret_or_insert(SIGNING_KEY_SECRET, candidate)
            .await
            .map_err(|e| format!("cannot keep the signing key in the store: {e}"))?;
        if file == KeyFile::Keep && on_disk.as_deref() != Some(pem.as_str()) {
            let dir = path.parent().expect("key path has a parent");
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            write_private(&path, &pem)?;
        }
        Self::from_pem(&pem, mode, principals)
            .map_err(|e| format!("cannot load the signing key: {e}"))
    }

    /// Builds an identity from a PKCS#8 PEM P-256 key.
    pub fn from_pem(
        pem: &str,
        mode: AuthMode,
        principals: Option<PrincipalsFile>,
    ) -> Result<Identity, String> {
        let key = rcgen::KeyPair::from_pem(pem).map_err(|e| e.to_string())?;
        if !key.is_compatible(&rcgen::PKCS_ECDSA_P256_SHA256) {
            return Err("the signing key must be an ECDSA P-256 key".into());
        }
        let public = key.public_key_raw().to_vec();
        if public.len() != 65 || public[0] != 4 {
            return Err("unexpected public key encoding".into());
        }
        let x = B64.encode(&public[1..33]);
        let y = B64.encode(&public[33..65]);
        let kid = B64.encode(&public[1..13]);
        Ok(Identity {
            mode,
            encoding: EncodingKey::from_ec_der(&key.serialize_der()),
            decoding: DecodingKey::from_ec_der(&public),
            kid,
            x,
            y,
            directory: Directory::new(principals),
        })
    }
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(())
}
