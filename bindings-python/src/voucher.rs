//! The voucher domain in Python: a thin adapter over `inclusif_core::api::voucher` (keys,
//! signed trust lists, issuance, single and batch verification, phone codes, the
//! redemption ledger, the offline queue, and offline sync: signed batches, the venue
//! registry, the import log and `import_batch`). Native names are prefixed where they could
//! collide (`VoucherToken`, `VoucherVerifier`, `VoucherIssuer`); `inclusif.voucher`
//! re-exports them under their public names (`Token`, `Verifier`, `Issuer`).
//!
//! Value classes are frozen, compare and hash by value, and pickle through the private
//! `_voucher_unpickle(kind, state)`, which rebuilds them with the core's checks (a
//! pickle cannot forge what the core would refuse). Batch verification runs with the GIL
//! released and keeps its verdicts in Rust: result objects and dicts are built only when
//! asked for.

use chrono::{DateTime, NaiveDate, Utc};
use inclusif_core::api::voucher as api;
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyIterator, PyList, PyString, PyTuple};
use rust_decimal::Decimal;

use crate::convert::{EnumClass, IntoPy, date_arg, enum_arg, instant_arg};

const MODULE: &str = "inclusif.voucher";
// Defaults written as literals in signatures (so Python's signatures show them).
const _: () = assert!(api::DEFAULT_VALUE_CENTS == 1000 && api::DEFAULT_BOOKLET_SIZE == 10);
static KEY_STATUS: EnumClass = EnumClass::new(MODULE, "KeyStatus");
static SYNC_STATUS: EnumClass = EnumClass::new(MODULE, "SyncStatus");
static ERROR_CODE: EnumClass = EnumClass::new(MODULE, "ErrorCode");
static BATCH_STATUS: EnumClass = EnumClass::new(MODULE, "BatchStatus");

// ---- helpers ----

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an unknown type".into())
}

/// A secret key argument: a `SecretKey` or its 32-byte seed.
fn secret_arg(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Vec<u8>> {
    if let Ok(k) = obj.cast::<SecretKey>() {
        return Ok(k.get().inner.to_bytes());
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!(
        "{field}: expected a SecretKey or its 32-byte seed (bytes), got {}",
        type_name(obj)
    )))
}

/// A public key argument: a `PublicKey` or its 32 bytes (checked by the core).
fn public_arg(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Vec<u8>> {
    if let Ok(k) = obj.cast::<PublicKey>() {
        return Ok(k.get().inner.to_bytes());
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!(
        "{field}: expected a PublicKey or its 32 bytes (bytes), got {}",
        type_name(obj)
    )))
}

/// A time zone argument: an IANA name, or a `zoneinfo.ZoneInfo` (its `key`).
fn time_zone_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if obj.is_instance_of::<PyString>() {
        return obj.extract().map(Some);
    }
    if let Ok(key) = obj.getattr("key")
        && key.is_instance_of::<PyString>()
    {
        return key.extract().map(Some);
    }
    Err(PyTypeError::new_err(format!(
        "time_zone: expected an IANA name (str) or a zoneinfo.ZoneInfo, got {}",
        type_name(obj)
    )))
}

/// Texts for a batch: any iterable of `str` (a list is read directly).
fn texts_arg(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "texts: expected an iterable of str, got one str (wrap it in a list)",
        ));
    }
    let one = |i: usize, item: &Bound<'_, PyAny>| -> PyResult<String> {
        match item.cast::<PyString>() {
            Ok(s) => Ok(s.to_str()?.to_owned()),
            Err(_) => Err(PyTypeError::new_err(format!(
                "texts[{i}]: expected str, got {} (raw 85-byte tokens go to verify_batch_bytes)",
                type_name(item)
            ))),
        }
    };
    if let Ok(list) = obj.cast::<PyList>() {
        return list.iter().enumerate().map(|(i, x)| one(i, &x)).collect();
    }
    obj.try_iter()?
        .enumerate()
        .map(|(i, x)| one(i, &x?))
        .collect()
}

/// Raw tokens for a batch: any iterable of `bytes`.
fn bytes_arg(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<u8>>> {
    if obj.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "tokens: expected an iterable of bytes, got one bytes object (wrap it in a list)",
        ));
    }
    obj.try_iter()?
        .enumerate()
        .map(|(i, x)| {
            let x = x?;
            match x.cast::<PyBytes>() {
                Ok(b) => Ok(b.as_bytes().to_vec()),
                Err(_) => Err(PyTypeError::new_err(format!(
                    "tokens[{i}]: expected bytes, got {} (texts go to verify_batch)",
                    type_name(&x)
                ))),
            }
        })
        .collect()
}

fn euros(cents: u16) -> Decimal {
    Decimal::new(i64::from(cents), 2)
}

fn index_of(index: isize, len: usize, what: &str) -> PyResult<usize> {
    let len_i = isize::try_from(len).unwrap_or(isize::MAX);
    let i = if index < 0 { index + len_i } else { index };
    usize::try_from(i)
        .ok()
        .filter(|&i| i < len)
        .ok_or_else(|| PyIndexError::new_err(format!("{what} index out of range")))
}

fn columns<'py>(
    py: Python<'py>,
    names: &[&str],
) -> PyResult<(Bound<'py, PyDict>, Vec<Bound<'py, PyList>>)> {
    let dict = PyDict::new(py);
    let mut lists = Vec::with_capacity(names.len());
    for name in names {
        let list = PyList::empty(py);
        dict.set_item(name, &list)?;
        lists.push(list);
    }
    Ok((dict, lists))
}

/// `(_voucher_unpickle, (kind, state))` for `__reduce__`.
fn reduce<'py>(
    py: Python<'py>,
    kind: &str,
    state: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyTuple>> {
    let unpickle = py
        .import("inclusif._inclusif")?
        .getattr("_voucher_unpickle")?;
    let args = PyTuple::new(py, [PyString::new(py, kind).into_any(), state])?;
    PyTuple::new(py, [unpickle, args.into_any()])
}

/// The static code of a voucher error named in a pickle.
fn static_code(code: &str) -> PyResult<&'static str> {
    api::error_codes()
        .into_iter()
        .find(|c| *c == code)
        .ok_or_else(|| PyValueError::new_err(format!("{code:?} is not a voucher error code")))
}

// ---- keys ----

/// An Ed25519 secret key (an issuer's or the programme root's): its 32-byte seed.
/// Never printed (its repr shows the public key) and never pickled: keep
/// `to_bytes()` or `to_hex()` in a vault. Equal when the keys are.
///
/// >>> key = SecretKey.generate()
/// >>> SecretKey.from_hex(key.to_hex()) == key
/// True
/// >>> len(key.public_key.to_bytes())
/// 32
#[pyclass(module = "inclusif._inclusif", name = "SecretKey", frozen, eq, hash)]
#[derive(Clone)]
pub struct SecretKey {
    inner: api::SecretKey,
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        self.inner.public_key() == other.inner.public_key()
    }
}
impl Eq for SecretKey {}
impl std::hash::Hash for SecretKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.inner.public_key().hash(state);
    }
}

#[pymethods]
impl SecretKey {
    /// A key from its 32-byte seed (`invalid_key` for another length).
    #[new]
    fn new(seed: &[u8]) -> PyResult<Self> {
        Ok(SecretKey {
            inner: api::SecretKey::from_bytes(seed).py()?,
        })
    }

    /// A new key from the operating system's CSPRNG.
    #[staticmethod]
    fn generate() -> Self {
        SecretKey {
            inner: api::SecretKey::generate(),
        }
    }

    /// A key from its 32-byte seed (same as the constructor).
    #[staticmethod]
    fn from_bytes(seed: &[u8]) -> PyResult<Self> {
        Self::new(seed)
    }

    /// A key from 64 hex digits of seed.
    #[staticmethod]
    fn from_hex(text: &str) -> PyResult<Self> {
        Ok(SecretKey {
            inner: api::SecretKey::from_hex(text).py()?,
        })
    }

    /// The 32-byte seed. Handle with care.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// The seed as 64 lowercase hex digits. Handle with care.
    fn to_hex(&self) -> String {
        self.inner.to_hex()
    }

    /// The public half.
    #[getter]
    fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public_key(),
        }
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(PyTypeError::new_err(
            "a SecretKey is not pickled: store to_bytes() or to_hex() in a vault and rebuild it",
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "SecretKey(public_key={:?})",
            self.inner.public_key().to_hex()
        )
    }
}

/// A checked Ed25519 public key (a canonical point, not weak): 32 bytes.
/// `bytes(key)` gives them; `invalid_key` or `weak_key` for bytes that are not one.
///
/// >>> key = PublicKey.from_hex("ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c")
/// >>> PublicKey(bytes(key)) == key
/// True
#[pyclass(module = "inclusif._inclusif", name = "PublicKey", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicKey {
    inner: api::PublicKey,
}

#[pymethods]
impl PublicKey {
    /// A key from its 32 bytes.
    #[new]
    fn new(data: &[u8]) -> PyResult<Self> {
        Ok(PublicKey {
            inner: api::PublicKey::from_bytes(data).py()?,
        })
    }

    /// A key from its 32 bytes (same as the constructor).
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        Self::new(data)
    }

    /// A key from 64 hex digits.
    #[staticmethod]
    fn from_hex(text: &str) -> PyResult<Self> {
        Ok(PublicKey {
            inner: api::PublicKey::from_hex(text).py()?,
        })
    }

    /// The 32 bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// 64 lowercase hex digits.
    fn to_hex(&self) -> String {
        self.inner.to_hex()
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.to_bytes(py)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reduce(py, "PublicKey", self.to_bytes(py).into_any())
    }

    fn __repr__(&self) -> String {
        format!("PublicKey({:?})", self.inner.to_hex())
    }
}

// ---- trust lists ----

/// One key of a trust list: its kid, issuer (the registry identifier that is also the
/// redemption ledger's key), public key, status, signing window, value limit and scopes
/// (empty: any). Rules are checked when a `TrustList` is built from entries.
///
/// >>> TrustEntry(7, "aptic", issuer.public_key, max_value_cents=2000, scopes=[0, 75])
/// TrustEntry(kid=7, issuer="aptic", status=active, max_value_cents=2000, scopes=[0, 75])
#[pyclass(module = "inclusif._inclusif", name = "TrustEntry", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TrustEntry {
    inner: api::TrustEntry,
}

#[pymethods]
impl TrustEntry {
    /// An entry (keyword arguments after the key; defaults: active, no window, no
    /// value limit, any scope).
    #[new]
    #[pyo3(signature = (kid, issuer, public_key, *, status=None, window_from=None, window_until=None, max_value_cents=65535, scopes=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        kid: u16,
        issuer: String,
        public_key: &Bound<'_, PyAny>,
        status: Option<&Bound<'_, PyAny>>,
        window_from: Option<&Bound<'_, PyAny>>,
        window_until: Option<&Bound<'_, PyAny>>,
        max_value_cents: u16,
        scopes: Option<Vec<u16>>,
    ) -> PyResult<Self> {
        let key = api::PublicKey::from_bytes(&public_arg(public_key, "public_key")?).py()?;
        let mut e = api::TrustEntry::unrestricted(kid, &issuer, key);
        if let Some(s) = status.filter(|s| !s.is_none()) {
            let s = enum_arg(s, "status")?;
            KEY_STATUS.member(py, &s)?;
            e.status = s;
        }
        if let Some(d) = window_from.filter(|d| !d.is_none()) {
            e.window_from = date_arg(d, "window_from")?;
        }
        if let Some(d) = window_until.filter(|d| !d.is_none()) {
            e.window_until = date_arg(d, "window_until")?;
        }
        e.max_value_cents = max_value_cents;
        e.scopes = scopes.unwrap_or_default();
        Ok(TrustEntry { inner: e })
    }

    /// Key id.
    #[getter]
    fn kid(&self) -> u16 {
        self.inner.kid
    }
    /// The issuer's registry identifier.
    #[getter]
    fn issuer(&self) -> String {
        self.inner.issuer.clone()
    }
    /// The public key.
    #[getter]
    fn public_key(&self) -> PyResult<PublicKey> {
        Ok(PublicKey {
            inner: api::PublicKey::from_bytes(&self.inner.public_key).py()?,
        })
    }
    /// The `KeyStatus`.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        KEY_STATUS.member(py, &self.inner.status)
    }
    /// First day of the signing window.
    #[getter]
    fn window_from(&self) -> NaiveDate {
        self.inner.window_from
    }
    /// Last day of the signing window (inclusive).
    #[getter]
    fn window_until(&self) -> NaiveDate {
        self.inner.window_until
    }
    /// Highest face value the key may sign, in cents.
    #[getter]
    fn max_value_cents(&self) -> u16 {
        self.inner.max_value_cents
    }
    /// Scopes the key may sign (empty: any).
    #[getter]
    fn scopes(&self) -> Vec<u16> {
        self.inner.scopes.clone()
    }
    /// Every field as a dict (`public_key` as hex).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let e = &self.inner;
        let d = PyDict::new(py);
        d.set_item("kid", e.kid)?;
        d.set_item("issuer", &e.issuer)?;
        d.set_item("public_key", hex(&e.public_key))?;
        d.set_item("status", self.status(py)?)?;
        d.set_item("window_from", e.window_from)?;
        d.set_item("window_until", e.window_until)?;
        d.set_item("max_value_cents", e.max_value_cents)?;
        d.set_item("scopes", e.scopes.clone())?;
        Ok(d)
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reduce(py, "TrustEntry", entry_state(py, &self.inner)?)
    }
    fn __repr__(&self) -> String {
        let e = &self.inner;
        format!(
            "TrustEntry(kid={}, issuer={:?}, status={}, max_value_cents={}, scopes={:?})",
            e.kid, e.issuer, e.status, e.max_value_cents, e.scopes
        )
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn entry_state<'py>(py: Python<'py>, e: &api::TrustEntry) -> PyResult<Bound<'py, PyAny>> {
    Ok((
        e.kid,
        e.issuer.clone(),
        PyBytes::new(py, &e.public_key),
        e.status.clone(),
        e.window_from,
        e.window_until,
        e.max_value_cents,
        e.scopes.clone(),
    )
        .into_pyobject(py)?
        .into_any())
}

type EntryState = (
    u16,
    String,
    Vec<u8>,
    String,
    NaiveDate,
    NaiveDate,
    u16,
    Vec<u16>,
);

fn entry_from_state(py: Python<'_>, state: &Bound<'_, PyAny>) -> PyResult<api::TrustEntry> {
    let (kid, issuer, public_key, status, window_from, window_until, max_value_cents, scopes): EntryState =
        state.extract()?;
    KEY_STATUS.member(py, &status)?;
    api::PublicKey::from_bytes(&public_key).py()?;
    Ok(api::TrustEntry {
        kid,
        issuer,
        public_key,
        status,
        window_from,
        window_until,
        max_value_cents,
        scopes,
    })
}

/// A programme's trust list: the keys that may sign vouchers and their limits, a
/// sequence number (a verifier never goes back) and a maximum age after which
/// verification fails closed. Build one from entries and `sign()` it with the root key;
/// a device `load()`s the signed bytes (checked against the root public key and the
/// maximum age). Immutable.
///
/// >>> signed = TrustList(1, now, 7 * 86400, [TrustEntry(7, "aptic", issuer.public_key)]).sign(root)
/// >>> trust = TrustList.load(signed, root.public_key, now)
/// >>> trust.sequence, [e.kid for e in trust.entries]
/// (1, [7])
#[pyclass(module = "inclusif._inclusif", name = "TrustList", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq)]
pub struct TrustList {
    inner: api::TrustList,
}

impl std::hash::Hash for TrustList {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (
            self.inner.sequence(),
            self.inner.issued_at(),
            self.inner.max_age_seconds(),
            self.inner.entries(),
        )
            .hash(state);
    }
}

fn entries_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<api::TrustEntry>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(vec![]);
    };
    obj.try_iter()?
        .enumerate()
        .map(|(i, item)| {
            let item = item?;
            item.cast::<TrustEntry>()
                .map(|e| e.get().inner.clone())
                .map_err(|_| {
                    PyTypeError::new_err(format!(
                        "entries[{i}]: expected a TrustEntry, got {}",
                        type_name(&item)
                    ))
                })
        })
        .collect()
}

#[pymethods]
impl TrustList {
    /// Builds a list from its entries (`TrustList.sign` makes the distributable bytes).
    /// `issued_at` is an aware datetime, kept to the second; `trust_list_malformed` for
    /// a sequence or maximum age of 0, an entry that breaks a rule, or a kid twice.
    #[new]
    #[pyo3(signature = (sequence, issued_at, max_age_seconds, entries=None))]
    fn new(
        sequence: u64,
        issued_at: &Bound<'_, PyAny>,
        max_age_seconds: u32,
        entries: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let at = instant_arg(issued_at, "issued_at")?;
        let entries = entries_arg(entries)?;
        Ok(TrustList {
            inner: api::TrustList::new(sequence, at, max_age_seconds, &entries).py()?,
        })
    }

