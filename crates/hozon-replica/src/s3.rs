//! A replica in an S3-compatible bucket with Object Lock.
//!
//! # Why these checks
//!
//! Servers differ (shared/notes/object-storage.md): some accept Object Lock
//! settings and enforce nothing, Ceph RGW silently drops the lock headers of
//! a multipart upload. So hozon trusts no answer it has not read back:
//! [`Replica::check`] requires GetObjectLockConfiguration to say
//! `ObjectLockEnabled=Enabled` (a 501/405 or a missing configuration is a
//! refusal, never "fine"), and every put is followed by a HeadObject of the
//! new version whose size, recorded SHA-256 and lock (mode and retain-until,
//! to the second) must equal what was sent.
//!
//! # Write-once
//!
//! A bucket with Object Lock is versioned: a put of an existing key creates
//! a new version beside the locked one. This module never calls
//! PutObjectRetention, DeleteObject or anything else that could shorten,
//! replace or remove a lock.
//!
//! # Transfer
//!
//! Files up to [`MULTIPART_THRESHOLD`] go as one PutObject carrying
//! `x-amz-checksum-sha256` (the caller's digest, so the server rejects a body
//! that differs) and the lock headers. Larger files go as a multipart upload
//! of [`PART_SIZE`] parts, one part in memory at a time (constant memory),
//! the lock headers on CreateMultipartUpload, each part with the SDK's CRC32
//! checksum; the parts are hashed as they are sent and the upload is only
//! completed if the SHA-256 of everything sent is the caller's, else
//! aborted. The SHA-256 is kept as the user metadata `hozon-sha256`. Small
//! files are hashed before the transfer and must equal the caller's digest.
//!
//! The SDK is async; [`S3Replica`] owns a small tokio runtime and exposes the
//! blocking [`Replica`] API, callable from many threads at once.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{
    CompletedMultipartUpload, CompletedPart, ObjectLockEnabled, ObjectLockMode,
};
use aws_sdk_s3::Client;
use time::OffsetDateTime;

use crate::credentials::S3Credentials;
use crate::error::{ReplicaError, Result};
use crate::file::Staged;
use crate::{validate_key, ObjectState, Replica, Retention, RetentionMode, Sha256, StoredObject};

/// Files larger than this go as multipart uploads.
pub const MULTIPART_THRESHOLD: u64 = 16 * 1024 * 1024;
/// Part size of multipart uploads (S3 allows at most 10,000 parts: 160 GiB).
pub const PART_SIZE: u64 = 16 * 1024 * 1024;
/// User-metadata name of the SHA-256 (`x-amz-meta-hozon-sha256`).
pub const SHA256_METADATA: &str = "hozon-sha256";
/// HeadObject requests in flight at once while listing.
const LIST_CONCURRENCY: usize = 32;

/// Where an S3 replica lives. Holds no secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Config {
    /// Endpoint URL (`https://s3.example.jp`, `http://127.0.0.1:8333`).
    pub endpoint: String,
    /// Region (`us-east-1` for most S3-compatible servers).
    pub region: String,
    /// Bucket, created with Object Lock.
    pub bucket: String,
    /// Key prefix inside the bucket (`""` or e.g. `hospital-a/archive`).
    pub prefix: String,
    /// Path-style addressing (`URL/bucket/key`), needed by SeaweedFS, MinIO
    /// and most on-premises servers.
    pub path_style: bool,
}

/// An S3 bucket with Object Lock as a write-once replica.
pub struct S3Replica {
    config: S3Config,
    prefix: String,
    client: Client,
    runtime: tokio::runtime::Runtime,
}

