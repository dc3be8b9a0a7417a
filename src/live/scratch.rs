//! Scratch folders: one per run of a program, made by `tempfile` (a random name, mode 0700,
//! created exclusively, so a folder someone made ahead of time is never reused), files in it
//! created with `create_new` (an existing file or a symlink planted in the folder is refused,
//! never followed), and removed when the [`Scratch`] goes — on a panic too, since that unwinds
//! through its `Drop`. A SIGINT or SIGTERM does not unwind: [`remove_all`] removes every
//! folder still open, and the signal handler of [`super::process`] calls it before exiting.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Folders made by [`Scratch::new`] and not yet removed; `None` once [`remove_all`] ran.
static OPEN: Mutex<Option<BTreeSet<PathBuf>>> = Mutex::new(Some(BTreeSet::new()));

fn open_folders() -> MutexGuard<'static, Option<BTreeSet<PathBuf>>> {
    OPEN.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A private, freshly made folder, removed on drop.
#[derive(Debug)]
pub(crate) struct Scratch {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl Scratch {
    /// Makes `$TMPDIR/redirspec-XXXXXX` (random suffix, mode 0700, created exclusively).
    pub(crate) fn new() -> io::Result<Scratch> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("redirspec-");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        // Held while the folder is made, so that remove_all cannot miss it.
        let mut open = open_folders();
        let Some(folders) = open.as_mut() else {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "redirspec is ending: no scratch folder is made",
            ));
        };
        let dir = builder.tempdir()?;
        let path = dir.path().to_owned();
        folders.insert(path.clone());
        drop(open);
        Ok(Scratch {
            dir: Some(dir),
            path,
        })
    }

    /// The folder.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The path of `name` inside the folder; `name` must be one plain file name.
    fn child(&self, name: &str) -> io::Result<PathBuf> {
        let mut parts = Path::new(name).components();
        match (parts.next(), parts.next()) {
            (Some(Component::Normal(_)), None) => Ok(self.path.join(name)),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not a plain file name: {name:?}"),
            )),
        }
    }

    /// Writes a new file `name` (mode 0600) holding `bytes`; fails if anything by that name
    /// exists, a symlink included.
    pub(crate) fn write_new(&self, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        let path = self.child(name)?;
        write_new_at(&path, bytes)?;
        Ok(path)
    }

    /// Makes a new sub-folder `name` (mode 0700); fails if anything by that name exists.
    pub(crate) fn create_dir(&self, name: &str) -> io::Result<PathBuf> {
        let path = self.child(name)?;
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&path)?;
        Ok(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(folders) = open_folders().as_mut() {
            folders.remove(&self.path);
        }
        if let Some(dir) = self.dir.take() {
            let _ = dir.close();
        }
    }
}

/// Writes a new file at `path` (mode 0600), for a sub-folder made by
/// [`Scratch::create_dir`]; fails if anything by that name exists, a symlink included.
pub(crate) fn write_new_at(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

/// Removes every scratch folder still open (the signal handler's last act: no `Drop` runs
/// after it), and makes no more. Symlinks inside are removed, not followed.
pub(crate) fn remove_all() {
    let folders = open_folders().take().unwrap_or_default();
    for path in folders {
        let _ = std::fs::remove_dir_all(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_exclusive_and_removed() {
        let a = Scratch::new().unwrap();
        let b = Scratch::new().unwrap();
        assert_ne!(a.path(), b.path());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(a.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        let f = a.write_new("body", b"x").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"x");
        // A second write to the same name is refused, not an overwrite.
        assert!(a.write_new("body", b"y").is_err());
        assert_eq!(std::fs::read(&f).unwrap(), b"x");
        assert!(a.write_new("../escape", b"y").is_err());
        assert!(a.write_new("a/b", b"y").is_err());
        let path = a.path().to_owned();
        drop(a);
        assert!(!path.exists());
        assert!(b.path().exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_not_followed() {
        let s = Scratch::new().unwrap();
        let target = Scratch::new().unwrap();
        let victim = target.write_new("victim", b"keep").unwrap();
        std::os::unix::fs::symlink(&victim, s.path().join("body")).unwrap();
        assert!(s.write_new("body", b"overwrite").is_err());
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        drop(s);
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
    }

    #[test]
    fn a_panic_removes_the_folder() {
        let mut seen = None;
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let s = Scratch::new().unwrap();
            s.write_new("body", b"x").unwrap();
            seen = Some(s.path().to_owned());
            panic!("a bug in the middle of a run");
        }));
        assert!(caught.is_err());
        let path = seen.unwrap();
        assert!(!path.exists(), "{} left behind", path.display());
    }

    #[test]
    fn remove_all_removes_open_folders() {
        let s = Scratch::new().unwrap();
        let path = s.path().to_owned();
        // Only this folder is checked: other tests may have folders open at the same time,
        // and remove_all would take theirs too, so it is not called here.
        let listed = |p: &PathBuf| open_folders().as_ref().is_some_and(|f| f.contains(p));
        assert!(listed(&path));
        drop(s);
        assert!(!listed(&path));
    }
}
