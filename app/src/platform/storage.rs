//! The file store: attachment bytes kept by their SHA-256, behind one
//! interface (`object_store`) with a local-disk and an S3-compatible backend
//! chosen by configuration. Records point at files by hash, so the same scan
//! uploaded twice is stored once and a stored file can never change.
use super::settings::{Settings, StorageConfig};
use crate::error::AppError;
use object_store::{
    ObjectStore, PutPayload, aws::AmazonS3Builder, local::LocalFileSystem, path::Path,
};
use sha2::{Digest, Sha256};
use std::sync::Arc;

#[derive(Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileStore({})", self.inner)
    }
}

impl FileStore {
    pub fn from_settings(s: &Settings) -> Result<Self, String> {
        let inner: Arc<dyn ObjectStore> = match &s.storage {
            StorageConfig::Local => {
                let dir = s.data_dir.join("files");
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("无法创建文件目录 {}：{e}", dir.display()))?;
                Arc::new(
                    LocalFileSystem::new_with_prefix(&dir)
                        .map_err(|e| format!("文件目录不可用：{e}"))?,
                )
            }
            StorageConfig::S3 {
                bucket,
                endpoint,
                region,
                keys,
            } => {
                let mut b = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_region(region);
                if let Some((id, secret)) = keys {
                    b = b.with_access_key_id(id).with_secret_access_key(secret);
                }
                if let Some(ep) = endpoint {
                    // MinIO and most S3-compatible services use path-style URLs.
                    b = b
                        .with_endpoint(ep)
                        .with_virtual_hosted_style_request(false)
                        .with_allow_http(ep.starts_with("http://"));
                }
                Arc::new(b.build().map_err(|e| format!("S3 配置有误：{e}"))?)
            }
        };
        Ok(Self { inner })
    }

    fn path(sha256: &str) -> Path {
        Path::from(format!("{}/{}", &sha256[..2], sha256))
    }

    /// Stores `bytes` and returns their SHA-256 (hex).
    pub async fn put(&self, bytes: Vec<u8>) -> Result<String, AppError> {
        let sha = hex::encode(Sha256::digest(&bytes));
        let path = Self::path(&sha);
        if self.inner.head(&path).await.is_ok() {
            return Ok(sha);
        }
        self.inner
            .put(&path, PutPayload::from(bytes))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "file store write failed");
                AppError::Internal
            })?;
        Ok(sha)
    }

    pub async fn get(&self, sha256: &str) -> Result<Vec<u8>, AppError> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::NotFound);
        }
        let got = self.inner.get(&Self::path(sha256)).await.map_err(|e| {
            tracing::error!(error = %e, "file store read failed");
            match e {
                object_store::Error::NotFound { .. } => AppError::NotFound,
                _ => AppError::Internal,
            }
        })?;
        let bytes = got.bytes().await.map_err(|_| AppError::Internal)?;
        Ok(bytes.to_vec())
    }

    /// Every stored file's hash and when it was stored (the sweep).
    pub async fn list_dated(
        &self,
    ) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>)>, AppError> {
        use futures::TryStreamExt;
        let metas: Vec<_> = self.inner.list(None).try_collect().await.map_err(|e| {
            tracing::error!(error = %e, "file store list failed");
            AppError::Internal
        })?;
        Ok(metas
            .into_iter()
            .filter_map(|m| Some((m.location.filename()?.to_string(), m.last_modified)))
            .filter(|(n, _)| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit()))
            .collect())
    }

    /// Removes a stored file (the sweep, for files no record points at).
    pub async fn delete(&self, sha256: &str) -> Result<(), AppError> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::NotFound);
        }
        self.inner.delete(&Self::path(sha256)).await.map_err(|e| {
            tracing::error!(error = %e, "file store delete failed");
            AppError::Internal
        })
    }

    /// The hashes of every stored file (the backup).
    pub async fn list(&self) -> Result<Vec<String>, AppError> {
        Ok(self
            .list_dated()
            .await?
            .into_iter()
            .map(|(sha, _)| sha)
            .collect())
    }
}