impl fmt::Debug for S3Replica {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Replica")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl S3Replica {
    /// A replica for `config`, authenticating with `credentials` (see
    /// [`S3Credentials::from_environment`]). Connects to nothing yet.
    pub fn new(config: S3Config, credentials: S3Credentials) -> Result<S3Replica> {
        if !(config.endpoint.starts_with("http://") || config.endpoint.starts_with("https://")) {
            return Err(ReplicaError::Config(format!(
                "endpoint {:?} must start with http:// or https://",
                config.endpoint
            )));
        }
        if config.bucket.is_empty() {
            return Err(ReplicaError::Config("the bucket name is empty".into()));
        }
        let trimmed = config.prefix.trim_matches('/');
        if !trimmed.is_empty() {
            validate_key(trimmed)?;
        }
        let prefix = if trimmed.is_empty() {
            String::new()
        } else {
            format!("{trimmed}/")
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hozon-s3")
            .enable_all()
            .build()
            .map_err(|e| {
                ReplicaError::Config(format!("cannot start the S3 client runtime: {e}"))
            })?;
        let timeouts = aws_sdk_s3::config::timeout::TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(120))
            .operation_attempt_timeout(Duration::from_secs(900))
            .build();
        let sdk_config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(config.endpoint.trim_end_matches('/'))
            .region(Region::new(config.region.clone()))
            .credentials_provider(Credentials::new(
                credentials.access_key_id.clone(),
                credentials.secret_access_key.clone(),
                credentials.session_token.clone(),
                None,
                "hozon",
            ))
            .force_path_style(config.path_style)
            .timeout_config(timeouts)
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::standard().with_max_attempts(3))
            .build();
        Ok(S3Replica {
            client: Client::from_conf(sdk_config),
            config,
            prefix,
            runtime,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &S3Config {
        &self.config
    }

    /// The bucket key of `key`.
    pub fn object_key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Turns an SDK error into a clear one: unreachable endpoint, rejected
    /// credentials, missing bucket, or the server's code and message.
    fn classify<E>(
        &self,
        err: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
        operation: &'static str,
        key: &str,
    ) -> ReplicaError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let endpoint = self.config.endpoint.clone();
        match &err {
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
                return ReplicaError::Unreachable {
                    endpoint,
                    detail: format!("{operation}: {}", error_chain(&err)),
                }
            }
            _ => {}
        }
        let status = err.raw_response().map(|r| r.status().as_u16());
        let code = err.code().unwrap_or("").to_string();
        let message = err.message().unwrap_or("").to_string();
        let detail = match (status, code.is_empty()) {
            (Some(s), false) => format!("HTTP {s} {code}: {message}"),
            (Some(s), true) => format!("HTTP {s}"),
            (None, _) => error_chain(&err),
        };
        match code.as_str() {
            "InvalidAccessKeyId"
            | "SignatureDoesNotMatch"
            | "InvalidToken"
            | "ExpiredToken"
            | "InvalidSecurity"
            | "AuthorizationHeaderMalformed" => {
                return ReplicaError::CredentialsRejected { endpoint, detail }
            }
            "NoSuchBucket" => {
                return ReplicaError::BucketMissing {
                    bucket: self.config.bucket.clone(),
                    endpoint,
                }
            }
            _ => {}
        }
        // HEAD answers carry no body: a bare 403 is the only sign.
        if status == Some(403) && code.is_empty() {
            return ReplicaError::CredentialsRejected {
                endpoint,
                detail: format!("{operation} {key}: HTTP 403 (access key unknown, signature wrong, or no permission)"),
            };
        }
        ReplicaError::S3 {
            replica: self.describe(),
            operation,
            key: key.to_string(),
            detail,
        }
    }