    /// Opens signed bytes with the root public key (`PublicKey` or 32 bytes): the
    /// signature first (`trust_list_bad_signature`), then every field. Freshness is not
    /// checked (see `load`).
    #[staticmethod]
    fn open(data: &[u8], root_key: &Bound<'_, PyAny>) -> PyResult<Self> {
        let root = public_arg(root_key, "root_key")?;
        Ok(TrustList {
            inner: api::TrustList::open(data, &root).py()?,
        })
    }

    /// Opens signed bytes, then refuses a list older than its maximum age at `at`
    /// (`trust_list_expired`, a `VoucherError`): what a venue's device does.
    #[staticmethod]
    fn load(data: &[u8], root_key: &Bound<'_, PyAny>, at: &Bound<'_, PyAny>) -> PyResult<Self> {
        let root = public_arg(root_key, "root_key")?;
        let now = instant_arg(at, "at")?;
        Ok(TrustList {
            inner: api::TrustList::load(data, &root, now).py()?,
        })
    }

    /// The signed bytes, signed with the root secret key (`SecretKey` or 32-byte seed).
    fn sign<'py>(
        &self,
        py: Python<'py>,
        root_secret: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let seed = secret_arg(root_secret, "root_secret")?;
        Ok(PyBytes::new(py, &self.inner.sign(&seed).py()?))
    }

    /// The sequence number.
    #[getter]
    fn sequence(&self) -> u64 {
        self.inner.sequence()
    }
    /// When the list was issued.
    #[getter]
    fn issued_at(&self) -> DateTime<Utc> {
        self.inner.issued_at()
    }
    /// The maximum age in seconds.
    #[getter]
    fn max_age_seconds(&self) -> u32 {
        self.inner.max_age_seconds()
    }
    /// The instant after which verification with this list fails closed.
    #[getter]
    fn expires_at(&self) -> DateTime<Utc> {
        self.inner.expires_at()
    }
    /// Raises `VoucherError` (`trust_list_expired`) if the list is stale at `at`.
    fn check_fresh(&self, at: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.check_fresh(instant_arg(at, "at")?).py()
    }
    /// Whether the list is still usable at `at`.
    fn is_fresh(&self, at: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.is_fresh(instant_arg(at, "at")?))
    }
    /// The entries, by ascending kid.
    #[getter]
    fn entries(&self) -> Vec<TrustEntry> {
        self.inner
            .entries()
            .into_iter()
            .map(|inner| TrustEntry { inner })
            .collect()
    }
    /// The entry of a kid, or None.
    fn entry(&self, kid: u16) -> Option<TrustEntry> {
        self.inner.entry(kid).map(|inner| TrustEntry { inner })
    }
    /// `{"sequence", "issued_at", "max_age_seconds", "expires_at", "entries"}` (entries as dicts).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("sequence", self.inner.sequence())?;
        d.set_item("issued_at", self.inner.issued_at())?;
        d.set_item("max_age_seconds", self.inner.max_age_seconds())?;
        d.set_item("expires_at", self.inner.expires_at())?;
        let entries = self
            .entries()
            .iter()
            .map(|e| e.to_dict(py))
            .collect::<PyResult<Vec<_>>>()?;
        d.set_item("entries", entries)?;
        Ok(d)
    }
    fn __len__(&self) -> usize {
        usize::try_from(self.inner.len()).unwrap_or(usize::MAX)
    }
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        PyList::new(py, self.entries())?.try_iter()
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let entries = self
            .inner
            .entries()
            .iter()
            .map(|e| entry_state(py, e))
            .collect::<PyResult<Vec<_>>>()?;
        let state = (
            self.inner.sequence(),
            self.inner.issued_at(),
            self.inner.max_age_seconds(),
            entries,
        )
            .into_pyobject(py)?;
        reduce(py, "TrustList", state.into_any())
    }
    fn __repr__(&self) -> String {
        let kids: Vec<u16> = self.inner.entries().iter().map(|e| e.kid).collect();
        format!(
            "TrustList(sequence={}, issued_at={}, expires_at={}, kids={kids:?})",
            self.inner.sequence(),
            self.inner.issued_at().to_rfc3339(),
            self.inner.expires_at().to_rfc3339()
        )
    }
}

// ---- tokens and codes ----

/// A voucher token of format v1 (85 bytes) whose length and version are right:
/// nothing about it is trusted yet (its fields are read as written); a `Verifier` says
/// whether it is genuine and valid. `bytes(token)` gives the raw bytes.
///
/// >>> t = Token.from_text(scanned)          # the QR payload "PN1:..." or the 136 characters
/// >>> t.serial, t.value_cents
/// ('5eed0000000000000001', 1000)
/// >>> Token.from_human(t.to_text().lower()) == t
/// True
#[pyclass(module = "inclusif._inclusif", name = "VoucherToken", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VoucherToken {
    t: api::Token,
}

#[pymethods]
impl VoucherToken {
    /// Reads the 85 raw bytes (`malformed`, `unsupported_version`).
    #[new]
    fn new(data: &[u8]) -> PyResult<Self> {
        Ok(VoucherToken {
            t: api::Token::from_bytes(data).py()?,
        })
    }
    /// Reads the 85 raw bytes (same as the constructor).
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        Self::new(data)
    }
    /// Reads the strict text (136 characters) or the `PN1:` QR payload, nothing else.
    #[staticmethod]
    fn from_text(text: &str) -> PyResult<Self> {
        Ok(VoucherToken {
            t: api::Token::parse_strict(text).py()?,
        })
    }
    /// Reads text typed by a person (spaces and dashes dropped, case forgiven, O read as 0,
    /// I and L as 1).
    #[staticmethod]
    fn from_human(text: &str) -> PyResult<Self> {
        Ok(VoucherToken {
            t: api::Token::parse_human(text).py()?,
        })
    }
    /// The strict text: 136 Crockford Base32 characters.
    fn to_text(&self) -> String {
        self.t.to_text()
    }
    /// The QR payload: `PN1:` and the text.
    fn to_qr_payload(&self) -> String {
        self.t.to_qr_payload()
    }
    /// The key id as written.
    #[getter]
    fn kid(&self) -> u16 {
        self.t.kid()
    }
    /// The serial as written (20 hex digits).
    #[getter]
    fn serial(&self) -> String {
        self.t.serial()
    }
    /// The face value in cents as written.
    #[getter]
    fn value_cents(&self) -> u16 {
        self.t.value_cents()
    }
    /// `valid_from` as written.
    #[getter]
    fn valid_from(&self) -> NaiveDate {
        self.t.valid_from()
    }
    /// `valid_until` as written.
    #[getter]
    fn valid_until(&self) -> NaiveDate {
        self.t.valid_until()
    }
    /// The scope as written (0: national).
    #[getter]
    fn scope(&self) -> u16 {
        self.t.scope()
    }
    /// The serial's short code.
    #[getter]
    fn short_code(&self) -> String {
        self.t.short_code()
    }
    /// The serial's keypad code.
    #[getter]
    fn keypad_code(&self) -> String {
        self.t.keypad_code()
    }
    /// The fields as written, as a dict (`qr_payload` included).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("kid", self.t.kid())?;
        d.set_item("serial", self.t.serial())?;
        d.set_item("value_cents", self.t.value_cents())?;
        d.set_item("valid_from", self.t.valid_from())?;
        d.set_item("valid_until", self.t.valid_until())?;
        d.set_item("scope", self.t.scope())?;
        d.set_item("short_code", self.t.short_code())?;
        d.set_item("qr_payload", self.t.to_qr_payload())?;
        Ok(d)
    }
    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.t.to_bytes())
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reduce(py, "VoucherToken", self.__bytes__(py).into_any())
    }
    fn __repr__(&self) -> String {
        format!(
            "Token(kid={}, serial={:?}, value_cents={}, valid_from={}, valid_until={}, scope={})",
            self.t.kid(),
            self.t.serial(),
            self.t.value_cents(),
            self.t.valid_from(),
            self.t.valid_until(),
            self.t.scope()
        )
    }
}

/// The short code of a serial (20 hex digits): `XXXX-XXXX-XXXX-XXXX-C`.
///
/// >>> short_code("5eed0000000000000001")
/// 'BVPG-0000-0000-0001-S'
#[pyfunction]
fn short_code(serial: &str) -> PyResult<String> {
    api::short_code(serial).py()
}

/// The keypad code of a serial: 25 digits and a check digit, in groups of 5.
///
/// >>> keypad_code("5eed0000000000000001")
/// '04482 74327 73521 58138 20417 6'
#[pyfunction]
fn keypad_code(serial: &str) -> PyResult<String> {
    api::keypad_code(serial).py()
}

/// The serial of a short code as typed (`malformed`, `bad_check_character`).
///
/// >>> parse_short_code("bvpg-0000-0000-0001-s")
/// '5eed0000000000000001'
#[pyfunction]
fn parse_short_code(text: &str) -> PyResult<String> {
    api::parse_short_code(text).py()
}

/// The serial of a keypad code as typed (spaces and hyphens allowed).
///
/// >>> parse_keypad_code("04482 74327 73521 58138 20417 6")
/// '5eed0000000000000001'
#[pyfunction]
fn parse_keypad_code(text: &str) -> PyResult<String> {
    api::parse_keypad_code(text).py()
}

/// The serial of a short code or a keypad code, whichever the text is (a check by phone).
///
/// >>> parse_phone_code("BVPG 0000 0000 0001 S")
/// '5eed0000000000000001'
#[pyfunction]
fn parse_phone_code(text: &str) -> PyResult<String> {
    api::parse_phone_code(text).py()
}

/// The normalisation applied to typed tokens and codes (spaces, tabs and `-` dropped,
/// upper case, O read as 0, I and L as 1; a U is `malformed`).
///
/// >>> normalize_human("bvpg-oooo-oooo-ooo1-s")
/// 'BVPG000000000001S'
#[pyfunction]
fn normalize_human(text: &str) -> PyResult<String> {
    api::normalize_human(text).py()
}

/// A fresh random serial (80 bits from the OS CSPRNG) as 20 hex digits.
///
/// >>> len(random_serial())
/// 20
#[pyfunction]
fn random_serial() -> String {
    api::random_serial()
}

// ---- verification ----

/// A voucher whose every check passed: genuine, valid today, acceptable here. Built
/// only by a `Verifier` (and by unpickling).
///
/// >>> v = verifier.verify(scanned, now)
/// >>> v.issuer, v.value_cents, v.valid_until
/// ('aptic', 1000, datetime.date(2026, 12, 31))
#[pyclass(
    module = "inclusif._inclusif",
    name = "VerifiedVoucher",
    frozen,
    eq,
    hash
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VerifiedVoucher {
    v: api::VerifiedVoucher,
}

fn verified_dict_items(d: &Bound<'_, PyDict>, v: &api::VerifiedVoucher) -> PyResult<()> {
    d.set_item("issuer", &v.issuer)?;
    d.set_item("kid", v.kid)?;
    d.set_item("serial", &v.serial)?;
    d.set_item("short_code", &v.short_code)?;
    d.set_item("keypad_code", &v.keypad_code)?;
    d.set_item("value_cents", v.value_cents)?;
    d.set_item("valid_from", v.valid_from)?;
    d.set_item("valid_until", v.valid_until)?;
    d.set_item("scope", v.scope)?;
    Ok(())
}

fn verified_state<'py>(py: Python<'py>, v: &api::VerifiedVoucher) -> PyResult<Bound<'py, PyAny>> {
    Ok((
        v.issuer.clone(),
        v.kid,
        v.serial.clone(),
        v.value_cents,
        v.valid_from,
        v.valid_until,
        v.scope,
    )
        .into_pyobject(py)?
        .into_any())
}

fn verified_from_state(state: &Bound<'_, PyAny>) -> PyResult<api::VerifiedVoucher> {
    let (issuer, kid, serial, value_cents, valid_from, valid_until, scope): (
        String,
        u16,
        String,
        u16,
        NaiveDate,
        NaiveDate,
        u16,
    ) = state.extract()?;
    Ok(api::VerifiedVoucher {
        short_code: api::short_code(&serial).py()?,
        keypad_code: api::keypad_code(&serial).py()?,
        issuer,
        kid,
        serial,
        value_cents,
        valid_from,
        valid_until,
        scope,
    })
}

#[pymethods]
impl VerifiedVoucher {
    /// The issuer's registry identifier (from the trust list).
    #[getter]
    fn issuer(&self) -> String {
        self.v.issuer.clone()
    }
    /// Key id.
    #[getter]
    fn kid(&self) -> u16 {
        self.v.kid
    }
    /// Serial (20 hex digits).
    #[getter]
    fn serial(&self) -> String {
        self.v.serial.clone()
    }
    /// The serial's short code.
    #[getter]
    fn short_code(&self) -> String {
        self.v.short_code.clone()
    }
    /// The serial's keypad code.
    #[getter]
    fn keypad_code(&self) -> String {
        self.v.keypad_code.clone()
    }
    /// Face value in cents.
    #[getter]
    fn value_cents(&self) -> u16 {
        self.v.value_cents
    }
    /// Face value in euros (`decimal.Decimal`, exact).
    #[getter]
    fn value(&self) -> Decimal {
        euros(self.v.value_cents)
    }
    /// First valid civil date.
    #[getter]
    fn valid_from(&self) -> NaiveDate {
        self.v.valid_from
    }
    /// Last valid civil date (inclusive).
    #[getter]
    fn valid_until(&self) -> NaiveDate {
        self.v.valid_until
    }
    /// Scope (0: national).
    #[getter]
    fn scope(&self) -> u16 {
        self.v.scope
    }
    /// Every field as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        verified_dict_items(&d, &self.v)?;
        Ok(d)
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reduce(py, "VerifiedVoucher", verified_state(py, &self.v)?)
    }
    fn __repr__(&self) -> String {
        let v = &self.v;
        format!(
            "VerifiedVoucher(issuer={:?}, kid={}, serial={:?}, value_cents={}, valid_from={}, valid_until={}, scope={})",
            v.issuer, v.kid, v.serial, v.value_cents, v.valid_from, v.valid_until, v.scope
        )
    }
}

/// Why a batch item failed: the core's code and message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Failure {
    code: &'static str,
    message: String,
}

type Verdict = Result<api::VerifiedVoucher, Failure>;

fn verdict(r: inclusif_core::api::Result<api::VerifiedVoucher>) -> Verdict {
    r.map_err(|e| Failure {
        code: e.code,
        message: e.message,
    })
}

fn verdict_state<'py>(py: Python<'py>, v: &Verdict) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Ok(x) => (py.None(), py.None(), verified_state(py, x)?).into_pyobject(py)?,
        Err(f) => (f.code, f.message.clone(), py.None()).into_pyobject(py)?,
    }
    .into_any())
}

fn verdict_from_state(state: &Bound<'_, PyAny>) -> PyResult<Verdict> {
    let (code, message, voucher): (Option<String>, Option<String>, Bound<'_, PyAny>) =
        state.extract()?;
    match (code, voucher.is_none()) {
        (None, false) => Ok(Ok(verified_from_state(&voucher)?)),
        (Some(code), true) => Ok(Err(Failure {
            code: static_code(&code)?,
            message: message.unwrap_or_default(),
        })),
        _ => Err(PyValueError::new_err(
            "a verification result has either a voucher or an error code",
        )),
    }
}

fn verdict_dict<'py>(py: Python<'py>, index: usize, v: &Verdict) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("index", index)?;
    match v {
        Ok(x) => {
            d.set_item("ok", true)?;
            d.set_item("error", py.None())?;
            d.set_item("message", py.None())?;
            verified_dict_items(&d, x)?;
        }
        Err(f) => {
            d.set_item("ok", false)?;
            d.set_item("error", ERROR_CODE.member(py, f.code)?)?;
            d.set_item("message", &f.message)?;
            for k in VERIFIED_FIELDS {
                d.set_item(k, py.None())?;
            }
        }
    }
    Ok(d)
}

const VERIFIED_FIELDS: [&str; 9] = [
    "issuer",
    "kid",
    "serial",
    "short_code",
    "keypad_code",
    "value_cents",
    "valid_from",
    "valid_until",
    "scope",
];

/// The verdict on one item of a batch: ok with its `voucher`, or the `error`
/// (`ErrorCode`) and `message`. Truthy when ok.
///
/// >>> r = batch[1]
/// >>> r.ok, r.error
/// (False, <ErrorCode.EXPIRED: 'expired'>)
#[pyclass(
    module = "inclusif._inclusif",
    name = "VerificationResult",
    frozen,
    eq,
    hash
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VerificationResult {
    index: usize,
    v: Verdict,
}

