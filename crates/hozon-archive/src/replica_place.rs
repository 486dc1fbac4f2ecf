//! The `[[replica]]` entry a replica's place describes (`archive replica
//! add`, `archive restore` without `--from`): a directory (made absolute)
//! or an S3 bucket, never both.

use std::path::{Path, PathBuf};

use crate::config::{LockMode, ReplicaConfig, ReplicaKind};

/// Where a replica is, as its options give it.
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    /// A directory (relative to the current directory when relative).
    pub dir: Option<&'a Path>,
    /// Or an S3 endpoint URL.
    pub s3_endpoint: Option<&'a str>,
    /// The bucket (S3).
    pub bucket: Option<&'a str>,
    /// The region (S3).
    pub region: &'a str,
    /// The key prefix in the bucket.
    pub prefix: &'a str,
    /// Virtual-hosted addressing instead of path-style (S3).
    pub virtual_hosted: bool,
    /// Object Lock in governance mode instead of compliance.
    pub governance: bool,
}

/// Why a place does not describe a replica.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    /// The current directory (a relative directory is made absolute against it).
    #[error("the current directory")]
    CurrentDir(#[source] std::io::Error),
    /// An S3 endpoint without a bucket.
    #[error("--s3-endpoint needs --bucket")]
    NoBucket,
    /// Neither or both of a directory and an S3 endpoint.
    #[error("give either --dir PATH or --s3-endpoint URL --bucket B")]
    NotOnePlace,
}

/// The `[[replica]]` entry named `name` for `place`; `auto`: replicated at
/// the end of every ingest and renew.
pub fn replica_config(
    name: &str,
    place: &Place<'_>,
    auto: bool,
) -> Result<ReplicaConfig, PlaceError> {
    let lock = if place.governance {
        LockMode::Governance
    } else {
        LockMode::Compliance
    };
    match (place.dir, place.s3_endpoint) {
        (Some(dir), None) => Ok(ReplicaConfig {
            name: name.to_string(),
            kind: ReplicaKind::Dir,
            path: Some(absolute(dir)?),
            endpoint: None,
            region: None,
            bucket: None,
            prefix: String::new(),
            path_style: true,
            lock,
            auto,
        }),
        (None, Some(endpoint)) => Ok(ReplicaConfig {
            name: name.to_string(),
            kind: ReplicaKind::S3,
            path: None,
            endpoint: Some(endpoint.to_owned()),
            region: Some(place.region.to_owned()),
            bucket: Some(place.bucket.ok_or(PlaceError::NoBucket)?.to_owned()),
            prefix: place.prefix.to_owned(),
            path_style: !place.virtual_hosted,
            lock,
            auto,
        }),
        _ => Err(PlaceError::NotOnePlace),
    }
}

fn absolute(dir: &Path) -> Result<PathBuf, PlaceError> {
    Ok(if dir.is_relative() {
        std::env::current_dir()
            .map_err(PlaceError::CurrentDir)?
            .join(dir)
    } else {
        dir.to_path_buf()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place<'a>() -> Place<'a> {
        Place {
            dir: None,
            s3_endpoint: None,
            bucket: None,
            region: "us-east-1",
            prefix: "",
            virtual_hosted: false,
            governance: false,
        }
    }

    #[test]
    fn a_relative_directory_is_made_absolute() {
        let p = Place {
            dir: Some(Path::new("replica")),
            ..place()
        };
        let c = replica_config("r", &p, true).unwrap();
        assert_eq!(c.kind, ReplicaKind::Dir);
        assert_eq!(
            c.path,
            Some(std::env::current_dir().unwrap().join("replica"))
        );
        assert_eq!(c.lock, LockMode::Compliance);
        assert!(c.auto && c.path_style);
    }

    #[test]
    fn an_s3_place_needs_a_bucket() {
        let p = Place {
            s3_endpoint: Some("http://127.0.0.1:9000"),
            ..place()
        };
        assert!(matches!(
            replica_config("r", &p, true),
            Err(PlaceError::NoBucket)
        ));
        let p = Place {
            bucket: Some("b"),
            virtual_hosted: true,
            governance: true,
            ..p
        };
        let c = replica_config("r", &p, false).unwrap();
        assert_eq!(c.kind, ReplicaKind::S3);
        assert_eq!(c.bucket.as_deref(), Some("b"));
        assert!(!c.path_style && !c.auto);
        assert_eq!(c.lock, LockMode::Governance);
    }

    #[test]
    fn neither_or_both_places_are_refused() {
        let err = replica_config("r", &place(), true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "give either --dir PATH or --s3-endpoint URL --bucket B"
        );
        let both = Place {
            dir: Some(Path::new("/r")),
            s3_endpoint: Some("http://127.0.0.1:9000"),
            bucket: Some("b"),
            ..place()
        };
        assert!(matches!(
            replica_config("r", &both, true),
            Err(PlaceError::NotOnePlace)
        ));
    }
}