    async fn head_async(&self, key: &str, version: Option<&str>) -> Result<Option<ObjectState>> {
        let result = self
            .client
            .head_object()
            .bucket(&self.config.bucket)
            .key(self.object_key(key))
            .set_version_id(version.map(str::to_string))
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            Err(err) => {
                let status = err.raw_response().map(|r| r.status().as_u16());
                // 404: no such key; 405 with a delete marker as the latest
                // version: deleted (for hozon, absent).
                if matches!(status, Some(404)) || (status == Some(405) && version.is_none()) {
                    return Ok(None);
                }
                return Err(self.classify(err, "HeadObject", key));
            }
        };
        if output.delete_marker() == Some(true) {
            return Ok(None);
        }
        Ok(Some(state_of(key, &output)))
    }

    async fn put_async(
        &self,
        key: &str,
        local: &Path,
        sha256: &Sha256,
        retention: &Retention,
    ) -> Result<StoredObject> {
        let size = std::fs::metadata(local)
            .map_err(|e| ReplicaError::io(local, "cannot read the local file", e))?
            .len();
        let until = DateTime::from_secs(retention.retain_until.unix_timestamp());
        let mode = lock_mode(retention.mode);
        let object_key = self.object_key(key);
        let version = if size <= MULTIPART_THRESHOLD {
            let body = ByteStream::from_path(local)
                .await
                .map_err(|e| ReplicaError::io(local, "cannot open", std::io::Error::other(e)))?;
            let output = self
                .client
                .put_object()
                .bucket(&self.config.bucket)
                .key(&object_key)
                .body(body)
                .content_length(size as i64)
                .metadata(SHA256_METADATA, sha256.to_hex())
                .checksum_sha256(openssl::base64::encode_block(&sha256.0))
                .object_lock_mode(mode)
                .object_lock_retain_until_date(until)
                .send()
                .await
                .map_err(|e| self.classify(e, "PutObject", key))?;
            output.version_id().map(str::to_string)
        } else {
            self.multipart(key, &object_key, local, size, sha256, mode, until)
                .await?
        };
        let Some(version) = version else {
            return Err(ReplicaError::S3 {
                replica: self.describe(),
                operation: "PutObject",
                key: key.to_string(),
                detail: "the server returned no version id: the bucket is not versioned, so Object Lock cannot be in force".into(),
            });
        };

        // Read back the version just written.
        let Some(state) = self.head_async(key, Some(&version)).await? else {
            return Err(ReplicaError::NotFound {
                replica: self.describe(),
                key: format!("{key} (version {version}, just uploaded)"),
            });
        };
        check_read_back(
            &self.describe(),
            key,
            &version,
            size,
            sha256,
            retention,
            &state,
        )?;
        Ok(StoredObject {
            key: key.to_string(),
            version,
            size,
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn multipart(
        &self,
        key: &str,
        object_key: &str,
        local: &Path,
        size: u64,
        sha256: &Sha256,
        mode: ObjectLockMode,
        until: DateTime,
    ) -> Result<Option<String>> {
        let created = self
            .client
            .create_multipart_upload()
            .bucket(&self.config.bucket)
            .key(object_key)
            .metadata(SHA256_METADATA, sha256.to_hex())
            .object_lock_mode(mode)
            .object_lock_retain_until_date(until)
            .send()
            .await
            .map_err(|e| self.classify(e, "CreateMultipartUpload", key))?;
        let Some(upload_id) = created.upload_id().map(str::to_string) else {
            return Err(ReplicaError::S3 {
                replica: self.describe(),
                operation: "CreateMultipartUpload",
                key: key.to_string(),
                detail: "no upload id in the answer".into(),
            });
        };
        let result = self
            .upload_parts(key, object_key, local, size, sha256, &upload_id)
            .await;
        match result {
            Ok(version) => Ok(version),
            Err(err) => {
                // Best effort: the parts of an aborted upload are freed.
                let _ = self
                    .client
                    .abort_multipart_upload()
                    .bucket(&self.config.bucket)
                    .key(object_key)
                    .upload_id(&upload_id)
                    .send()
                    .await;
                Err(err)
            }
        }
    }

    async fn upload_parts(
        &self,
        key: &str,
        object_key: &str,
        local: &Path,
        size: u64,
        sha256: &Sha256,
        upload_id: &str,
    ) -> Result<Option<String>> {
        use std::io::Read;
        let mut file =
            std::fs::File::open(local).map_err(|e| ReplicaError::io(local, "cannot open", e))?;
        let mut hasher = openssl::sha::Sha256::new();
        let mut parts = Vec::new();
        let mut offset = 0u64;
        let mut number = 1i32;
        while offset < size {
            let length = PART_SIZE.min(size - offset);
            // One part in memory at a time: the bytes hashed are exactly
            // the bytes sent, whatever happens to the file meanwhile.
            let mut buffer = vec![0u8; usize::try_from(length).unwrap_or(usize::MAX)];
            file.read_exact(&mut buffer)
                .map_err(|e| ReplicaError::io(local, "cannot read (did the file shrink?)", e))?;
            hasher.update(&buffer);
            let body = ByteStream::from(buffer);
            let output = self
                .client
                .upload_part()
                .bucket(&self.config.bucket)
                .key(object_key)
                .upload_id(upload_id)
                .part_number(number)
                .content_length(length as i64)
                .body(body)
                .send()
                .await
                .map_err(|e| self.classify(e, "UploadPart", key))?;
            parts.push(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(output.e_tag().map(str::to_string))
                    .set_checksum_crc32(output.checksum_crc32().map(str::to_string))
                    .build(),
            );
            offset += length;
            number += 1;
        }
        let mut probe = [0u8; 1];
        let grew = file
            .read(&mut probe)
            .map_err(|e| ReplicaError::io(local, "cannot read", e))?
            > 0;
        let sent = Sha256(hasher.finish());
        if grew || sent != *sha256 {
            // Not completed: the caller aborts the upload, nothing is stored.
            return Err(ReplicaError::Mismatch {
                place: local.display().to_string(),
                reason: format!("the bytes read for the upload have SHA-256 {sent}{}, expected {sha256}: the local file is not the recorded one; not replicated", if grew { " and the file grew" } else { "" }),
            });
        }
        let output = self
            .client
            .complete_multipart_upload()
            .bucket(&self.config.bucket)
            .key(object_key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| self.classify(e, "CompleteMultipartUpload", key))?;
        Ok(output.version_id().map(str::to_string))
    }

    async fn get_async(
        &self,
        key: &str,
        version: Option<&str>,
        dest: &Path,
    ) -> Result<ObjectState> {
        let output = self
            .client
            .get_object()
            .bucket(&self.config.bucket)
            .key(self.object_key(key))
            .set_version_id(version.map(str::to_string))
            .send()
            .await
            .map_err(|e| match e.raw_response().map(|r| r.status().as_u16()) {
                Some(404) | Some(405) => ReplicaError::NotFound {
                    replica: self.describe(),
                    key: match version {
                        Some(v) => format!("{key} version {v}"),
                        None => key.to_string(),
                    },
                },
                _ => self.classify(e, "GetObject", key),
            })?;
        let recorded = recorded_sha256(output.metadata());
        let state = ObjectState {
            key: key.to_string(),
            size: output
                .content_length()
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(0),
            sha256: recorded,
            retention: retention_of(
                output.object_lock_mode(),
                output.object_lock_retain_until_date(),
            ),
            version: output.version_id().map(str::to_string),
        };
        let mut staged = Staged::beside(dest)?;
        let mut body = output.body;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| ReplicaError::Unreachable {
                endpoint: self.config.endpoint.clone(),
                detail: format!("GetObject {key}: transfer broken: {}", error_chain(&e)),
            })?;
            staged.write(&chunk)?;
        }
        let size = staged.written();
        let got = staged.finish(false)?;
        let place = format!("{}: {key}", self.describe());
        match recorded {
            None => {
                return Err(ReplicaError::Mismatch {
                    place,
                    reason: format!(
                        "no {SHA256_METADATA} metadata: not an object written by hozon"
                    ),
                })
            }
            Some(recorded) if recorded != got || size != state.size => {
                return Err(ReplicaError::Mismatch {
                    place,
                    reason: format!(
                        "read {size} bytes with SHA-256 {got}, recorded {recorded} ({} bytes)",
                        state.size
                    ),
                })
            }
            Some(_) => {}
        }
        staged
            .publish(dest)
            .map_err(|e| ReplicaError::io(dest, "cannot publish", e))?;
        Ok(state)
    }

    async fn versions_async(&self, key: &str) -> Result<Vec<ObjectState>> {
        let object_key = self.object_key(key);
        let mut ids = Vec::new();
        let mut key_marker: Option<String> = None;
        let mut version_marker: Option<String> = None;
        loop {
            let output = self
                .client
                .list_object_versions()
                .bucket(&self.config.bucket)
                .prefix(&object_key)
                .set_key_marker(key_marker.take())
                .set_version_id_marker(version_marker.take())
                .send()
                .await
                .map_err(|e| self.classify(e, "ListObjectVersions", key))?;
            // Newest first for each key (the S3 order).
            for version in output.versions() {
                if version.key() == Some(object_key.as_str()) {
                    if let Some(id) = version.version_id() {
                        ids.push(id.to_string());
                    }
                }
            }
            if output.is_truncated() == Some(true) {
                key_marker = output.next_key_marker().map(str::to_string);
                version_marker = output.next_version_id_marker().map(str::to_string);
                if key_marker.is_none() && version_marker.is_none() {
                    break;
                }
            } else {
                break;
            }
        }
        let mut states = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(LIST_CONCURRENCY) {
            let heads = chunk
                .iter()
                .map(|id| self.head_async(key, Some(id.as_str())))
                .collect();
            for result in join_all(heads).await {
                if let Some(state) = result? {
                    states.push(state);
                }
            }
        }
        Ok(states)
    }

    async fn list_async(&self, prefix: &str) -> Result<Vec<ObjectState>> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let output = self
                .client
                .list_objects_v2()
                .bucket(&self.config.bucket)
                .prefix(self.object_key(prefix))
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| self.classify(e, "ListObjectsV2", prefix))?;
            for object in output.contents() {
                if let Some(key) = object.key().and_then(|k| k.strip_prefix(&self.prefix)) {
                    keys.push(key.to_string());
                }
            }
            match output.next_continuation_token() {
                Some(next) if output.is_truncated() == Some(true) => token = Some(next.to_string()),
                _ => break,
            }
        }
        keys.sort();
        keys.dedup();
        let mut states = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(LIST_CONCURRENCY) {
            let heads = chunk.iter().map(|key| self.head_async(key, None));
            let mut handles = Vec::with_capacity(chunk.len());
            for head in heads {
                handles.push(head);
            }
            for result in join_all(handles).await {
                if let Some(state) = result? {
                    states.push(state);
                }
            }
        }
        Ok(states)
    }
}