#[pymethods]
impl VerificationResult {
    /// The item's position in the batch.
    #[getter]
    fn index(&self) -> usize {
        self.index
    }
    /// Whether every check passed.
    #[getter]
    fn ok(&self) -> bool {
        self.v.is_ok()
    }
    /// The `ErrorCode`, or None when ok.
    #[getter]
    fn error<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match &self.v {
            Ok(_) => Ok(None),
            Err(f) => ERROR_CODE.member(py, f.code).map(Some),
        }
    }
    /// The error's message (naming the field and the rule), or None when ok.
    #[getter]
    fn message(&self) -> Option<String> {
        self.v.as_ref().err().map(|f| f.message.clone())
    }
    /// The verified voucher, or None.
    #[getter]
    fn voucher(&self) -> Option<VerifiedVoucher> {
        self.v
            .as_ref()
            .ok()
            .map(|v| VerifiedVoucher { v: v.clone() })
    }
    /// `{"index", "ok", "error", "message"}` and the voucher's fields (None on error).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        verdict_dict(py, self.index, &self.v)
    }
    fn __bool__(&self) -> bool {
        self.v.is_ok()
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let state = (self.index, verdict_state(py, &self.v)?).into_pyobject(py)?;
        reduce(py, "VerificationResult", state.into_any())
    }
    fn __repr__(&self) -> String {
        match &self.v {
            Ok(v) => format!(
                "VerificationResult(index={}, ok=True, serial={:?})",
                self.index, v.serial
            ),
            Err(f) => format!(
                "VerificationResult(index={}, ok=False, error={:?})",
                self.index, f.code
            ),
        }
    }
}

/// The verdicts of a batch, in input order, kept in Rust until asked for: index it or
/// iterate for `VerificationResult`s, count them by code, or turn them into a
/// DataFrame in one line.
///
/// >>> batch = verifier.verify_batch(lines, now)
/// >>> batch.counts()
/// {'ok': 19998, 'expired': 2}
/// >>> pandas.DataFrame(batch.to_columns())       # or pandas.DataFrame(batch.to_dicts())
#[pyclass(module = "inclusif._inclusif", name = "VerificationBatch", frozen, eq)]
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationBatch {
    items: Vec<Verdict>,
}

#[pymethods]
impl VerificationBatch {
    fn __len__(&self) -> usize {
        self.items.len()
    }
    fn __getitem__(&self, index: isize) -> PyResult<VerificationResult> {
        let i = index_of(index, self.items.len(), "result")?;
        Ok(VerificationResult {
            index: i,
            v: self.items[i].clone(),
        })
    }
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        let all: Vec<VerificationResult> = self
            .items
            .iter()
            .enumerate()
            .map(|(index, v)| VerificationResult {
                index,
                v: v.clone(),
            })
            .collect();
        PyList::new(py, all)?.try_iter()
    }
    /// How many verified.
    #[getter]
    fn ok_count(&self) -> usize {
        self.items.iter().filter(|v| v.is_ok()).count()
    }
    /// How many failed.
    #[getter]
    fn error_count(&self) -> usize {
        self.items.len() - self.ok_count()
    }
    /// Counts by outcome: `"ok"` first, then each error code met, in the core's order
    /// of checks.
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let codes = api::error_codes();
        let mut tally = vec![0usize; codes.len()];
        let mut ok = 0;
        for v in &self.items {
            match v {
                Ok(_) => ok += 1,
                Err(f) => {
                    if let Some(i) = codes.iter().position(|c| *c == f.code) {
                        tally[i] += 1;
                    }
                }
            }
        }
        let d = PyDict::new(py);
        if ok > 0 {
            d.set_item("ok", ok)?;
        }
        for (code, n) in codes.iter().zip(tally) {
            if n > 0 {
                d.set_item(*code, n)?;
            }
        }
        Ok(d)
    }
    /// The verified vouchers, in order (the failures left out).
    fn vouchers(&self) -> Vec<VerifiedVoucher> {
        self.items
            .iter()
            .filter_map(|v| v.as_ref().ok())
            .map(|v| VerifiedVoucher { v: v.clone() })
            .collect()
    }
    /// One dict per item (as `VerificationResult.to_dict`): `pandas.DataFrame(batch.to_dicts())`.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, v)| verdict_dict(py, i, v))
            .collect()
    }
    /// Columnar: `{"index": [...], "ok": [...], "error": [...], "message": [...],
    /// "issuer": [...], ...}`, one list per field, None where an item failed:
    /// `pandas.DataFrame(batch.to_columns())`.
    fn to_columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let mut names = vec!["index", "ok", "error", "message"];
        names.extend(VERIFIED_FIELDS);
        let (dict, l) = columns(py, &names)?;
        let none = py.None();
        for (i, v) in self.items.iter().enumerate() {
            l[0].append(i)?;
            match v {
                Ok(x) => {
                    l[1].append(true)?;
                    l[2].append(&none)?;
                    l[3].append(&none)?;
                    l[4].append(&x.issuer)?;
                    l[5].append(x.kid)?;
                    l[6].append(&x.serial)?;
                    l[7].append(&x.short_code)?;
                    l[8].append(&x.keypad_code)?;
                    l[9].append(x.value_cents)?;
                    l[10].append(x.valid_from)?;
                    l[11].append(x.valid_until)?;
                    l[12].append(x.scope)?;
                }
                Err(f) => {
                    l[1].append(false)?;
                    l[2].append(ERROR_CODE.member(py, f.code)?)?;
                    l[3].append(&f.message)?;
                    for list in &l[4..] {
                        list.append(&none)?;
                    }
                }
            }
        }
        Ok(dict)
    }
    /// Same as `to_columns()`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.to_columns(py)
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let states = self
            .items
            .iter()
            .map(|v| verdict_state(py, v))
            .collect::<PyResult<Vec<_>>>()?;
        reduce(py, "VerificationBatch", PyList::new(py, states)?.into_any())
    }
    fn __repr__(&self) -> String {
        format!(
            "VerificationBatch(items={}, ok={})",
            self.items.len(),
            self.ok_count()
        )
    }
}

/// Verifies vouchers offline against a trust list, in the venue's time zone (civil
/// dates; default Europe/Paris), for national vouchers and the given `scopes` (or any
/// scope with `any_scope=True`, for an operator's server), refusing `revoked_serials`
/// (20 hex digits, or short or keypad codes). A failed check raises
/// `VoucherValidationError` (`VoucherError` for `trust_list_expired`) with the core's
/// code; batches return every verdict instead, with the GIL released.
///
/// >>> verifier = Verifier(trust, time_zone="Indian/Reunion", scopes=[974])
/// >>> verifier.verify("PN1:0400EQQD...", now).value_cents
/// 1000
/// >>> verifier.verify_batch(lines, now).counts()
/// {'ok': 2, 'malformed': 1}
#[pyclass(module = "inclusif._inclusif", name = "VoucherVerifier", frozen)]
pub struct VoucherVerifier {
    v: api::Verifier,
}

#[pymethods]
impl VoucherVerifier {
    /// A verifier over a `TrustList` (keyword options after it).
    #[new]
    #[pyo3(signature = (trust_list, *, time_zone=None, scopes=None, any_scope=false, revoked_serials=None))]
    fn new(
        trust_list: &TrustList,
        time_zone: Option<&Bound<'_, PyAny>>,
        scopes: Option<Vec<u16>>,
        any_scope: bool,
        revoked_serials: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let options = api::VerifierOptions {
            time_zone: time_zone_arg(time_zone)?,
            scopes: scopes.unwrap_or_default(),
            any_scope,
            revoked_serials: revoked_serials.unwrap_or_default(),
        };
        Ok(VoucherVerifier {
            v: api::Verifier::new(&trust_list.inner, &options).py()?,
        })
    }

    /// The IANA time zone of civil dates.
    #[getter]
    fn time_zone(&self) -> String {
        self.v.time_zone()
    }

    /// The trust list in use.
    #[getter]
    fn trust_list(&self) -> TrustList {
        TrustList {
            inner: self.v.trust_list(),
        }
    }

    /// Replaces the trust list with a newer one (`trust_list_rollback` for an older one;
    /// the same list again is a no-op). Safe while other threads verify.
    fn replace_trust_list(&self, newer: &TrustList) -> PyResult<()> {
        self.v.replace_trust_list(&newer.inner).py()
    }

    /// Verifies the strict text or the `PN1:` QR payload (what a scanner reads) at `at`.
    fn verify(&self, text: &str, at: &Bound<'_, PyAny>) -> PyResult<VerifiedVoucher> {
        let now = instant_arg(at, "at")?;
        Ok(VerifiedVoucher {
            v: self.v.verify_text(text, now).py()?,
        })
    }

    /// Verifies text typed by a person at `at`.
    fn verify_human(&self, text: &str, at: &Bound<'_, PyAny>) -> PyResult<VerifiedVoucher> {
        let now = instant_arg(at, "at")?;
        Ok(VerifiedVoucher {
            v: self.v.verify_human(text, now).py()?,
        })
    }

    /// Verifies the 85 raw bytes at `at`.
    fn verify_bytes(&self, data: &[u8], at: &Bound<'_, PyAny>) -> PyResult<VerifiedVoucher> {
        let now = instant_arg(at, "at")?;
        Ok(VerifiedVoucher {
            v: self.v.verify_bytes(data, now).py()?,
        })
    }

    /// Verifies a parsed `Token` at `at`.
    fn verify_token(
        &self,
        token: &VoucherToken,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<VerifiedVoucher> {
        let now = instant_arg(at, "at")?;
        Ok(VerifiedVoucher {
            v: self.v.verify(&token.t, now).py()?,
        })
    }

    /// Verifies many texts (strict, or typed by people when `human`) as one batch at
    /// `at`, with the GIL released: one verdict per text, in order, the same as one by
    /// one (signatures are checked together per key). Never raises for a bad token.
    #[pyo3(signature = (texts, at, *, human=false))]
    fn verify_batch(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
        human: bool,
    ) -> PyResult<VerificationBatch> {
        let now = instant_arg(at, "at")?;
        let texts = texts_arg(texts)?;
        let v = &self.v;
        let items = py.detach(move || {
            v.verify_batch(&texts, now, human)
                .into_iter()
                .map(verdict)
                .collect()
        });
        Ok(VerificationBatch { items })
    }

    /// Verifies many raw 85-byte tokens as one batch at `at` (GIL released).
    fn verify_batch_bytes(
        &self,
        py: Python<'_>,
        tokens: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<VerificationBatch> {
        let now = instant_arg(at, "at")?;
        let tokens = bytes_arg(tokens)?;
        let v = &self.v;
        let items = py.detach(move || {
            v.verify_batch_bytes(&tokens, now)
                .into_iter()
                .map(verdict)
                .collect()
        });
        Ok(VerificationBatch { items })
    }

    fn __repr__(&self) -> String {
        let list = self.v.trust_list();
        format!(
            "Verifier(time_zone={:?}, trust_list_sequence={})",
            self.v.time_zone(),
            list.sequence()
        )
    }
}

// ---- issuance ----

/// What a voucher carries: its validity window (civil dates, inclusive, at most 1100
/// days), face value in cents (default 1000, 10 €) and scope (default 0, national).
///
/// >>> VoucherSpec(date(2026, 1, 1), date(2026, 12, 31))
/// VoucherSpec(valid_from=2026-01-01, valid_until=2026-12-31, value_cents=1000, scope=0)
#[pyclass(module = "inclusif._inclusif", name = "VoucherSpec", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VoucherSpec {
    s: api::VoucherSpec,
}

#[pymethods]
impl VoucherSpec {
    /// A spec (the window is checked when vouchers are issued).
    #[new]
    #[pyo3(signature = (valid_from, valid_until, value_cents=1000, scope=0))]
    fn new(
        valid_from: &Bound<'_, PyAny>,
        valid_until: &Bound<'_, PyAny>,
        value_cents: u16,
        scope: u16,
    ) -> PyResult<Self> {
        Ok(VoucherSpec {
            s: api::VoucherSpec {
                value_cents,
                valid_from: date_arg(valid_from, "valid_from")?,
                valid_until: date_arg(valid_until, "valid_until")?,
                scope,
            },
        })
    }
    /// First valid civil date.
    #[getter]
    fn valid_from(&self) -> NaiveDate {
        self.s.valid_from
    }
    /// Last valid civil date (inclusive).
    #[getter]
    fn valid_until(&self) -> NaiveDate {
        self.s.valid_until
    }
    /// Face value in cents.
    #[getter]
    fn value_cents(&self) -> u16 {
        self.s.value_cents
    }
    /// Scope.
    #[getter]
    fn scope(&self) -> u16 {
        self.s.scope
    }
    /// Every field as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("valid_from", self.s.valid_from)?;
        d.set_item("valid_until", self.s.valid_until)?;
        d.set_item("value_cents", self.s.value_cents)?;
        d.set_item("scope", self.s.scope)?;
        Ok(d)
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let s = &self.s;
        let state = (s.valid_from, s.valid_until, s.value_cents, s.scope).into_pyobject(py)?;
        reduce(py, "VoucherSpec", state.into_any())
    }
    fn __repr__(&self) -> String {
        let s = &self.s;
        format!(
            "VoucherSpec(valid_from={}, valid_until={}, value_cents={}, scope={})",
            s.valid_from, s.valid_until, s.value_cents, s.scope
        )
    }
}

/// One issued voucher with what is printed on it: the token (`qr_payload` for the QR
/// code), its serial, short code and keypad code.
///
/// >>> cheque = issuer.issue(spec)
/// >>> cheque.short_code
/// 'BVPG-0000-0000-0001-S'
#[pyclass(
    module = "inclusif._inclusif",
    name = "IssuedVoucher",
    frozen,
    eq,
    hash
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IssuedVoucher {
    i: api::IssuedVoucher,
}

#[pymethods]
impl IssuedVoucher {
    /// The signed token.
    #[getter]
    fn token(&self) -> VoucherToken {
        VoucherToken { t: self.i.token }
    }
    /// The serial (20 hex digits).
    #[getter]
    fn serial(&self) -> String {
        self.i.serial.clone()
    }
    /// The short code, for checks by phone.
    #[getter]
    fn short_code(&self) -> String {
        self.i.short_code.clone()
    }
    /// The keypad code.
    #[getter]
    fn keypad_code(&self) -> String {
        self.i.keypad_code.clone()
    }
    /// The QR payload (`PN1:` and the strict text).
    #[getter]
    fn qr_payload(&self) -> String {
        self.i.token.to_qr_payload()
    }
    /// The strict text.
    #[getter]
    fn text(&self) -> String {
        self.i.token.to_text()
    }
    /// `{"serial", "short_code", "keypad_code", "qr_payload"}`: one booklet row.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("serial", &self.i.serial)?;
        d.set_item("short_code", &self.i.short_code)?;
        d.set_item("keypad_code", &self.i.keypad_code)?;
        d.set_item("qr_payload", self.i.token.to_qr_payload())?;
        Ok(d)
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let token = PyBytes::new(py, &self.i.token.to_bytes());
        reduce(py, "IssuedVoucher", token.into_any())
    }
    fn __repr__(&self) -> String {
        format!(
            "IssuedVoucher(serial={:?}, short_code={:?})",
            self.i.serial, self.i.short_code
        )
    }
}

fn issued(items: Vec<api::IssuedVoucher>) -> Vec<IssuedVoucher> {
    items.into_iter().map(|i| IssuedVoucher { i }).collect()
}

/// An issuer's signing key with its registry key id: signs vouchers one at a time, by
/// booklet, or by whole print runs (on every core, GIL released).
///
/// >>> issuer = Issuer(7, SecretKey.from_hex(vault["issuer-7"]))
/// >>> booklet = issuer.booklet(VoucherSpec(date(2026, 1, 1), date(2026, 12, 31)))
/// >>> len(booklet), booklet[0].qr_payload[:4]
/// (10, 'PN1:')
#[pyclass(module = "inclusif._inclusif", name = "VoucherIssuer", frozen)]
pub struct VoucherIssuer {
    inner: api::Issuer,
}

#[pymethods]
impl VoucherIssuer {
    /// An issuer from its key id and secret key (`SecretKey` or 32-byte seed).
    #[new]
    fn new(kid: u16, secret_key: &Bound<'_, PyAny>) -> PyResult<Self> {
        let seed = secret_arg(secret_key, "secret_key")?;
        Ok(VoucherIssuer {
            inner: api::Issuer::new(kid, &seed).py()?,
        })
    }

    /// An issuer with a fresh random key (never shown: for tests and demonstrations).
    #[staticmethod]
    fn generate(kid: u16) -> PyResult<Self> {
        Ok(VoucherIssuer {
            inner: api::Issuer::generate(kid).py()?,
        })
    }

    /// The key id.
    #[getter]
    fn kid(&self) -> u16 {
        self.inner.kid()
    }

    /// The public key to list in the trust list.
    #[getter]
    fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public_key(),
        }
    }

    /// Signs one voucher, with `serial` (20 hex digits) or a fresh random one.
    #[pyo3(signature = (spec, serial=None))]
    fn issue(&self, spec: &VoucherSpec, serial: Option<&str>) -> PyResult<IssuedVoucher> {
        Ok(IssuedVoucher {
            i: self.inner.issue(&spec.s, serial).py()?,
        })
    }

    /// A booklet (carnet) of `cheques` vouchers (default 10) with distinct random serials.
    #[pyo3(signature = (spec, cheques=10))]
    fn booklet(&self, spec: &VoucherSpec, cheques: u16) -> PyResult<Vec<IssuedVoucher>> {
        Ok(issued(self.inner.booklet(&spec.s, cheques).py()?))
    }

    /// A print run of `count` vouchers with distinct random serials, signed on every
    /// core with the GIL released, in a stable order. `progress(done, total)`, if given,
    /// is called about a hundred times and once at the end; an exception it raises
    /// stops the reports and is raised once the run is signed.
    #[pyo3(signature = (spec, count, progress=None))]
    fn print_run(
        &self,
        py: Python<'_>,
        spec: &VoucherSpec,
        count: u64,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Vec<IssuedVoucher>> {
        let progress = progress.filter(|p| !p.is_none(py));
        let mut failed: Option<PyErr> = None;
        let inner = &self.inner;
        let s = spec.s;
        let result = py.detach(|| {
            let mut report = |done: u64, total: u64| {
                if let (Some(p), None) = (&progress, &failed) {
                    Python::attach(|py| {
                        if let Err(e) = p.call1(py, (done, total)) {
                            failed = Some(e);
                        }
                    });
                }
            };
            inner.print_run(&s, count, &mut report)
        });
        let run = result.py()?;
        match failed {
            Some(e) => Err(e),
            None => Ok(issued(run)),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Issuer(kid={}, public_key={:?})",
            self.inner.kid(),
            self.inner.public_key().to_hex()
        )
    }
}