/// An error and its sources, each shown once: `dispatch failure: io error:
/// tcp connect error: Connection refused (os error 111)`.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// Polls all futures concurrently on the current task (no spawning, so they
/// may borrow), returning their outputs in order.
async fn join_all<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future,
    F::Output: Unpin,
{
    use std::pin::Pin;
    use std::task::{Context, Poll};
    struct JoinAll<F: std::future::Future> {
        futures: Vec<Pin<Box<F>>>,
        outputs: Vec<Option<F::Output>>,
    }
    impl<F: std::future::Future> std::future::Future for JoinAll<F>
    where
        F::Output: Unpin,
    {
        type Output = Vec<F::Output>;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            let this = self.get_mut();
            let mut pending = false;
            for (future, output) in this.futures.iter_mut().zip(this.outputs.iter_mut()) {
                if output.is_none() {
                    match future.as_mut().poll(cx) {
                        Poll::Ready(value) => *output = Some(value),
                        Poll::Pending => pending = true,
                    }
                }
            }
            if pending {
                Poll::Pending
            } else {
                Poll::Ready(this.outputs.iter_mut().filter_map(Option::take).collect())
            }
        }
    }
    let outputs = futures.iter().map(|_| None).collect();
    JoinAll {
        futures: futures.into_iter().map(Box::pin).collect(),
        outputs,
    }
    .await
}