// ---- redemption ----

/// A recorded redemption: which issuer's serial, signed by which key, worth what, at
/// which venue and when. Build one by hand only to record a redemption made elsewhere.
///
/// >>> r = ledger.redeem(voucher, "venue-lyon-01", now)
/// >>> r.venue, r.value_cents
/// ('venue-lyon-01', 1000)
#[pyclass(module = "inclusif._inclusif", name = "Redemption", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Redemption {
    r: api::Redemption,
}

fn redemption_state<'py>(py: Python<'py>, r: &api::Redemption) -> PyResult<Bound<'py, PyAny>> {
    Ok((
        r.issuer.clone(),
        r.serial.clone(),
        r.kid,
        r.value_cents,
        r.venue.clone(),
        r.at,
    )
        .into_pyobject(py)?
        .into_any())
}

fn redemption_from_state(state: &Bound<'_, PyAny>) -> PyResult<api::Redemption> {
    let (issuer, serial, kid, value_cents, venue, at): (
        String,
        String,
        u16,
        u16,
        String,
        Bound<'_, PyAny>,
    ) = state.extract()?;
    Redemption::new(issuer, serial, kid, value_cents, venue, &at).map(|r| r.r)
}

#[pymethods]
impl Redemption {
    /// A redemption from its fields (checked as a ledger checks them when recorded).
    #[new]
    fn new(
        issuer: String,
        serial: String,
        kid: u16,
        value_cents: u16,
        venue: String,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let r = api::Redemption {
            issuer,
            serial,
            kid,
            value_cents,
            venue,
            at: instant_arg(at, "at")?,
        };
        r.check().py()?;
        Ok(Redemption { r })
    }
    /// Reads one JSON object (a line of `OfflineQueue.export_jsonl()`).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(Redemption {
            r: api::Redemption::from_json(text).py()?,
        })
    }
    /// The issuer.
    #[getter]
    fn issuer(&self) -> String {
        self.r.issuer.clone()
    }
    /// The serial (20 hex digits).
    #[getter]
    fn serial(&self) -> String {
        self.r.serial.clone()
    }
    /// The key id that signed the redeemed token.
    #[getter]
    fn kid(&self) -> u16 {
        self.r.kid
    }
    /// Face value in cents.
    #[getter]
    fn value_cents(&self) -> u16 {
        self.r.value_cents
    }
    /// Face value in euros (`decimal.Decimal`).
    #[getter]
    fn value(&self) -> Decimal {
        euros(self.r.value_cents)
    }
    /// The venue that accepted the cheque.
    #[getter]
    fn venue(&self) -> String {
        self.r.venue.clone()
    }
    /// When the venue accepted it.
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.r.at
    }
    /// One JSON object.
    fn to_json(&self) -> String {
        self.r.to_json()
    }
    /// Every field as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("issuer", &self.r.issuer)?;
        d.set_item("serial", &self.r.serial)?;
        d.set_item("kid", self.r.kid)?;
        d.set_item("value_cents", self.r.value_cents)?;
        d.set_item("venue", &self.r.venue)?;
        d.set_item("at", self.r.at)?;
        Ok(d)
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reduce(py, "Redemption", redemption_state(py, &self.r)?)
    }
    fn __repr__(&self) -> String {
        format!(
            "Redemption(issuer={:?}, serial={:?}, venue={:?}, at={})",
            self.r.issuer,
            self.r.serial,
            self.r.venue,
            self.r.at.to_rfc3339()
        )
    }
}

fn redemptions(items: Vec<api::Redemption>) -> Vec<Redemption> {
    items.into_iter().map(|r| Redemption { r }).collect()
}

/// A thread-safe in-memory redemption ledger: each serial is redeemed at most once per
/// issuer; a second time raises `VoucherError` (`already_redeemed`, naming the first
/// venue and time). Lost when the process ends.
///
/// >>> ledger = MemoryLedger()
/// >>> ledger.redeem(voucher, "venue-lyon-01", now).venue
/// 'venue-lyon-01'
/// >>> pandas.DataFrame(ledger.to_dicts())
#[pyclass(module = "inclusif._inclusif", name = "MemoryLedger", frozen)]
pub struct MemoryLedger {
    inner: api::MemoryLedger,
}

#[pymethods]
impl MemoryLedger {
    /// An empty ledger.
    #[new]
    fn new() -> Self {
        MemoryLedger {
            inner: api::MemoryLedger::new(),
        }
    }
    /// Redeems a verified voucher at a venue at `at`.
    fn redeem(
        &self,
        voucher: &VerifiedVoucher,
        venue: &str,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Redemption> {
        let at = instant_arg(at, "at")?;
        Ok(Redemption {
            r: self.inner.redeem(&voucher.v, venue, at).py()?,
        })
    }
    /// Records a redemption made elsewhere.
    fn record(&self, redemption: &Redemption) -> PyResult<Redemption> {
        Ok(Redemption {
            r: self.inner.record(&redemption.r).py()?,
        })
    }
    /// The redemption of an issuer's serial, or None.
    fn redemption(&self, issuer: &str, serial: &str) -> PyResult<Option<Redemption>> {
        Ok(self
            .inner
            .redemption(issuer, serial)
            .py()?
            .map(|r| Redemption { r }))
    }
    /// Records several redemptions, in order: one `SyncOutcome` each (`REDEEMED`, or
    /// `CONFLICT` with the winner).
    fn redeem_all(
        &self,
        py: Python<'_>,
        redemptions: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<SyncOutcome>> {
        ledger_redeem_all(py, &self.inner, redemptions)
    }
    /// Every redemption, by time, then issuer and serial.
    fn redemptions(&self) -> Vec<Redemption> {
        redemptions(self.inner.redemptions())
    }
    /// Every redemption as a dict: `pandas.DataFrame(ledger.to_dicts())`.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.redemptions().iter().map(|r| r.to_dict(py)).collect()
    }
    fn __len__(&self) -> usize {
        usize::try_from(self.inner.len()).unwrap_or(usize::MAX)
    }
    fn __repr__(&self) -> String {
        format!("MemoryLedger(redemptions={})", self.inner.len())
    }
}

// ---- persistent ledgers (SQLite, PostgreSQL) with the operator's registry and log ----

/// A core error from a persistent store as a Python exception (`VoucherError` with the
/// code for `ledger_busy`, `ledger_unavailable`, `ledger_corrupt`).
fn store<T>(r: Result<T, inclusif_core::voucher::VoucherError>) -> PyResult<T> {
    r.map_err(inclusif_core::api::Error::from).py()
}

/// Any ledger argument: a `MemoryLedger`, `SqliteLedger` or `PgLedger`.
fn ledger_arg(obj: &Bound<'_, PyAny>) -> PyResult<api::Ledger> {
    if let Ok(m) = obj.cast::<MemoryLedger>() {
        return Ok(m.get().inner.handle());
    }
    if let Ok(s) = obj.cast::<SqliteLedger>() {
        return Ok(s.get().handle.clone());
    }
    if let Ok(p) = obj.cast::<PgLedger>() {
        return Ok(p.get().handle.clone());
    }
    Err(PyTypeError::new_err(format!(
        "ledger: expected a MemoryLedger, SqliteLedger or PgLedger, got {}",
        type_name(obj)
    )))
}

/// The registry and log kept next to a persistent ledger, if the argument is one.
fn operator_state(obj: &Bound<'_, PyAny>) -> Option<(api::VenueRegistry, api::ImportLog)> {
    if let Ok(s) = obj.cast::<SqliteLedger>() {
        let inner = s.get().inner.clone();
        return Some((
            api::VenueRegistry::from_dyn(inner.clone()),
            api::ImportLog::from_dyn(inner),
        ));
    }
    if let Ok(p) = obj.cast::<PgLedger>() {
        let inner = p.get().inner.clone();
        return Some((
            api::VenueRegistry::from_dyn(inner.clone()),
            api::ImportLog::from_dyn(inner),
        ));
    }
    None
}

/// Redemptions from a Python iterable of `Redemption`.
fn redemption_list(items: &Bound<'_, PyAny>) -> PyResult<Vec<api::Redemption>> {
    PyIterator::from_object(items)?
        .map(|item| {
            let item = item?;
            item.cast::<Redemption>()
                .map(|r| r.get().r.clone())
                .map_err(|_| {
                    PyTypeError::new_err(format!(
                        "redemptions: expected Redemption items, got {}",
                        type_name(&item)
                    ))
                })
        })
        .collect()
}

fn sync_outcomes(items: Vec<api::SyncOutcome>) -> Vec<SyncOutcome> {
    items.into_iter().map(|o| SyncOutcome { o }).collect()
}

/// The methods every ledger class shares, on its handle, with the GIL released.
fn ledger_redeem(
    py: Python<'_>,
    ledger: &api::Ledger,
    voucher: &VerifiedVoucher,
    venue: &str,
    at: &Bound<'_, PyAny>,
) -> PyResult<Redemption> {
    let at = instant_arg(at, "at")?;
    let v = &voucher.v;
    let r = py.detach(|| ledger.redeem(v, venue, at));
    Ok(Redemption { r: r.py()? })
}

fn ledger_record(py: Python<'_>, ledger: &api::Ledger, r: &Redemption) -> PyResult<Redemption> {
    let r = py.detach(|| ledger.record(&r.r));
    Ok(Redemption { r: r.py()? })
}

fn ledger_redemption(
    py: Python<'_>,
    ledger: &api::Ledger,
    issuer: &str,
    serial: &str,
) -> PyResult<Option<Redemption>> {
    let r = py.detach(|| ledger.redemption(issuer, serial));
    Ok(r.py()?.map(|r| Redemption { r }))
}

fn ledger_redeem_all(
    py: Python<'_>,
    ledger: &api::Ledger,
    redemptions: &Bound<'_, PyAny>,
) -> PyResult<Vec<SyncOutcome>> {
    let items = redemption_list(redemptions)?;
    let out = py.detach(|| ledger.redeem_all(&items));
    Ok(sync_outcomes(out.py()?))
}

/// A redemption ledger in one SQLite file (SQLite is bundled: nothing to install), with
/// the operator's venue registry and import log in the same file. Each serial is
/// redeemed at most once per issuer, by the database's own key; a redemption that
/// returned survives a crash or a power cut (WAL, `synchronous=FULL`; `durability=
/// "normal"` trades the last commits before a power cut for about ten times the
/// commits per second). A missing or empty file is created; a file of another
/// application, a corrupt one or one of a newer schema raises `VoucherError`
/// (`ledger_corrupt`); a file locked by another writer past a bounded retry raises
/// `ledger_busy` (`busy_timeout`: seconds one attempt waits for the lock, 6 attempts).
/// Database calls release the GIL. Use it as a context manager to close the file (or
/// call `close()`); a closed ledger raises `ledger_unavailable`.
///
/// >>> with SqliteLedger("operator.sqlite") as ledger:
/// ...     ledger.redeem(voucher, "venue-lyon-01", now).venue
/// ...     ledger.registry.put_venue(RegisteredVenue("venue-lyon-01", "Lyon", "12345678900007"))
/// ...     report = import_batch(data, ledger=ledger, verifier=operator, at=now)
/// 'venue-lyon-01'
#[pyclass(module = "inclusif._inclusif", name = "SqliteLedger", frozen)]
pub struct SqliteLedger {
    inner: std::sync::Arc<inclusif_ledger::SqliteLedger>,
    handle: api::Ledger,
}

#[pymethods]
impl SqliteLedger {
    /// Opens (or creates) the ledger file.
    #[new]
    #[pyo3(signature = (path, *, durability = "full", busy_timeout = 2.0))]
    fn new(
        py: Python<'_>,
        path: std::path::PathBuf,
        durability: &str,
        busy_timeout: f64,
    ) -> PyResult<Self> {
        let busy_timeout = std::time::Duration::try_from_secs_f64(busy_timeout)
            .ok()
            .filter(|d| *d <= std::time::Duration::from_secs(3600))
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "busy_timeout: {busy_timeout} is not a number of seconds from 0 to 3600"
                ))
            })?;
        let durability = match durability.to_ascii_lowercase().as_str() {
            "full" => inclusif_ledger::Durability::Full,
            "normal" => inclusif_ledger::Durability::Normal,
            other => {
                return Err(PyValueError::new_err(format!(
                    "durability: {other:?} is neither \"full\" nor \"normal\""
                )));
            }
        };
        let options = inclusif_ledger::SqliteOptions::default()
            .durability(durability)
            .busy_timeout(busy_timeout);
        let opened = py.detach(|| inclusif_ledger::SqliteLedger::open_with(&path, options));
        let inner = std::sync::Arc::new(store(opened)?);
        Ok(SqliteLedger {
            handle: api::Ledger::from_dyn(inner.clone()),
            inner,
        })
    }
    /// The file's path.
    #[getter]
    fn path(&self) -> std::path::PathBuf {
        self.inner.path().to_path_buf()
    }
    /// `"full"` or `"normal"`, as SQLite reports it.
    #[getter]
    fn durability(&self, py: Python<'_>) -> PyResult<&'static str> {
        Ok(match store(py.detach(|| self.inner.durability()))? {
            inclusif_ledger::Durability::Full => "full",
            inclusif_ledger::Durability::Normal => "normal",
        })
    }
    /// The file's schema version.
    #[getter]
    fn schema_version(&self, py: Python<'_>) -> PyResult<u32> {
        store(py.detach(|| self.inner.schema_version()))
    }
    /// The operator's venue registry, kept in this file.
    #[getter]
    fn registry(&self) -> VenueRegistry {
        VenueRegistry {
            inner: api::VenueRegistry::from_dyn(self.inner.clone()),
        }
    }
    /// The log of finished imports, kept in this file.
    #[getter]
    fn import_log(&self) -> ImportLog {
        ImportLog {
            inner: api::ImportLog::from_dyn(self.inner.clone()),
        }
    }
    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.is_closed()
    }
    /// Redeems a verified voucher at a venue at `at` (`already_redeemed` the second time).
    fn redeem(
        &self,
        py: Python<'_>,
        voucher: &VerifiedVoucher,
        venue: &str,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Redemption> {
        ledger_redeem(py, &self.handle, voucher, venue, at)
    }
    /// Records a redemption made elsewhere.
    fn record(&self, py: Python<'_>, redemption: &Redemption) -> PyResult<Redemption> {
        ledger_record(py, &self.handle, redemption)
    }
    /// The redemption of an issuer's serial, or None.
    fn redemption(
        &self,
        py: Python<'_>,
        issuer: &str,
        serial: &str,
    ) -> PyResult<Option<Redemption>> {
        ledger_redemption(py, &self.handle, issuer, serial)
    }
    /// Records several redemptions in one transaction, in order: one `SyncOutcome`
    /// each (`REDEEMED`, or `CONFLICT` with the winner).
    fn redeem_all(
        &self,
        py: Python<'_>,
        redemptions: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<SyncOutcome>> {
        ledger_redeem_all(py, &self.handle, redemptions)
    }
    /// Every redemption, by time, then issuer and serial.
    fn redemptions(&self, py: Python<'_>) -> PyResult<Vec<Redemption>> {
        let all = store(py.detach(|| self.inner.redemptions()))?;
        Ok(all
            .iter()
            .map(|r| Redemption {
                r: api::Redemption::from(r),
            })
            .collect())
    }
    /// Every redemption as a dict: `pandas.DataFrame(ledger.to_dicts())`.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.redemptions(py)?
            .iter()
            .map(|r| r.to_dict(py))
            .collect()
    }
    /// Runs SQLite's integrity check (`ledger_corrupt` with its findings).
    fn integrity_check(&self, py: Python<'_>) -> PyResult<()> {
        store(py.detach(|| self.inner.integrity_check()))
    }
    /// Closes the file; later calls raise `ledger_unavailable`. Closing twice does
    /// nothing.
    fn close(&self, py: Python<'_>) {
        py.detach(|| self.inner.close())
    }
    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }
    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> bool {
        self.close(py);
        false
    }
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        let n = store(py.detach(|| self.inner.len()))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }
    fn __repr__(&self) -> String {
        format!(
            "SqliteLedger({:?}{})",
            self.inner.path().display().to_string(),
            if self.inner.is_closed() {
                ", closed"
            } else {
                ""
            }
        )
    }
}