/// Compares the version read back after an upload with what was sent: the
/// size, the recorded SHA-256 and the lock (mode and retain-until to the
/// second) must all be equal. A server that ignored the lock headers (Ceph
/// on multipart) or stored its bucket default instead fails here.
fn check_read_back(
    replica: &str,
    key: &str,
    version: &str,
    size: u64,
    sha256: &Sha256,
    retention: &Retention,
    state: &ObjectState,
) -> Result<()> {
    if state.size != size || state.sha256 != Some(*sha256) {
        return Err(ReplicaError::Mismatch {
            place: format!("{replica}: {key} version {version}"),
            reason: format!(
                "read back {} bytes with SHA-256 {}, uploaded {size} bytes with {sha256}",
                state.size,
                state.sha256.map_or("none".into(), |s| s.to_hex())
            ),
        });
    }
    if state.retention != Some(*retention) {
        return Err(ReplicaError::RetentionMismatch {
            replica: replica.to_string(),
            key: format!("{key} version {version}"),
            wanted: retention.to_string(),
            got: state.retention.map_or("no lock".into(), |r| r.to_string()),
        });
    }
    Ok(())
}

fn lock_mode(mode: RetentionMode) -> ObjectLockMode {
    match mode {
        RetentionMode::Compliance => ObjectLockMode::Compliance,
        RetentionMode::Governance => ObjectLockMode::Governance,
    }
}