/// A redemption ledger in a PostgreSQL database, shared by several servers, with the
/// operator's venue registry and import log in the same database. Exactly-once comes
/// from the database's primary key, not from locks in the program. Connect by URL
/// (`postgresql://user@host/db`, or `postgresql://user@/db?host=/run/postgresql` for a
/// local socket; no TLS: use a socket or the loopback interface); `schema` keeps the
/// tables in a schema of their own (created if missing). The URL is never shown:
/// errors name `user@host/db`. Errors as for `SqliteLedger`; database calls release
/// the GIL; a context manager closes the connections.
///
/// >>> with PgLedger("postgresql://ledger@/inclusif?host=/run/postgresql") as ledger:
/// ...     report = import_batch(data, ledger=ledger, verifier=operator, at=now)
#[pyclass(module = "inclusif._inclusif", name = "PgLedger", frozen)]
pub struct PgLedger {
    inner: std::sync::Arc<inclusif_ledger::PgLedger>,
    handle: api::Ledger,
}

#[pymethods]
impl PgLedger {
    /// Connects, and creates or migrates the tables.
    #[new]
    #[pyo3(signature = (url, *, schema = None))]
    fn new(py: Python<'_>, url: &str, schema: Option<&str>) -> PyResult<Self> {
        let mut options = inclusif_ledger::PgOptions::default();
        if let Some(s) = schema {
            options = options.schema(s);
        }
        let connected = py.detach(|| inclusif_ledger::PgLedger::connect_with(url, options));
        let inner = std::sync::Arc::new(store(connected)?);
        Ok(PgLedger {
            handle: api::Ledger::from_dyn(inner.clone()),
            inner,
        })
    }
    /// The target as `user@host[:port]/db` (never the password).
    #[getter]
    fn location(&self) -> String {
        self.inner.location().to_owned()
    }
    /// The schema version in the database.
    #[getter]
    fn schema_version(&self, py: Python<'_>) -> PyResult<u32> {
        store(py.detach(|| self.inner.schema_version()))
    }
    /// The operator's venue registry, kept in this database.
    #[getter]
    fn registry(&self) -> VenueRegistry {
        VenueRegistry {
            inner: api::VenueRegistry::from_dyn(self.inner.clone()),
        }
    }
    /// The log of finished imports, kept in this database.
    #[getter]
    fn import_log(&self) -> ImportLog {
        ImportLog {
            inner: api::ImportLog::from_dyn(self.inner.clone()),
        }
    }
    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.is_closed()
    }
    /// Redeems a verified voucher at a venue at `at` (`already_redeemed` the second time).
    fn redeem(
        &self,
        py: Python<'_>,
        voucher: &VerifiedVoucher,
        venue: &str,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Redemption> {
        ledger_redeem(py, &self.handle, voucher, venue, at)
    }
    /// Records a redemption made elsewhere.
    fn record(&self, py: Python<'_>, redemption: &Redemption) -> PyResult<Redemption> {
        ledger_record(py, &self.handle, redemption)
    }
    /// The redemption of an issuer's serial, or None.
    fn redemption(
        &self,
        py: Python<'_>,
        issuer: &str,
        serial: &str,
    ) -> PyResult<Option<Redemption>> {
        ledger_redemption(py, &self.handle, issuer, serial)
    }
    /// Records several redemptions in one transaction, in order: one `SyncOutcome`
    /// each (`REDEEMED`, or `CONFLICT` with the winner).
    fn redeem_all(
        &self,
        py: Python<'_>,
        redemptions: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<SyncOutcome>> {
        ledger_redeem_all(py, &self.handle, redemptions)
    }
    /// Every redemption, by time, then issuer and serial.
    fn redemptions(&self, py: Python<'_>) -> PyResult<Vec<Redemption>> {
        let all = store(py.detach(|| self.inner.redemptions()))?;
        Ok(all
            .iter()
            .map(|r| Redemption {
                r: api::Redemption::from(r),
            })
            .collect())
    }
    /// Every redemption as a dict: `pandas.DataFrame(ledger.to_dicts())`.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.redemptions(py)?
            .iter()
            .map(|r| r.to_dict(py))
            .collect()
    }
    /// Closes the connections; later calls raise `ledger_unavailable`.
    fn close(&self, py: Python<'_>) {
        py.detach(|| self.inner.close())
    }
    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }
    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> bool {
        self.close(py);
        false
    }
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        let n = store(py.detach(|| self.inner.len()))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }
    fn __repr__(&self) -> String {
        format!(
            "PgLedger({:?}{})",
            self.inner.location(),
            if self.inner.is_closed() {
                ", closed"
            } else {
                ""
            }
        )
    }
}

/// What happened to one queued redemption at sync: `status` `REDEEMED` (this one
/// counts) or `CONFLICT` (`winner` reached the ledger first). Truthy when redeemed.
///
/// >>> [o.status for o in queue.sync(ledger).outcomes]
/// [<SyncStatus.REDEEMED: 'redeemed'>, <SyncStatus.CONFLICT: 'conflict'>]
#[pyclass(module = "inclusif._inclusif", name = "SyncOutcome", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SyncOutcome {
    o: api::SyncOutcome,
}

#[pymethods]
impl SyncOutcome {
    /// The `SyncStatus`.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        SYNC_STATUS.member(py, self.o.status)
    }
    /// Whether this device's redemption is the one that counts.
    #[getter]
    fn redeemed(&self) -> bool {
        self.o.status == "redeemed"
    }
    /// The redemption this device queued.
    #[getter]
    fn queued(&self) -> Redemption {
        Redemption {
            r: self.o.queued.clone(),
        }
    }
    /// The redemption that counts (`queued` itself when redeemed).
    #[getter]
    fn winner(&self) -> Redemption {
        Redemption {
            r: self.o.winner.clone(),
        }
    }
    /// `{"status", "issuer", "serial", "value_cents", "venue", "at", "winner_venue", "winner_at"}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let (q, w) = (&self.o.queued, &self.o.winner);
        d.set_item("status", self.status(py)?)?;
        d.set_item("issuer", &q.issuer)?;
        d.set_item("serial", &q.serial)?;
        d.set_item("value_cents", q.value_cents)?;
        d.set_item("venue", &q.venue)?;
        d.set_item("at", q.at)?;
        d.set_item("winner_venue", &w.venue)?;
        d.set_item("winner_at", w.at)?;
        Ok(d)
    }
    fn __bool__(&self) -> bool {
        self.redeemed()
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let state = (
            self.o.status,
            redemption_state(py, &self.o.queued)?,
            redemption_state(py, &self.o.winner)?,
        )
            .into_pyobject(py)?;
        reduce(py, "SyncOutcome", state.into_any())
    }
    fn __repr__(&self) -> String {
        format!(
            "SyncOutcome(status={}, serial={:?}, winner_venue={:?})",
            self.o.status, self.o.queued.serial, self.o.winner.venue
        )
    }
}

fn outcome_from_state(state: &Bound<'_, PyAny>) -> PyResult<api::SyncOutcome> {
    let (status, queued, winner): (String, Bound<'_, PyAny>, Bound<'_, PyAny>) = state.extract()?;
    let status = api::sync_statuses()
        .into_iter()
        .find(|s| *s == status)
        .ok_or_else(|| PyValueError::new_err(format!("{status:?} is not a sync status")))?;
    Ok(api::SyncOutcome {
        status,
        queued: redemption_from_state(&queued)?,
        winner: redemption_from_state(&winner)?,
    })
}

/// The result of `OfflineQueue.sync`: one `SyncOutcome` per settled redemption and, if
/// the ledger failed part way, its `error` (the unsettled items stay queued: syncing
/// again is safe). Truthy when complete.
///
/// >>> report = queue.sync(ledger)
/// >>> report.complete, len(report.outcomes)
/// (True, 3)
#[pyclass(module = "inclusif._inclusif", name = "SyncReport", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SyncReport {
    outcomes: Vec<api::SyncOutcome>,
    error: Option<Failure>,
}

#[pymethods]
impl SyncReport {
    /// One outcome per settled redemption, in queue order.
    #[getter]
    fn outcomes(&self) -> Vec<SyncOutcome> {
        self.outcomes
            .iter()
            .map(|o| SyncOutcome { o: o.clone() })
            .collect()
    }
    /// Whether every queued redemption was settled.
    #[getter]
    fn complete(&self) -> bool {
        self.error.is_none()
    }
    /// The ledger's `ErrorCode` if the sync stopped early, else None.
    #[getter]
    fn error<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.error
            .as_ref()
            .map(|f| ERROR_CODE.member(py, f.code))
            .transpose()
    }
    /// The ledger's message, or None.
    #[getter]
    fn message(&self) -> Option<String> {
        self.error.as_ref().map(|f| f.message.clone())
    }
    /// How many redemptions count (`redeemed`) and how many lost (`conflict`).
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for s in api::sync_statuses() {
            d.set_item(s, self.outcomes.iter().filter(|o| o.status == s).count())?;
        }
        Ok(d)
    }
    /// One dict per outcome (as `SyncOutcome.to_dict`).
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.outcomes().iter().map(|o| o.to_dict(py)).collect()
    }
    fn __bool__(&self) -> bool {
        self.error.is_none()
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let outcomes = self
            .outcomes()
            .iter()
            .map(|o| o.__reduce__(py)?.get_item(1)?.get_item(1))
            .collect::<PyResult<Vec<_>>>()?;
        let (code, message) = match &self.error {
            Some(f) => (Some(f.code), Some(f.message.clone())),
            None => (None, None),
        };
        let state = (outcomes, code, message).into_pyobject(py)?;
        reduce(py, "SyncReport", state.into_any())
    }
    fn __repr__(&self) -> String {
        format!(
            "SyncReport(outcomes={}, complete={})",
            self.outcomes.len(),
            if self.error.is_none() {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// A venue device's queue of redemptions accepted offline: `accept` verified vouchers,
/// `export_jsonl()` the queue to send it or keep it across restarts (`from_jsonl`
/// restores it), and `sync` it to the ledger when back online: the first redemption to
/// reach the ledger wins, later ones come back as conflicts. Thread-safe.
///
/// >>> queue = OfflineQueue("venue-gueret-02")
/// >>> queue.accept(voucher, now)
/// >>> Path("queue.jsonl").write_text(queue.export_jsonl())
/// >>> queue.sync(ledger).complete
/// True
#[pyclass(module = "inclusif._inclusif", name = "OfflineQueue", frozen)]
pub struct OfflineQueue {
    inner: api::OfflineQueue,
}

#[pymethods]
impl OfflineQueue {
    /// An empty queue for a venue.
    #[new]
    fn new(venue: &str) -> Self {
        OfflineQueue {
            inner: api::OfflineQueue::new(venue),
        }
    }
    /// A queue restored from its pending `Redemption`s (`invalid_field` for another
    /// venue's, `already_redeemed` for a serial twice).
    #[staticmethod]
    fn restore(venue: &str, pending: &Bound<'_, PyAny>) -> PyResult<Self> {
        let items = pending
            .try_iter()?
            .enumerate()
            .map(|(i, item)| {
                let item = item?;
                item.cast::<Redemption>()
                    .map(|r| r.get().r.clone())
                    .map_err(|_| {
                        PyTypeError::new_err(format!(
                            "pending[{i}]: expected a Redemption, got {}",
                            type_name(&item)
                        ))
                    })
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(OfflineQueue {
            inner: api::OfflineQueue::restore(venue, &items).py()?,
        })
    }
    /// A queue restored from `export_jsonl()` text (errors name the line).
    #[staticmethod]
    fn from_jsonl(venue: &str, text: &str) -> PyResult<Self> {
        Ok(OfflineQueue {
            inner: api::OfflineQueue::from_jsonl(venue, text).py()?,
        })
    }
    /// The venue.
    #[getter]
    fn venue(&self) -> String {
        self.inner.venue()
    }
    /// Accepts a verified voucher offline at `at` (`already_redeemed` if this device
    /// already accepted its serial).
    fn accept(&self, voucher: &VerifiedVoucher, at: &Bound<'_, PyAny>) -> PyResult<Redemption> {
        let at = instant_arg(at, "at")?;
        Ok(Redemption {
            r: self.inner.accept(&voucher.v, at).py()?,
        })
    }
    /// The redemptions waiting for sync, in the order accepted.
    fn pending(&self) -> Vec<Redemption> {
        redemptions(self.inner.pending())
    }
    /// The pending redemptions as JSON Lines (one object a line).
    fn export_jsonl(&self) -> String {
        self.inner.export_jsonl()
    }
    /// Accepts a verified voucher offline and keeps its token, so the queue can be sent
    /// as a signed batch (`export_batch`); the instant is cut to the millisecond.
    /// `invalid_field` if `voucher` is not `token`'s verification, `already_redeemed` if
    /// this device already accepted its serial.
    ///
    /// >>> token = Token.from_text(scanned)
    /// >>> queue.accept_token(token, verifier.verify(scanned, now), now).venue
    /// 'venue-lyon-01'
    fn accept_token(
        &self,
        token: &VoucherToken,
        voucher: &VerifiedVoucher,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Redemption> {
        let at = instant_arg(at, "at")?;
        Ok(Redemption {
            r: self.inner.accept_token(&token.t, &voucher.v, at).py()?,
        })
    }
    /// The token of each pending redemption (None where it was queued without one).
    fn pending_tokens(&self) -> Vec<Option<VoucherToken>> {
        self.inner
            .pending_tokens()
            .into_iter()
            .map(|t| t.map(|t| VoucherToken { t }))
            .collect()
    }
    /// The pending redemptions as a batch (format PNRB v1) signed with the venue's
    /// `secret_key` (`SecretKey` or 32-byte seed) registered as `key_id`, with this
    /// device's `sequence` number, made at `at`: the bytes to send to the operator
    /// (`import_batch`). Items stay queued until `apply_outcomes`, so a lost batch is
    /// simply exported again. `invalid_field` for an item queued without its token,
    /// `batch_malformed` for an empty queue or a venue that is not a registry identifier.
    ///
    /// >>> data = queue.export_batch(venue_key, 1, sequence=1, at=now)
    /// >>> data[:4]
    /// b'PNRB'
    fn export_batch<'py>(
        &self,
        py: Python<'py>,
        secret_key: &Bound<'py, PyAny>,
        key_id: u16,
        sequence: u64,
        at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let seed = secret_arg(secret_key, "secret_key")?;
        let now = instant_arg(at, "at")?;
        let bytes = self.inner.export_batch(&seed, key_id, sequence, now).py()?;
        Ok(PyBytes::new(py, &bytes))
    }
    /// Settles the pending items named by the operator's answer (an `ImportReport`, or
    /// its `BatchOutcome`s): redeemed, in conflict or rejected, they leave the queue
    /// (matched by token and acceptance instant). Returns how many left.
    ///
    /// >>> queue.apply_outcomes(import_batch(data, ledger=ledger, registry=registry, log=log, verifier=operator, at=now))
    /// 3
    fn apply_outcomes(&self, answer: &Bound<'_, PyAny>) -> PyResult<usize> {
        let outcomes: Vec<api::BatchOutcome> = if let Ok(r) = answer.cast::<ImportReport>() {
            r.get().r.outcomes.clone()
        } else {
            answer
                .try_iter()?
                .enumerate()
                .map(|(i, item)| {
                    let item = item?;
                    item.cast::<BatchOutcome>()
                        .map(|o| o.get().o.clone())
                        .map_err(|_| {
                            PyTypeError::new_err(format!(
                                "outcomes[{i}]: expected a BatchOutcome, got {}",
                                type_name(&item)
                            ))
                        })
                })
                .collect::<PyResult<Vec<_>>>()?
        };
        Ok(usize::try_from(self.inner.apply_outcomes(&outcomes)).unwrap_or(usize::MAX))
    }
    /// Sends the queue to the ledger (a `MemoryLedger`, `SqliteLedger` or `PgLedger`;
    /// GIL released), in order; settled items leave the queue.
    fn sync(&self, py: Python<'_>, ledger: &Bound<'_, PyAny>) -> PyResult<SyncReport> {
        let ledger = ledger_arg(ledger)?;
        let q = &self.inner;
        let r = py.detach(|| q.sync(&ledger));
        Ok(SyncReport {
            outcomes: r.outcomes,
            error: r.error.map(|e| Failure {
                code: e.code,
                message: e.message,
            }),
        })
    }
    fn __len__(&self) -> usize {
        usize::try_from(self.inner.len()).unwrap_or(usize::MAX)
    }
    fn __repr__(&self) -> String {
        format!(
            "OfflineQueue(venue={:?}, pending={})",
            self.inner.venue(),
            self.inner.len()
        )
    }
}

// ---- offline sync ----

/// A venue registered with the operator: its registry identifier (what its batches
/// name: `a-z`, `0-9`, `-`, `_`, `.`), name, SIRET (checksum checked) and whether its
/// batches are accepted. `invalid_field` for any that breaks its rule.
///
/// >>> RegisteredVenue("venue-lyon-01", "Médiathèque de Lyon", "12345678900007")
/// RegisteredVenue(id="venue-lyon-01", name="Médiathèque de Lyon", siret="12345678900007", active=True)
#[pyclass(
    module = "inclusif._inclusif",
    name = "RegisteredVenue",
    frozen,
    eq,
    hash
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RegisteredVenue {
    v: api::RegisteredVenue,
}

#[pymethods]
impl RegisteredVenue {
    /// A venue (checked).
    #[new]
    #[pyo3(signature = (id, name, siret, active=true))]
    fn new(id: String, name: String, siret: String, active: bool) -> PyResult<Self> {
        let v = api::RegisteredVenue {
            id,
            name,
            siret,
            active,
        };
        v.check().py()?;
        Ok(RegisteredVenue { v })
    }
    /// The registry identifier.
    #[getter]
    fn id(&self) -> String {
        self.v.id.clone()
    }
    /// The name.
    #[getter]
    fn name(&self) -> String {
        self.v.name.clone()
    }
    /// The SIRET.
    #[getter]
    fn siret(&self) -> String {
        self.v.siret.clone()
    }
    /// Whether its batches are accepted.
    #[getter]
    fn active(&self) -> bool {
        self.v.active
    }
    /// `{"id", "name", "siret", "active"}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("id", &self.v.id)?;
        d.set_item("name", &self.v.name)?;
        d.set_item("siret", &self.v.siret)?;
        d.set_item("active", self.v.active)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "RegisteredVenue(id={:?}, name={:?}, siret={:?}, active={})",
            self.v.id,
            self.v.name,
            self.v.siret,
            if self.v.active { "True" } else { "False" }
        )
    }
}

/// A key a venue registered to sign its batches: the venue, the key id its batches
/// name, the public key (`PublicKey` or 32 bytes) and whether it is accepted.
///
/// >>> VenueKey("venue-lyon-01", 1, venue_key.public_key)
/// VenueKey(venue="venue-lyon-01", key_id=1, active=True)
#[pyclass(module = "inclusif._inclusif", name = "VenueKey", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VenueKey {
    k: api::VenueKey,
}

#[pymethods]
impl VenueKey {
    /// A key (checked as a public key: `invalid_key`, `weak_key`).
    #[new]
    #[pyo3(signature = (venue, key_id, public_key, active=true))]
    fn new(
        venue: String,
        key_id: u16,
        public_key: &Bound<'_, PyAny>,
        active: bool,
    ) -> PyResult<Self> {
        let bytes = public_arg(public_key, "public_key")?;
        api::PublicKey::from_bytes(&bytes).py()?;
        Ok(VenueKey {
            k: api::VenueKey {
                venue,
                key_id,
                public_key: bytes,
                active,
            },
        })
    }
    /// The venue's identifier.
    #[getter]
    fn venue(&self) -> String {
        self.k.venue.clone()
    }
    /// The key id.
    #[getter]
    fn key_id(&self) -> u16 {
        self.k.key_id
    }
    /// The public key.
    #[getter]
    fn public_key(&self) -> PyResult<PublicKey> {
        Ok(PublicKey {
            inner: api::PublicKey::from_bytes(&self.k.public_key).py()?,
        })
    }
    /// Whether batches signed with it are accepted.
    #[getter]
    fn active(&self) -> bool {
        self.k.active
    }
    /// `{"venue", "key_id", "public_key", "active"}` (`public_key` as hex).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("venue", &self.k.venue)?;
        d.set_item("key_id", self.k.key_id)?;
        d.set_item("public_key", hex(&self.k.public_key))?;
        d.set_item("active", self.k.active)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "VenueKey(venue={:?}, key_id={}, active={})",
            self.k.venue,
            self.k.key_id,
            if self.k.active { "True" } else { "False" }
        )
    }
}

/// The operator's registry of venues and their batch keys, in memory (thread-safe).
/// Put a venue again to rename or deactivate it, a key again to deactivate it.
///
/// >>> registry = VenueRegistry()
/// >>> registry.put_venue(RegisteredVenue("venue-lyon-01", "Lyon", "12345678900007"))
/// >>> registry.put_key(VenueKey("venue-lyon-01", 1, venue_key.public_key))
/// >>> registry.venue("venue-lyon-01").active
/// True
#[pyclass(module = "inclusif._inclusif", name = "VenueRegistry", frozen)]
pub struct VenueRegistry {
    inner: api::VenueRegistry,
}

#[pymethods]
impl VenueRegistry {
    /// An empty registry.
    #[new]
    fn new() -> Self {
        VenueRegistry {
            inner: api::VenueRegistry::new(),
        }
    }
    /// Registers a venue or replaces it.
    fn put_venue(&self, py: Python<'_>, venue: &RegisteredVenue) -> PyResult<()> {
        py.detach(|| self.inner.put_venue(&venue.v)).py()
    }
    /// Registers a venue's key or replaces it (`unknown_venue` if the venue is not
    /// registered, `invalid_field` for key id 0).
    fn put_key(&self, py: Python<'_>, key: &VenueKey) -> PyResult<()> {
        py.detach(|| self.inner.put_key(&key.k)).py()
    }
    /// The venue, or None.
    fn venue(&self, py: Python<'_>, id: &str) -> PyResult<Option<RegisteredVenue>> {
        Ok(py
            .detach(|| self.inner.venue(id))
            .py()?
            .map(|v| RegisteredVenue { v }))
    }
    /// A venue's key, or None.
    fn key(&self, py: Python<'_>, venue: &str, key_id: u16) -> PyResult<Option<VenueKey>> {
        Ok(py
            .detach(|| self.inner.key(venue, key_id))
            .py()?
            .map(|k| VenueKey { k }))
    }
    /// Every venue, by identifier.
    fn venues(&self, py: Python<'_>) -> PyResult<Vec<RegisteredVenue>> {
        Ok(py
            .detach(|| self.inner.venues())
            .py()?
            .into_iter()
            .map(|v| RegisteredVenue { v })
            .collect())
    }
    /// A venue's keys, by key id.
    fn keys(&self, py: Python<'_>, venue: &str) -> PyResult<Vec<VenueKey>> {
        Ok(py
            .detach(|| self.inner.keys(venue))
            .py()?
            .into_iter()
            .map(|k| VenueKey { k })
            .collect())
    }
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.venues(py)?.len())
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        match self.venues(py) {
            Ok(v) => format!("VenueRegistry(venues={})", v.len()),
            Err(_) => "VenueRegistry(unavailable)".to_owned(),
        }
    }
}

/// A signed redemption batch (format PNRB v1) as read: `batch_id` (the same for every
/// signature over one body), venue, key id, sequence, creation instant and items
/// (`(Token, accepted_at)` pairs in queue order). `parse` reads without checking the
/// signature; `open` checks it under the venue's public key.
///
/// >>> batch = RedemptionBatch.open(data, venue_key.public_key)
/// >>> batch.venue, len(batch)
/// ('venue-lyon-01', 3)
#[pyclass(
    module = "inclusif._inclusif",
    name = "RedemptionBatch",
    frozen,
    eq,
    hash
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RedemptionBatch {
    b: api::RedemptionBatch,
}

#[pymethods]
impl RedemptionBatch {
    /// Reads the bytes and checks every field but the signature (`batch_malformed`).
    #[staticmethod]
    fn parse(data: &[u8]) -> PyResult<Self> {
        Ok(RedemptionBatch {
            b: api::RedemptionBatch::parse(data).py()?,
        })
    }
    /// Reads the bytes and checks the signature under `public_key` (`PublicKey` or 32
    /// bytes): `batch_malformed`, `bad_batch_signature`.
    #[staticmethod]
    fn open(data: &[u8], public_key: &Bound<'_, PyAny>) -> PyResult<Self> {
        let key = public_arg(public_key, "public_key")?;
        Ok(RedemptionBatch {
            b: api::RedemptionBatch::open(data, &key).py()?,
        })
    }
    /// The batch id: 64 hex digits.
    #[getter]
    fn batch_id(&self) -> String {
        self.b.batch_id.clone()
    }
    /// The venue's registry identifier.
    #[getter]
    fn venue(&self) -> String {
        self.b.venue.clone()
    }
    /// The venue key that signs it.
    #[getter]
    fn key_id(&self) -> u16 {
        self.b.key_id
    }
    /// The device's sequence number.
    #[getter]
    fn sequence(&self) -> u64 {
        self.b.sequence
    }
    /// When the device made it.
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.b.created_at
    }
    /// `(Token, accepted_at)` pairs, in queue order.
    #[getter]
    fn items(&self) -> Vec<(VoucherToken, DateTime<Utc>)> {
        self.b
            .items
            .iter()
            .map(|i| (VoucherToken { t: i.token }, i.accepted_at))
            .collect()
    }
    fn __len__(&self) -> usize {
        self.b.items.len()
    }
    fn __repr__(&self) -> String {
        format!(
            "RedemptionBatch(venue={:?}, key_id={}, sequence={}, items={}, batch_id={:?})",
            self.b.venue,
            self.b.key_id,
            self.b.sequence,
            self.b.items.len(),
            self.b.batch_id
        )
    }
}

/// What became of one item of an imported batch: `status` `REDEEMED` (this redemption
/// counts), `CONFLICT` (`winner` reached the ledger first) or `REJECTED` (the token did
/// not verify when the venue accepted it: `error` is its `ErrorCode`). Truthy when
/// redeemed.
///
/// >>> [o.status for o in report.outcomes]
/// [<BatchStatus.CONFLICT: 'conflict'>, <BatchStatus.REDEEMED: 'redeemed'>]
#[pyclass(module = "inclusif._inclusif", name = "BatchOutcome", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BatchOutcome {
    o: api::BatchOutcome,
}

#[pymethods]
impl BatchOutcome {
    /// The item's position in the batch (from 0).
    #[getter]
    fn index(&self) -> u64 {
        self.o.index
    }
    /// The `BatchStatus`.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        BATCH_STATUS.member(py, self.o.status)
    }
    /// Whether this venue's redemption is the one that counts.
    #[getter]
    fn redeemed(&self) -> bool {
        self.o.status == "redeemed"
    }
    /// The token.
    #[getter]
    fn token(&self) -> VoucherToken {
        VoucherToken { t: self.o.token }
    }
    /// The token's serial (20 hex digits).
    #[getter]
    fn serial(&self) -> String {
        self.o.serial.clone()
    }
    /// When the venue accepted it.
    #[getter]
    fn accepted_at(&self) -> DateTime<Utc> {
        self.o.accepted_at
    }
    /// The venue's redemption (None when rejected).
    #[getter]
    fn redemption(&self) -> Option<Redemption> {
        self.o.redemption.clone().map(|r| Redemption { r })
    }
    /// The redemption that counts (the venue's own when redeemed; None when rejected).
    #[getter]
    fn winner(&self) -> Option<Redemption> {
        self.o.winner.clone().map(|r| Redemption { r })
    }
    /// The token's `ErrorCode` when rejected, else None.
    #[getter]
    fn error<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.o.code.map(|c| ERROR_CODE.member(py, c)).transpose()
    }
    /// The token's error message when rejected, else None.
    #[getter]
    fn message(&self) -> Option<String> {
        self.o.message.clone()
    }
    /// `{"index", "status", "serial", "accepted_at", "venue", "winner_venue", "winner_at", "error"}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("index", self.o.index)?;
        d.set_item("status", self.status(py)?)?;
        d.set_item("serial", &self.o.serial)?;
        d.set_item("accepted_at", self.o.accepted_at)?;
        d.set_item("venue", self.o.redemption.as_ref().map(|r| r.venue.clone()))?;
        d.set_item(
            "winner_venue",
            self.o.winner.as_ref().map(|r| r.venue.clone()),
        )?;
        d.set_item("winner_at", self.o.winner.as_ref().map(|r| r.at))?;
        d.set_item("error", self.error(py)?)?;
        Ok(d)
    }
    fn __bool__(&self) -> bool {
        self.redeemed()
    }
    fn __repr__(&self) -> String {
        format!(
            "BatchOutcome(index={}, status={}, serial={:?}{})",
            self.o.index,
            self.o.status,
            self.o.serial,
            match (&self.o.code, &self.o.winner) {
                (Some(c), _) => format!(", error={c}"),
                (None, Some(w)) if self.o.status == "conflict" =>
                    format!(", winner_venue={:?}", w.venue),
                _ => String::new(),
            }
        )
    }
}

/// The result of `import_batch`: the batch's identity and one `BatchOutcome` per item,
/// in order. Importing the same batch again returns an equal report.
///
/// >>> report = import_batch(data, ledger=ledger, registry=registry, log=log, verifier=operator, at=now)
/// >>> report.counts()
/// {'redeemed': 2, 'conflict': 1, 'rejected': 0}
#[pyclass(module = "inclusif._inclusif", name = "ImportReport", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ImportReport {
    r: api::ImportReport,
}

#[pymethods]
impl ImportReport {
    /// The batch id (64 hex digits).
    #[getter]
    fn batch_id(&self) -> String {
        self.r.batch_id.clone()
    }
    /// The venue that sent it.
    #[getter]
    fn venue(&self) -> String {
        self.r.venue.clone()
    }
    /// The venue key that signed it.
    #[getter]
    fn key_id(&self) -> u16 {
        self.r.key_id
    }
    /// The device's sequence number.
    #[getter]
    fn sequence(&self) -> u64 {
        self.r.sequence
    }
    /// When the device made the batch.
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.r.created_at
    }
    /// One outcome per item, in order.
    #[getter]
    fn outcomes(&self) -> Vec<BatchOutcome> {
        self.r
            .outcomes
            .iter()
            .map(|o| BatchOutcome { o: o.clone() })
            .collect()
    }
    /// How many items were redeemed, in conflict and rejected.
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for s in api::batch_statuses() {
            d.set_item(s, self.r.outcomes.iter().filter(|o| o.status == s).count())?;
        }
        Ok(d)
    }
    /// One dict per outcome (as `BatchOutcome.to_dict`): `pandas.DataFrame(report.to_dicts())`.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.outcomes().iter().map(|o| o.to_dict(py)).collect()
    }
    fn __len__(&self) -> usize {
        self.r.outcomes.len()
    }
    fn __repr__(&self) -> String {
        format!(
            "ImportReport(venue={:?}, sequence={}, outcomes={}, batch_id={:?})",
            self.r.venue,
            self.r.sequence,
            self.r.outcomes.len(),
            self.r.batch_id
        )
    }
}

/// The operator's record of finished imports, by batch id, in memory (thread-safe): a
/// batch imported again returns its first report.
///
/// >>> log = ImportLog()
/// >>> log.report(report.batch_id) == report
/// True
#[pyclass(module = "inclusif._inclusif", name = "ImportLog", frozen)]
pub struct ImportLog {
    inner: api::ImportLog,
}

#[pymethods]
impl ImportLog {
    /// An empty log.
    #[new]
    fn new() -> Self {
        ImportLog {
            inner: api::ImportLog::new(),
        }
    }
    /// The report of a finished import, or None (`malformed` for a batch id that is not
    /// 64 hex digits).
    fn report(&self, py: Python<'_>, batch_id: &str) -> PyResult<Option<ImportReport>> {
        Ok(py
            .detach(|| self.inner.report(batch_id))
            .py()?
            .map(|r| ImportReport { r }))
    }
    /// Every finished import, by venue, then sequence.
    fn reports(&self, py: Python<'_>) -> PyResult<Vec<ImportReport>> {
        Ok(py
            .detach(|| self.inner.reports())
            .py()?
            .into_iter()
            .map(|r| ImportReport { r })
            .collect())
    }
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        let n = py.detach(|| self.inner.len()).py()?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        match py.detach(|| self.inner.len()) {
            Ok(n) => format!("ImportLog(batches={n})"),
            Err(_) => "ImportLog(unavailable)".to_owned(),
        }
    }
}

/// Imports a signed redemption batch at `at` (the operator's side of offline sync, GIL
/// released): the batch is read (`batch_malformed`), its venue and key must be
/// registered and active in `registry` (`unknown_venue`), its signature must verify
/// (`bad_batch_signature`); a batch already in `log` returns its report unchanged; the
/// verifier's trust list must be fresh at `at` (`trust_list_expired`). Each token is
/// verified as it stood when the venue accepted it and the good ones are redeemed in
/// `ledger` (a `MemoryLedger`, `SqliteLedger` or `PgLedger`), in order: the first
/// redemption to reach the ledger wins. With a `SqliteLedger` or `PgLedger`, `registry`
/// and `log` default to the ones kept in the same database (so a re-import after a
/// restart returns the same report); with a `MemoryLedger` they are required. Use an
/// operator's verifier (`any_scope=True`).
///
/// >>> report = import_batch(data, ledger=ledger, registry=registry, log=log, verifier=operator, at=now)
/// >>> [o.status.value for o in report.outcomes]
/// ['redeemed', 'redeemed', 'rejected']
/// >>> with SqliteLedger("operator.sqlite") as db:
/// ...     report = import_batch(data, ledger=db, verifier=operator, at=now)
#[pyfunction]
#[pyo3(signature = (data, *, ledger, registry = None, log = None, verifier, at))]
#[allow(clippy::too_many_arguments)]
fn import_batch(
    py: Python<'_>,
    data: &[u8],
    ledger: &Bound<'_, PyAny>,
    registry: Option<&VenueRegistry>,
    log: Option<&ImportLog>,
    verifier: &VoucherVerifier,
    at: &Bound<'_, PyAny>,
) -> PyResult<ImportReport> {
    let now = instant_arg(at, "at")?;
    let handle = ledger_arg(ledger)?;
    let own = operator_state(ledger);
    let registry = match (registry, &own) {
        (Some(r), _) => r.inner.clone(),
        (None, Some((r, _))) => r.clone(),
        (None, None) => {
            return Err(PyTypeError::new_err(
                "registry: required with a MemoryLedger (a SqliteLedger or PgLedger has its own)",
            ));
        }
    };
    let log = match (log, &own) {
        (Some(l), _) => l.inner.clone(),
        (None, Some((_, l))) => l.clone(),
        (None, None) => {
            return Err(PyTypeError::new_err(
                "log: required with a MemoryLedger (a SqliteLedger or PgLedger has its own)",
            ));
        }
    };
    let v = &verifier.v;
    let report = py.detach(|| api::import_batch(&handle, &registry, &log, v, data, now));
    Ok(ImportReport { r: report.py()? })
}