fn recorded_sha256(metadata: Option<&std::collections::HashMap<String, String>>) -> Option<Sha256> {
    metadata?
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(SHA256_METADATA))
        .and_then(|(_, value)| Sha256::from_hex(value))
}

fn retention_of(mode: Option<&ObjectLockMode>, until: Option<&DateTime>) -> Option<Retention> {
    let mode = match mode? {
        ObjectLockMode::Compliance => RetentionMode::Compliance,
        ObjectLockMode::Governance => RetentionMode::Governance,
        _ => return None,
    };
    let until = OffsetDateTime::from_unix_timestamp(until?.secs()).ok()?;
    Some(Retention::new(mode, until))
}

fn state_of(
    key: &str,
    output: &aws_sdk_s3::operation::head_object::HeadObjectOutput,
) -> ObjectState {
    ObjectState {
        key: key.to_string(),
        size: output
            .content_length()
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0),
        sha256: recorded_sha256(output.metadata()),
        retention: retention_of(
            output.object_lock_mode(),
            output.object_lock_retain_until_date(),
        ),
        version: output.version_id().map(str::to_string),
    }
}

impl Replica for S3Replica {
    fn describe(&self) -> String {
        format!(
            "s3://{}/{} at {}",
            self.config.bucket,
            self.prefix.trim_end_matches('/'),
            self.config.endpoint
        )
    }

    fn check(&self) -> Result<()> {
        self.runtime.block_on(async {
            let answer = self
                .client
                .get_object_lock_configuration()
                .bucket(&self.config.bucket)
                .send()
                .await;
            let output = match answer {
                Ok(output) => output,
                Err(err) => {
                    let code = err.code().unwrap_or("").to_string();
                    let status = err.raw_response().map(|r| r.status().as_u16());
                    let classified =
                        self.classify(err, "GetObjectLockConfiguration", &self.config.bucket);
                    return Err(match classified {
                        ReplicaError::S3 { detail, .. } => ReplicaError::LockNotEnabled {
                            bucket: self.config.bucket.clone(),
                            endpoint: self.config.endpoint.clone(),
                            detail: match (status, code.as_str()) {
                                (_, "ObjectLockConfigurationNotFoundError") => {
                                    "no Object Lock configuration".to_string()
                                }
                                (Some(501 | 405), _) => {
                                    format!("the server does not support Object Lock: {detail}")
                                }
                                _ => detail,
                            },
                        },
                        other => other,
                    });
                }
            };
            let enabled = output
                .object_lock_configuration()
                .and_then(|c| c.object_lock_enabled());
            if enabled == Some(&ObjectLockEnabled::Enabled) {
                Ok(())
            } else {
                Err(ReplicaError::LockNotEnabled {
                    bucket: self.config.bucket.clone(),
                    endpoint: self.config.endpoint.clone(),
                    detail: format!(
                        "ObjectLockEnabled is {}",
                        enabled.map_or("absent".to_string(), |e| e.as_str().to_string())
                    ),
                })
            }
        })
    }

    fn put(
        &self,
        key: &str,
        local: &Path,
        sha256: &Sha256,
        retention: &Retention,
    ) -> Result<StoredObject> {
        validate_key(key)?;
        let size = std::fs::metadata(local)
            .map_err(|e| ReplicaError::io(local, "cannot read the local file", e))?
            .len();
        // Small files are hashed here and their digest sent as
        // x-amz-checksum-sha256, which the server checks against the body;
        // multipart uploads hash the parts as they are read and sent.
        if size <= MULTIPART_THRESHOLD {
            let actual =
                Sha256::of_file(local).map_err(|e| ReplicaError::io(local, "cannot read", e))?;
            if actual != *sha256 {
                return Err(ReplicaError::Mismatch {
                    place: local.display().to_string(),
                    reason: format!("SHA-256 is {actual}, expected {sha256}: the local file is not the recorded one; not replicated"),
                });
            }
        }
        self.runtime
            .block_on(self.put_async(key, local, sha256, retention))
    }