// ---- pickling ----

/// Rebuilds a voucher value pickled by `__reduce__` (internal), with the core's checks.
#[pyfunction]
fn _voucher_unpickle(py: Python<'_>, kind: &str, state: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let bytes = || -> PyResult<&[u8]> {
        state
            .cast::<PyBytes>()
            .map(|b| b.as_bytes())
            .map_err(|_| PyTypeError::new_err(format!("{kind}: expected bytes")))
    };
    match kind {
        "PublicKey" => PublicKey::new(bytes()?)?.into_py_any(py),
        "VoucherToken" => VoucherToken::new(bytes()?)?.into_py_any(py),
        "IssuedVoucher" => IssuedVoucher {
            i: api::IssuedVoucher {
                token: api::Token::from_bytes(bytes()?).py()?,
                serial: String::new(),
                short_code: String::new(),
                keypad_code: String::new(),
            },
        }
        .with_codes()
        .into_py_any(py),
        "TrustEntry" => TrustEntry {
            inner: entry_from_state(py, state)?,
        }
        .into_py_any(py),
        "TrustList" => {
            let (sequence, issued_at, max_age, entries): (
                u64,
                Bound<'_, PyAny>,
                u32,
                Vec<Bound<'_, PyAny>>,
            ) = state.extract()?;
            let entries = entries
                .iter()
                .map(|e| entry_from_state(py, e))
                .collect::<PyResult<Vec<_>>>()?;
            let at = instant_arg(&issued_at, "issued_at")?;
            TrustList {
                inner: api::TrustList::new(sequence, at, max_age, &entries).py()?,
            }
            .into_py_any(py)
        }
        "VerifiedVoucher" => VerifiedVoucher {
            v: verified_from_state(state)?,
        }
        .into_py_any(py),
        "VerificationResult" => {
            let (index, v): (usize, Bound<'_, PyAny>) = state.extract()?;
            VerificationResult {
                index,
                v: verdict_from_state(&v)?,
            }
            .into_py_any(py)
        }
        "VerificationBatch" => {
            let items: Vec<Bound<'_, PyAny>> = state.extract()?;
            VerificationBatch {
                items: items
                    .iter()
                    .map(verdict_from_state)
                    .collect::<PyResult<Vec<_>>>()?,
            }
            .into_py_any(py)
        }
        "VoucherSpec" => {
            let (from, until, value_cents, scope): (Bound<'_, PyAny>, Bound<'_, PyAny>, u16, u16) =
                state.extract()?;
            VoucherSpec::new(&from, &until, value_cents, scope)?.into_py_any(py)
        }
        "Redemption" => Redemption {
            r: redemption_from_state(state)?,
        }
        .into_py_any(py),
        "SyncOutcome" => SyncOutcome {
            o: outcome_from_state(state)?,
        }
        .into_py_any(py),
        "SyncReport" => {
            let (outcomes, code, message): (Vec<Bound<'_, PyAny>>, Option<String>, Option<String>) =
                state.extract()?;
            SyncReport {
                outcomes: outcomes
                    .iter()
                    .map(outcome_from_state)
                    .collect::<PyResult<Vec<_>>>()?,
                error: code
                    .map(|c| {
                        static_code(&c).map(|code| Failure {
                            code,
                            message: message.unwrap_or_default(),
                        })
                    })
                    .transpose()?,
            }
            .into_py_any(py)
        }
        other => Err(PyValueError::new_err(format!(
            "{other:?} is not a pickled voucher value"
        ))),
    }
}

impl IssuedVoucher {
    /// Fills the codes from the token's serial.
    fn with_codes(mut self) -> Self {
        let t = self.i.token;
        self.i.serial = t.serial();
        self.i.short_code = t.short_code();
        self.i.keypad_code = t.keypad_code();
        self
    }
}

/// Adds the domain's classes and functions to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add(
        "VOUCHER_ERROR_CODES",
        PyTuple::new(m.py(), api::error_codes())?,
    )?;
    m.add_class::<SecretKey>()?;
    m.add_class::<PublicKey>()?;
    m.add_class::<TrustEntry>()?;
    m.add_class::<TrustList>()?;
    m.add_class::<VoucherToken>()?;
    m.add_class::<VerifiedVoucher>()?;
    m.add_class::<VerificationResult>()?;
    m.add_class::<VerificationBatch>()?;
    m.add_class::<VoucherVerifier>()?;
    m.add_class::<VoucherSpec>()?;
    m.add_class::<IssuedVoucher>()?;
    m.add_class::<VoucherIssuer>()?;
    m.add_class::<Redemption>()?;
    m.add_class::<MemoryLedger>()?;
    m.add_class::<SqliteLedger>()?;
    m.add_class::<PgLedger>()?;
    m.add_class::<SyncOutcome>()?;
    m.add_class::<SyncReport>()?;
    m.add_class::<OfflineQueue>()?;
    m.add_class::<RegisteredVenue>()?;
    m.add_class::<VenueKey>()?;
    m.add_class::<VenueRegistry>()?;
    m.add_class::<RedemptionBatch>()?;
    m.add_class::<BatchOutcome>()?;
    m.add_class::<ImportReport>()?;
    m.add_class::<ImportLog>()?;
    m.add_function(wrap_pyfunction!(import_batch, m)?)?;
    m.add_function(wrap_pyfunction!(short_code, m)?)?;
    m.add_function(wrap_pyfunction!(keypad_code, m)?)?;
    m.add_function(wrap_pyfunction!(parse_short_code, m)?)?;
    m.add_function(wrap_pyfunction!(parse_keypad_code, m)?)?;
    m.add_function(wrap_pyfunction!(parse_phone_code, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_human, m)?)?;
    m.add_function(wrap_pyfunction!(random_serial, m)?)?;
    m.add_function(wrap_pyfunction!(_voucher_unpickle, m)?)?;
    register_clearing(m)?;
    Ok(())
}

// ---- clearing: monthly statements, credit notes, reconciliation ----
//
// One block (with one line in `register`): the issuance register's rows, statements to
// venues per civil month, credit notes for cheques never used, and the reconciliation.
// Money errors come from the funding domain (`FundingValidationError`, `invalid_input`
// …); a bad serial is a `VoucherValidationError` (`malformed`).

use inclusif_core::api::funding::JsonRecord as _;

/// A list argument of frozen pyclass items, each mapped by `f`.
fn clearing_items<T, R>(
    obj: &Bound<'_, PyAny>,
    field: &str,
    what: &str,
    f: impl Fn(&T) -> R,
) -> PyResult<Vec<R>>
where
    T: pyo3::PyClass<Frozen = pyo3::pyclass::boolean_struct::True> + Sync,
{
    if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{field}: expected an iterable of {what}, got str"
        )));
    }
    obj.try_iter()?
        .enumerate()
        .map(|(i, item)| {
            let item = item?;
            match item.cast::<T>() {
                Ok(x) => Ok(f(x.get())),
                Err(_) => Err(PyTypeError::new_err(format!(
                    "{field}[{i}]: expected {what}, got {}",
                    type_name(&item)
                ))),
            }
        })
        .collect()
}

/// `rules`: an `inclusif.funding.RuleBook` (None: the shipped rules).
fn clearing_rules(
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<inclusif_core::api::funding::RuleBook>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if type_name(obj) != "RuleBook" {
        return Err(PyTypeError::new_err(format!(
            "rules: expected an inclusif.funding.RuleBook, got {}",
            type_name(obj)
        )));
    }
    let tsv: String = obj.call_method0("to_tsv")?.extract()?;
    inclusif_core::api::funding::RuleBook::from_tsv(&tsv)
        .py()
        .map(Some)
}

/// A funding `Breakdown` object (built through the funding domain's own unpickler).
fn clearing_breakdown<'py>(
    py: Python<'py>,
    b: &inclusif_core::api::funding::Breakdown,
) -> PyResult<Bound<'py, PyAny>> {
    py.import("inclusif._inclusif")?
        .getattr("_funding_unpickle")?
        .call1(("Breakdown", b.to_json().py()?))
}

fn cents_decimal(cents: u64) -> Decimal {
    Decimal::new(i64::try_from(cents).unwrap_or(i64::MAX), 2)
}

/// One row of the issuance register: a cheque as issued, for which buyer's order.
///
/// >>> rows = [IssuedCheque.of(v, "aptic", "CD23-001", now) for v in booklet]
/// >>> rows[0].value_cents
/// 1000
#[pyclass(module = "inclusif._inclusif", name = "IssuedCheque", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IssuedCheque {
    c: api::IssuedCheque,
}

#[pymethods]
impl IssuedCheque {
    /// A register row from its fields (checked: serial, kid, value, window).
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        issuer: String,
        serial: String,
        kid: u16,
        value_cents: u16,
        valid_from: &Bound<'_, PyAny>,
        valid_until: &Bound<'_, PyAny>,
        order_ref: String,
        issued_at: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let c = api::IssuedCheque {
            issuer,
            serial,
            kid,
            value_cents,
            valid_from: date_arg(valid_from, "valid_from")?,
            valid_until: date_arg(valid_until, "valid_until")?,
            order_ref,
            issued_at: instant_arg(issued_at, "issued_at")?,
        };
        c.check().py()?;
        Ok(IssuedCheque { c })
    }
    /// The register row of an `IssuedVoucher`, issued by `issuer` for `order_ref`.
    #[staticmethod]
    fn of(
        voucher: &IssuedVoucher,
        issuer: &str,
        order_ref: &str,
        issued_at: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let at = instant_arg(issued_at, "issued_at")?;
        Ok(IssuedCheque {
            c: api::IssuedCheque::of(&voucher.i, issuer, order_ref, at).py()?,
        })
    }
    /// The issuer.
    #[getter]
    fn issuer(&self) -> String {
        self.c.issuer.clone()
    }
    /// The serial (20 hex digits).
    #[getter]
    fn serial(&self) -> String {
        self.c.serial.clone()
    }
    /// The key id that signed it.
    #[getter]
    fn kid(&self) -> u16 {
        self.c.kid
    }
    /// Face value in cents.
    #[getter]
    fn value_cents(&self) -> u16 {
        self.c.value_cents
    }
    /// Face value in euros (`decimal.Decimal`).
    #[getter]
    fn value(&self) -> Decimal {
        euros(self.c.value_cents)
    }
    /// First valid date.
    #[getter]
    fn valid_from(&self) -> NaiveDate {
        self.c.valid_from
    }
    /// Last valid date (inclusive).
    #[getter]
    fn valid_until(&self) -> NaiveDate {
        self.c.valid_until
    }
    /// The buyer's order.
    #[getter]
    fn order_ref(&self) -> String {
        self.c.order_ref.clone()
    }
    /// When it was issued.
    #[getter]
    fn issued_at(&self) -> DateTime<Utc> {
        self.c.issued_at
    }
    /// Every field as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("issuer", &self.c.issuer)?;
        d.set_item("serial", &self.c.serial)?;
        d.set_item("kid", self.c.kid)?;
        d.set_item("value_cents", self.c.value_cents)?;
        d.set_item("valid_from", self.c.valid_from)?;
        d.set_item("valid_until", self.c.valid_until)?;
        d.set_item("order_ref", &self.c.order_ref)?;
        d.set_item("issued_at", self.c.issued_at)?;
        Ok(d)
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = &self.c;
        let state = (
            c.issuer.clone(),
            c.serial.clone(),
            c.kid,
            c.value_cents,
            c.valid_from,
            c.valid_until,
            c.order_ref.clone(),
            c.issued_at,
        )
            .into_pyobject(py)?;
        clearing_reduce(py, "IssuedCheque", state.into_any())
    }
    fn __repr__(&self) -> String {
        format!(
            "IssuedCheque(issuer={:?}, serial={:?}, value_cents={}, valid_until={}, order_ref={:?})",
            self.c.issuer, self.c.serial, self.c.value_cents, self.c.valid_until, self.c.order_ref
        )
    }
}

/// A cheque credited to its buyer by a `CreditNote`: face value only.
#[pyclass(
    module = "inclusif._inclusif",
    name = "CreditedCheque",
    frozen,
    eq,
    hash
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CreditedCheque {
    c: api::CreditedCheque,
}

#[pymethods]
impl CreditedCheque {
    /// A credited cheque from its fields (checked: serial, value).
    #[new]
    fn new(
        issuer: String,
        serial: String,
        value_cents: u16,
        order_ref: String,
        valid_until: &Bound<'_, PyAny>,
        credited_on: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let c = api::CreditedCheque {
            issuer,
            serial,
            value_cents,
            order_ref,
            valid_until: date_arg(valid_until, "valid_until")?,
            credited_on: date_arg(credited_on, "credited_on")?,
        };
        c.check().py()?;
        Ok(CreditedCheque { c })
    }
    /// The issuer.
    #[getter]
    fn issuer(&self) -> String {
        self.c.issuer.clone()
    }
    /// The serial (20 hex digits).
    #[getter]
    fn serial(&self) -> String {
        self.c.serial.clone()
    }
    /// Face value in cents.
    #[getter]
    fn value_cents(&self) -> u16 {
        self.c.value_cents
    }
    /// Face value in euros.
    #[getter]
    fn value(&self) -> Decimal {
        euros(self.c.value_cents)
    }
    /// The order.
    #[getter]
    fn order_ref(&self) -> String {
        self.c.order_ref.clone()
    }
    /// Its last valid date.
    #[getter]
    fn valid_until(&self) -> NaiveDate {
        self.c.valid_until
    }
    /// The credit note's date.
    #[getter]
    fn credited_on(&self) -> NaiveDate {
        self.c.credited_on
    }
    /// Every field as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("issuer", &self.c.issuer)?;
        d.set_item("serial", &self.c.serial)?;
        d.set_item("value_cents", self.c.value_cents)?;
        d.set_item("order_ref", &self.c.order_ref)?;
        d.set_item("valid_until", self.c.valid_until)?;
        d.set_item("credited_on", self.c.credited_on)?;
        Ok(d)
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = &self.c;
        let state = (
            c.issuer.clone(),
            c.serial.clone(),
            c.value_cents,
            c.order_ref.clone(),
            c.valid_until,
            c.credited_on,
        )
            .into_pyobject(py)?;
        clearing_reduce(py, "CreditedCheque", state.into_any())
    }
    fn __repr__(&self) -> String {
        format!(
            "CreditedCheque(issuer={:?}, serial={:?}, value_cents={}, credited_on={})",
            self.c.issuer, self.c.serial, self.c.value_cents, self.c.credited_on
        )
    }
}

fn clearing_reduce<'py>(
    py: Python<'py>,
    kind: &str,
    state: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let unpickle = py
        .import("inclusif._inclusif")?
        .getattr("_clearing_unpickle")?;
    let args = PyTuple::new(py, [PyString::new(py, kind).into_any(), state])?;
    Ok(PyTuple::new(py, [unpickle, args.into_any()])?.into_any())
}

/// The pickled state of an `IssuedCheque`.
type IssuedState<'py> = (
    String,
    String,
    u16,
    u16,
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    String,
    Bound<'py, PyAny>,
);

/// Rebuilds a clearing value pickled by `__reduce__` (internal), with the core's checks.
#[pyfunction]
fn _clearing_unpickle(py: Python<'_>, kind: &str, state: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    match kind {
        "IssuedCheque" => {
            let (issuer, serial, kid, value_cents, from, until, order_ref, at): IssuedState<'_> =
                state.extract()?;
            IssuedCheque::new(
                issuer,
                serial,
                kid,
                value_cents,
                &from,
                &until,
                order_ref,
                &at,
            )?
            .into_py_any(py)
        }
        "CreditedCheque" => {
            let (issuer, serial, value_cents, order_ref, until, on): (
                String,
                String,
                u16,
                String,
                Bound<'_, PyAny>,
                Bound<'_, PyAny>,
            ) = state.extract()?;
            CreditedCheque::new(issuer, serial, value_cents, order_ref, &until, &on)?
                .into_py_any(py)
        }
        other => Err(PyValueError::new_err(format!(
            "{other:?} is not a pickled clearing value"
        ))),
    }
}

/// One venue's line of a `MonthlyStatement`: `face_cents = payout_cents + deduction_cents`.
#[pyclass(
    module = "inclusif._inclusif",
    name = "StatementLine",
    frozen,
    eq,
    hash
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct StatementLine {
    l: api::StatementLine,
}