    fn head(&self, key: &str) -> Result<Option<ObjectState>> {
        validate_key(key)?;
        self.runtime.block_on(self.head_async(key, None))
    }

    fn get(&self, key: &str, dest: &Path) -> Result<ObjectState> {
        validate_key(key)?;
        self.runtime.block_on(self.get_async(key, None, dest))
    }

    fn versions(&self, key: &str) -> Result<Vec<ObjectState>> {
        validate_key(key)?;
        self.runtime.block_on(self.versions_async(key))
    }

    fn get_version(&self, key: &str, version: &str, dest: &Path) -> Result<ObjectState> {
        validate_key(key)?;
        self.runtime
            .block_on(self.get_async(key, Some(version), dest))
    }

    fn list(&self, prefix: &str) -> Result<Vec<ObjectState>> {
        self.runtime.block_on(self.list_async(prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn state(retention: Option<Retention>, sha: Option<Sha256>, size: u64) -> ObjectState {
        ObjectState {
            key: "k".into(),
            size,
            sha256: sha,
            retention,
            version: Some("v".into()),
        }
    }

    #[test]
    fn a_lock_that_was_not_applied_exactly_fails_the_read_back() {
        let sha = Sha256([1; 32]);
        let wanted = Retention::new(RetentionMode::Compliance, datetime!(2040-01-01 0:00 UTC));
        let check = |s: &ObjectState| check_read_back("r", "k", "v", 10, &sha, &wanted, s);
        assert!(check(&state(Some(wanted), Some(sha), 10)).is_ok());
        // What Ceph does on multipart: no lock, or the bucket default.
        for got in [
            None,
            Some(Retention::new(
                RetentionMode::Governance,
                wanted.retain_until,
            )),
            Some(Retention::new(
                RetentionMode::Compliance,
                datetime!(2039-12-31 0:00 UTC),
            )),
            // Even a longer lock is not what was asked: reported, not accepted.
            Some(Retention::new(
                RetentionMode::Compliance,
                datetime!(2041-01-01 0:00 UTC),
            )),
        ] {
            let err = check(&state(got, Some(sha), 10)).unwrap_err();
            assert!(
                matches!(err, ReplicaError::RetentionMismatch { .. }),
                "{err:?}"
            );
        }
        let err = check(&state(Some(wanted), None, 10)).unwrap_err();
        assert!(matches!(err, ReplicaError::Mismatch { .. }), "{err:?}");
        let err = check(&state(Some(wanted), Some(sha), 11)).unwrap_err();
        assert!(matches!(err, ReplicaError::Mismatch { .. }), "{err:?}");
    }

    #[test]
    fn lock_headers_read_back_as_the_same_retention() {
        let wanted = Retention::new(
            RetentionMode::Governance,
            datetime!(2040-06-01 12:30:15 UTC),
        );
        let until = DateTime::from_secs(wanted.retain_until.unix_timestamp());
        let got = retention_of(Some(&lock_mode(wanted.mode)), Some(&until));
        assert_eq!(got, Some(wanted));
        assert_eq!(retention_of(None, Some(&until)), None);
        assert_eq!(retention_of(Some(&ObjectLockMode::Compliance), None), None);
    }

    #[test]
    fn the_digest_comes_only_from_hozon_metadata() {
        let mut meta = std::collections::HashMap::new();
        assert_eq!(recorded_sha256(Some(&meta)), None);
        meta.insert("HOZON-SHA256".to_string(), "ab".repeat(32));
        assert_eq!(recorded_sha256(Some(&meta)), Some(Sha256([0xab; 32])));
        meta.insert("HOZON-SHA256".to_string(), "not hex".into());
        assert_eq!(recorded_sha256(Some(&meta)), None);
    }
}