#[pymethods]
impl StatementLine {
    /// The venue's id.
    #[getter]
    fn venue(&self) -> String {
        self.l.venue.clone()
    }
    /// Cheques redeemed there in the month.
    #[getter]
    fn count(&self) -> u64 {
        self.l.count
    }
    /// Face value in cents.
    #[getter]
    fn face_cents(&self) -> u64 {
        self.l.face_cents
    }
    /// The deduction rate (`Decimal("0.025")` is 2.5 %).
    #[getter]
    fn deduction_rate(&self) -> Decimal {
        self.l.deduction_rate
    }
    /// What the operator keeps, in cents.
    #[getter]
    fn deduction_cents(&self) -> u64 {
        self.l.deduction_cents
    }
    /// What the venue is paid, in cents.
    #[getter]
    fn payout_cents(&self) -> u64 {
        self.l.payout_cents
    }
    /// What the venue is paid, in euros.
    #[getter]
    fn payout(&self) -> Decimal {
        cents_decimal(self.l.payout_cents)
    }
    /// Every field as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("venue", &self.l.venue)?;
        d.set_item("count", self.l.count)?;
        d.set_item("face_cents", self.l.face_cents)?;
        d.set_item("deduction_rate", self.l.deduction_rate)?;
        d.set_item("deduction_cents", self.l.deduction_cents)?;
        d.set_item("payout_cents", self.l.payout_cents)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "StatementLine(venue={:?}, count={}, face_cents={}, deduction_cents={}, payout_cents={})",
            self.l.venue,
            self.l.count,
            self.l.face_cents,
            self.l.deduction_cents,
            self.l.payout_cents
        )
    }
}

/// The operator's statement to venues for one civil month (`monthly_statement`): a
/// `StatementLine` per venue and the totals; `to_csv()`, `to_json()`.
///
/// >>> s = monthly_statement(ledger.redemptions(), year=2026, month=3, on=date(2026, 4, 5))
/// >>> pandas.DataFrame(s.to_dicts())
#[pyclass(module = "inclusif._inclusif", name = "MonthlyStatement", frozen)]
pub struct MonthlyStatement {
    s: api::MonthlyStatement,
}

#[pymethods]
impl MonthlyStatement {
    /// The year.
    #[getter]
    fn year(&self) -> i32 {
        self.s.year
    }
    /// The month, 1 to 12.
    #[getter]
    fn month(&self) -> u32 {
        self.s.month
    }
    /// The IANA time zone of the month.
    #[getter]
    fn time_zone(&self) -> String {
        self.s.time_zone.clone()
    }
    /// One line per venue, by venue id.
    #[getter]
    fn lines(&self) -> Vec<StatementLine> {
        self.s
            .lines
            .iter()
            .map(|l| StatementLine { l: l.clone() })
            .collect()
    }
    /// Cheques in all.
    #[getter]
    fn count(&self) -> u64 {
        self.s.count
    }
    /// Face value in all, in cents.
    #[getter]
    fn face_cents(&self) -> u64 {
        self.s.face_cents
    }
    /// Deductions in all, in cents.
    #[getter]
    fn deduction_cents(&self) -> u64 {
        self.s.deduction_cents
    }
    /// Payouts in all, in cents.
    #[getter]
    fn payout_cents(&self) -> u64 {
        self.s.payout_cents
    }
    /// Payouts in all, in euros.
    #[getter]
    fn payout(&self) -> Decimal {
        cents_decimal(self.s.payout_cents)
    }
    /// The payouts explained (a funding `Breakdown` citing the rules and sources).
    #[getter]
    fn breakdown<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        clearing_breakdown(py, &self.s.breakdown)
    }
    /// The lines as dicts: `pandas.DataFrame(statement.to_dicts())`.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.lines().iter().map(|l| l.to_dict(py)).collect()
    }
    /// CSV: a `venue` row per venue, then a `total` row; amounts in cents.
    fn to_csv(&self) -> String {
        self.s.to_csv()
    }
    /// One JSON object.
    fn to_json(&self) -> String {
        self.s.to_json()
    }
    fn __len__(&self) -> usize {
        self.s.lines.len()
    }
    fn __repr__(&self) -> String {
        format!(
            "MonthlyStatement({:04}-{:02}, venues={}, count={}, face_cents={}, payout_cents={})",
            self.s.year,
            self.s.month,
            self.s.lines.len(),
            self.s.count,
            self.s.face_cents,
            self.s.payout_cents
        )
    }
}

/// The statement of the cheques redeemed in the civil month `year`-`month` in
/// `time_zone` (default Europe/Paris). `deductions` maps venue ids to rates
/// (`Decimal("0.025")`), `default_deduction` applies to the others; each rate is at
/// most `pass.aptic.venue_deduction_max` (5 %). Rules from `rules` (default: shipped),
/// looked up `on` the statement's date.
#[pyfunction]
#[pyo3(signature = (redemptions, *, year, month, on, deductions=None, default_deduction=None, time_zone=None, rules=None))]
#[allow(clippy::too_many_arguments)]
fn monthly_statement(
    redemptions: &Bound<'_, PyAny>,
    year: i32,
    month: u32,
    on: &Bound<'_, PyAny>,
    deductions: Option<&Bound<'_, PyDict>>,
    default_deduction: Option<&Bound<'_, PyAny>>,
    time_zone: Option<&Bound<'_, PyAny>>,
    rules: Option<&Bound<'_, PyAny>>,
) -> PyResult<MonthlyStatement> {
    let items = clearing_items(
        redemptions,
        "redemptions",
        "a Redemption",
        |r: &Redemption| r.r.clone(),
    )?;
    let mut rates = Vec::new();
    if let Some(d) = deductions {
        for (k, v) in d.iter() {
            let venue: String = k
                .extract()
                .map_err(|_| PyTypeError::new_err("deductions: keys must be venue ids (str)"))?;
            let rate = crate::convert::decimal_arg(&v, "deductions")?;
            rates.push((venue, rate));
        }
    }
    let default = match default_deduction.filter(|o| !o.is_none()) {
        Some(o) => crate::convert::decimal_arg(o, "default_deduction")?,
        None => Decimal::ZERO,
    };
    let tz = time_zone_arg(time_zone)?;
    let book = clearing_rules(rules)?;
    let on = date_arg(on, "on")?;
    Ok(MonthlyStatement {
        s: api::monthly_statement(
            &items,
            &rates,
            default,
            year,
            month,
            tz.as_deref(),
            book.as_ref(),
            on,
        )
        .py()?,
    })
}

/// A credit note (avoir) to a buyer: one issuer's order, the cheques left unused past
/// validity and grace, at face value only (the operator's fee is not refunded).
#[pyclass(module = "inclusif._inclusif", name = "CreditNote", frozen)]
pub struct CreditNote {
    n: api::CreditNote,
}

#[pymethods]
impl CreditNote {
    /// The issuer.
    #[getter]
    fn issuer(&self) -> String {
        self.n.issuer.clone()
    }
    /// The order.
    #[getter]
    fn order_ref(&self) -> String {
        self.n.order_ref.clone()
    }
    /// The note's date.
    #[getter]
    fn as_of(&self) -> NaiveDate {
        self.n.as_of
    }
    /// Cheques credited.
    #[getter]
    fn count(&self) -> u64 {
        self.n.count
    }
    /// The amount in cents.
    #[getter]
    fn face_cents(&self) -> u64 {
        self.n.face_cents
    }
    /// The amount in euros.
    #[getter]
    fn face(&self) -> Decimal {
        cents_decimal(self.n.face_cents)
    }
    /// The cheques, by serial.
    #[getter]
    fn cheques(&self) -> Vec<CreditedCheque> {
        self.n
            .cheques
            .iter()
            .map(|c| CreditedCheque { c: c.clone() })
            .collect()
    }
    /// The amount explained (a funding `Breakdown`).
    #[getter]
    fn breakdown<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        clearing_breakdown(py, &self.n.breakdown)
    }
    /// `{"issuer", "order_ref", "as_of", "count", "face_cents"}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("issuer", &self.n.issuer)?;
        d.set_item("order_ref", &self.n.order_ref)?;
        d.set_item("as_of", self.n.as_of)?;
        d.set_item("count", self.n.count)?;
        d.set_item("face_cents", self.n.face_cents)?;
        Ok(d)
    }
    fn __len__(&self) -> usize {
        self.n.cheques.len()
    }
    fn __repr__(&self) -> String {
        format!(
            "CreditNote(issuer={:?}, order_ref={:?}, as_of={}, count={}, face_cents={})",
            self.n.issuer, self.n.order_ref, self.n.as_of, self.n.count, self.n.face_cents
        )
    }
}

/// `spent`: Redemption, CreditedCheque or (issuer, serial) items.
fn spent_arg(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "spent: expected an iterable of Redemption, CreditedCheque or (issuer, serial)",
        ));
    }
    obj.try_iter()?
        .enumerate()
        .map(|(i, item)| {
            let item = item?;
            if let Ok(r) = item.cast::<Redemption>() {
                let r = &r.get().r;
                return Ok((r.issuer.clone(), r.serial.clone()));
            }
            if let Ok(c) = item.cast::<CreditedCheque>() {
                let c = &c.get().c;
                return Ok((c.issuer.clone(), c.serial.clone()));
            }
            item.extract::<(String, String)>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "spent[{i}]: expected a Redemption, a CreditedCheque or an (issuer, serial) tuple, got {}",
                    type_name(&item)
                ))
            })
        })
        .collect()
}

/// The credit notes due on `as_of`: per (issuer, order), the `issued` cheques whose
/// `valid_until + grace_days` is before `as_of` and that `spent` (redemptions, cheques
/// credited earlier, or (issuer, serial) pairs) does not list. Face value only.
#[pyfunction]
#[pyo3(signature = (issued, *, spent, as_of, grace_days=7, rules=None))]
fn credit_notes(
    issued: &Bound<'_, PyAny>,
    spent: &Bound<'_, PyAny>,
    as_of: &Bound<'_, PyAny>,
    grace_days: u32,
    rules: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<CreditNote>> {
    let register = clearing_items(issued, "issued", "an IssuedCheque", |c: &IssuedCheque| {
        c.c.clone()
    })?;
    let spent = spent_arg(spent)?;
    let as_of = date_arg(as_of, "as_of")?;
    let book = clearing_rules(rules)?;
    Ok(
        api::credit_notes(&register, &spent, as_of, grace_days, book.as_ref())
            .py()?
            .into_iter()
            .map(|n| CreditNote { n })
            .collect(),
    )
}

fn notes_arg(obj: &Bound<'_, PyAny>) -> PyResult<Vec<api::CreditNote>> {
    clearing_items(obj, "notes", "a CreditNote", |n: &CreditNote| n.n.clone())
}

/// Credit notes as CSV: one row per credited cheque.
#[pyfunction]
fn credit_notes_csv(notes: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(api::credit_notes_csv(&notes_arg(notes)?))
}

/// Credit notes as a JSON array.
#[pyfunction]
fn credit_notes_json(notes: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(api::credit_notes_json(&notes_arg(notes)?))
}

/// Per issuer and period: issued = redeemed + credited + outstanding at the opening and
/// closing, and the period's flow, each term from its own rows; plus the anomalies.
/// Truthy when balanced.
#[pyclass(module = "inclusif._inclusif", name = "Reconciliation", frozen)]
pub struct Reconciliation {
    r: api::Reconciliation,
}

fn tally_items(d: &Bound<'_, PyDict>, name: &str, t: Option<api::Tally>) -> PyResult<()> {
    d.set_item(format!("{name}_count"), t.map(|t| t.count))?;
    d.set_item(format!("{name}_cents"), t.map(|t| t.cents))
}

#[pymethods]
impl Reconciliation {
    /// First day of the period (None: from the beginning).
    #[getter]
    fn start(&self) -> Option<NaiveDate> {
        self.r.from
    }
    /// Last day of the period (inclusive).
    #[getter]
    fn until(&self) -> NaiveDate {
        self.r.until
    }
    /// The IANA time zone of the dates.
    #[getter]
    fn time_zone(&self) -> String {
        self.r.time_zone.clone()
    }
    /// Whether every identity holds and there is no anomaly.
    #[getter]
    fn balanced(&self) -> bool {
        self.r.balanced
    }
    /// Whether every identity holds and there is no anomaly.
    fn is_balanced(&self) -> bool {
        self.r.is_balanced()
    }
    /// The issuers, in order.
    #[getter]
    fn issuers(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for row in &self.r.rows {
            if out.last() != Some(&row.issuer) {
                out.push(row.issuer.clone());
            }
        }
        out
    }
    /// Three rows per issuer (`section` opening, period, closing): counts and cents of
    /// issued, redeemed, credited, outstanding (None for the period) and `balances`.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.r
            .rows
            .iter()
            .map(|row| {
                let d = PyDict::new(py);
                d.set_item("issuer", &row.issuer)?;
                d.set_item("section", row.section)?;
                tally_items(&d, "issued", Some(row.issued))?;
                tally_items(&d, "redeemed", Some(row.redeemed))?;
                tally_items(&d, "credited", Some(row.credited))?;
                tally_items(&d, "outstanding", row.outstanding)?;
                d.set_item("balances", row.balances)?;
                Ok(d)
            })
            .collect()
    }
    /// The anomalies: `{"kind", "issuer", "serial", "detail"}`, by issuer, kind, serial.
    fn anomalies<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.r
            .anomalies
            .iter()
            .map(|a| {
                let d = PyDict::new(py);
                d.set_item("kind", a.kind)?;
                d.set_item("issuer", &a.issuer)?;
                d.set_item("serial", &a.serial)?;
                d.set_item("detail", &a.detail)?;
                Ok(d)
            })
            .collect()
    }
    /// The rows as CSV.
    fn to_csv(&self) -> String {
        self.r.to_csv()
    }
    /// The anomalies as CSV.
    fn anomalies_csv(&self) -> String {
        self.r.anomalies_csv()
    }
    /// One JSON object.
    fn to_json(&self) -> String {
        self.r.to_json()
    }
    /// A human summary.
    fn summary(&self) -> String {
        self.r.summary()
    }
    fn __bool__(&self) -> bool {
        self.r.balanced
    }
    fn __repr__(&self) -> String {
        format!(
            "Reconciliation(start={}, until={}, issuers={}, anomalies={}, balanced={})",
            self.r
                .from
                .map_or_else(|| "None".to_owned(), |d| d.to_string()),
            self.r.until,
            self.issuers().len(),
            self.r.anomalies.len(),
            if self.r.balanced { "True" } else { "False" }
        )
    }
}

/// Reconciles the register (`issued`), the ledger's `redemptions` and the `credited`
/// cheques over the civil dates `start..=until` in `time_zone` (default Europe/Paris;
/// `start` None: from the beginning).
#[pyfunction]
#[pyo3(signature = (issued, redemptions, credited=None, *, until, start=None, time_zone=None))]
fn reconcile(
    issued: &Bound<'_, PyAny>,
    redemptions: &Bound<'_, PyAny>,
    credited: Option<&Bound<'_, PyAny>>,
    until: &Bound<'_, PyAny>,
    start: Option<&Bound<'_, PyAny>>,
    time_zone: Option<&Bound<'_, PyAny>>,
) -> PyResult<Reconciliation> {
    let register = clearing_items(issued, "issued", "an IssuedCheque", |c: &IssuedCheque| {
        c.c.clone()
    })?;
    let ledger = clearing_items(
        redemptions,
        "redemptions",
        "a Redemption",
        |r: &Redemption| r.r.clone(),
    )?;
    let credits = match credited.filter(|o| !o.is_none()) {
        Some(c) => clearing_items(c, "credited", "a CreditedCheque", |c: &CreditedCheque| {
            c.c.clone()
        })?,
        None => Vec::new(),
    };
    let start = match start.filter(|o| !o.is_none()) {
        Some(s) => Some(date_arg(s, "start")?),
        None => None,
    };
    let until = date_arg(until, "until")?;
    let tz = time_zone_arg(time_zone)?;
    Ok(Reconciliation {
        r: api::reconcile(&register, &ledger, &credits, start, until, tz.as_deref()).py()?,
    })
}

/// Adds the clearing classes, functions and constants (called from `register`).
fn register_clearing(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ANOMALY_KINDS", PyTuple::new(m.py(), api::anomaly_kinds())?)?;
    m.add("DEFAULT_CREDIT_GRACE_DAYS", api::DEFAULT_CREDIT_GRACE_DAYS)?;
    m.add_class::<IssuedCheque>()?;
    m.add_class::<CreditedCheque>()?;
    m.add_class::<StatementLine>()?;
    m.add_class::<MonthlyStatement>()?;
    m.add_class::<CreditNote>()?;
    m.add_class::<Reconciliation>()?;
    m.add_function(wrap_pyfunction!(monthly_statement, m)?)?;
    m.add_function(wrap_pyfunction!(credit_notes, m)?)?;
    m.add_function(wrap_pyfunction!(credit_notes_csv, m)?)?;
    m.add_function(wrap_pyfunction!(credit_notes_json, m)?)?;
    m.add_function(wrap_pyfunction!(reconcile, m)?)?;
    m.add_function(wrap_pyfunction!(_clearing_unpickle, m)?)?;
    Ok(())
}
