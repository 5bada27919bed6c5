//! A report document read in one pass: each RFC 8460 §4.4 field's first value, already typed
//! where it has the type the RFC gives it, and everything else verbatim.
//!
//! Why: building a generic JSON tree first and then taking the known fields out of it allocated
//! every object twice and searched every object once per field; on thousands of small reports
//! that was most of the parsing time. Here serde_json hands each member straight to the field it
//! fills, so a string ends up in the model without ever being part of a tree.
//!
//! Nothing is judged here: a field of the wrong type is kept as [`Slot::Other`], a second
//! occurrence or an unknown name goes to the object's [`Extra`] members in document order, and
//! [`super::parse`] decides, in a fixed order, what each of those means and which deviation it
//! is. So the result is the same as reading the tree would give, whatever the document holds.

use super::json::{Json, JsonVisitor};
use super::model::{FailureDetail, PolicyType};
use super::result_type::ResultType;
use super::shelf::{SHELVED_BYTES, Shelf};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

mod scan;

/// A known field's first value, as met.
#[derive(Debug, Default)]
pub(crate) enum Slot<T> {
    /// The object has no member of this name.
    #[default]
    Absent,
    /// The member is `null`.
    Null,
    /// The member has the type the RFC gives it.
    Value(T),
    /// The member has another type: its value verbatim. Boxed, as wrong types are rare: a
    /// `Json` in place made every slot 32 bytes, and a failure detail (eight slots, read by the
    /// thousand in large reports) 288 bytes instead of 216.
    Other(Box<Json>),
}

impl<T> Slot<T> {
    /// A value of another type than the field's, kept verbatim.
    fn other(value: Json) -> Slot<T> {
        Slot::Other(Box::new(value))
    }
}

/// A member kept verbatim: a name the object does not define, or a second occurrence of one it
/// does (`duplicate`).
#[derive(Debug)]
pub(crate) struct Extra {
    pub name: String,
    pub value: Json,
    pub duplicate: bool,
}

/// The members of an object that its known fields did not take, in document order.
///
/// Whether a known name was met before needs no record of its own: its field's slot is then no
/// longer [`Slot::Absent`] ([`Members::met`]). Why it matters: 8 bytes more per object made a
/// failure detail as read larger than the model's, so its vector could not be handed back to
/// be read into again (see [`give_back_model`]).
#[derive(Debug, Default)]
pub(crate) struct Extras {
    pub members: Vec<Extra>,
}

/// The top-level object.
#[derive(Debug, Default)]
pub(crate) struct RawReport {
    pub organization_name: Slot<String>,
    pub date_range: Slot<RawDateRange>,
    pub contact_info: Slot<String>,
    pub report_id: Slot<String>,
    pub policies: Slot<Vec<Result<RawPolicyResult, Json>>>,
    pub extras: Extras,
}

/// `date-range`.
#[derive(Debug, Default)]
pub(crate) struct RawDateRange {
    pub start: Slot<String>,
    pub end: Slot<String>,
    pub extras: Extras,
}

/// One entry of `policies`.
#[derive(Debug, Default)]
pub(crate) struct RawPolicyResult {
    pub policy: Slot<RawPolicy>,
    pub summary: Slot<RawSummary>,
    pub failure_details: Slot<Vec<Result<RawFailureDetail, Json>>>,
    pub extras: Extras,
}

/// `policy`.
#[derive(Debug, Default)]
pub(crate) struct RawPolicy {
    pub policy_type: Slot<PolicyType>,
    pub policy_string: Slot<Strings>,
    pub policy_domain: Slot<String>,
    pub mx_host: Slot<Strings>,
    pub extras: Extras,
}

/// `summary`.
#[derive(Debug, Default)]
pub(crate) struct RawSummary {
    pub total_successful_session_count: Slot<u64>,
    pub total_failure_session_count: Slot<u64>,
    pub extras: Extras,
}

/// One entry of `failure-details`.
#[derive(Debug, Default)]
pub(crate) struct RawFailureDetail {
    pub result_type: Slot<ResultType>,
    pub sending_mta_ip: Slot<String>,
    pub receiving_mx_hostname: Slot<String>,
    pub receiving_mx_helo: Slot<String>,
    pub receiving_ip: Slot<String>,
    pub failed_session_count: Slot<u64>,
    pub additional_information: Slot<String>,
    pub failure_reason_code: Slot<String>,
    pub extras: Extras,
}

/// A value that should be a list of strings (`policy-string`, `mx-host`): one string on its own
/// is kept apart, as `mx-host` accepts it and `policy-string` does not.
#[derive(Debug)]
pub(crate) enum Strings {
    One(String),
    List(Vec<String>),
}

/// The most elements one document's `policies` and `failure-details` arrays may hold in all.
///
/// Why a cap: each element becomes a few hundred bytes of structs twice over (here, then in the
/// model) plus its strings and deviations, about 1 KiB, whatever it is written as. So 20 MiB (the
/// per-report cap) of empty objects, `[{},{},...]`, made 7 million elements: 7 GiB and 40 s for
/// one file, where a browser tab would simply die. Real failure details take about 150 to 250
/// bytes each, so 20 MiB of them is about this many; with it, one report costs at most about
/// 100 MiB of memory, whatever its JSON holds.
pub const MAX_REPORT_ELEMENTS: usize = 100_000;

/// Why a document could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// Not JSON: serde_json's error, with its line and column.
    Json(serde_json::Error),
    /// More than [`MAX_REPORT_ELEMENTS`] elements.
    TooManyElements,
}

thread_local! {
    /// Elements of `policies` and `failure-details` read so far in the document being read on
    /// this thread (set to zero by [`read`]): the serde visitors that count them carry no state.
    static ELEMENTS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Reads a whole document: the report when it is an object, else the value verbatim.
pub(crate) fn read(json: &[u8]) -> Result<Result<RawReport, Json>, ReadError> {
    ELEMENTS.set(0);
    DOCUMENT_BYTES.set(json.len());
    // One UTF-8 check of the whole document is far quicker than one per string, which is what
    // reading from bytes does; a document that fails it is read from bytes to get serde_json's
    // own error, with its line and column.
    // Nearly every report has exactly the RFC's shape and is read by the scanner; any other
    // is read again from the start by serde_json (see `scan`).
    let read = match std::str::from_utf8(json) {
        Ok(text) => match scan::read(text) {
            Some(report) => return Ok(Ok(report)),
            None => {
                ELEMENTS.set(0);
                read_from(serde_json::Deserializer::from_str(text))
            }
        },
        Err(_) => read_from(serde_json::Deserializer::from_slice(json)),
    };
    read.map_err(|e| {
        if ELEMENTS.get() > MAX_REPORT_ELEMENTS {
            ReadError::TooManyElements
        } else {
            ReadError::Json(e)
        }
    })
}

/// Counts one more array element against [`MAX_REPORT_ELEMENTS`]; false once past it.
fn one_more_element() -> bool {
    let n = ELEMENTS.get() + 1;
    ELEMENTS.set(n);
    n <= MAX_REPORT_ELEMENTS
}

/// [`one_more_element`], as serde's error.
fn count_element<E: de::Error>() -> Result<(), E> {
    match one_more_element() {
        true => Ok(()),
        false => Err(E::custom("too many array elements")),
    }
}

fn read_from<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
) -> serde_json::Result<Result<RawReport, Json>> {
    let doc = Read(Object::<RawReport>(PhantomData)).deserialize(&mut de)?;
    de.end()?;
    Ok(doc.present())
}

impl<T> Slot<T> {
    /// A value that is always there (a document, an array element): typed, or verbatim.
    fn present(self) -> Result<T, Json> {
        match self {
            Slot::Value(value) => Ok(value),
            Slot::Null => Err(Json::Null),
            Slot::Other(value) => Err(*value),
            Slot::Absent => unreachable!("`Read` only gives `Absent` for a member not met"),
        }
    }
}

// ── How each field's value is read ──────────────────────────────────────────────────────────

/// The one JSON shape a field should have, and how to read it; any other shape is kept as
/// [`Slot::Other`] by the defaults.
trait Shape<'de>: Sized {
    type Value;

    fn string(self, s: String) -> Slot<Self::Value> {
        Slot::other(Json::String(s))
    }

    /// A string that is only borrowed: a shape that does not keep it as such need not copy it.
    fn str(self, s: &str) -> Slot<Self::Value> {
        self.string(s.to_owned())
    }

    fn unsigned(self, n: u64) -> Slot<Self::Value> {
        Slot::other(Json::Number(n.into()))
    }

    fn map<A: MapAccess<'de>>(self, map: A) -> Result<Slot<Self::Value>, A::Error> {
        JsonVisitor.visit_map(map).map(Slot::other)
    }

    fn seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Slot<Self::Value>, A::Error> {
        JsonVisitor.visit_seq(seq).map(Slot::other)
    }
}

/// Reads one value of shape `S` into a [`Slot`].
struct Read<S>(S);

impl<'de, S: Shape<'de>> DeserializeSeed<'de> for Read<S> {
    type Value = Slot<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, S: Shape<'de>> Visitor<'de> for Read<S> {
    type Value = Slot<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Slot::Null)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Slot::other(Json::Bool(b)))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        Ok(self.0.unsigned(n))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        JsonVisitor.visit_i64(n).map(Slot::other)
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        JsonVisitor.visit_f64(n).map(Slot::other)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(self.0.str(s))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(self.0.string(s))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.map(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.seq(seq)
    }
}

/// A string field.
struct Text;

impl Shape<'_> for Text {
    type Value = String;

    fn string(self, s: String) -> Slot<String> {
        Slot::Value(s)
    }
}

/// `policy-type` and `result-type`: a string naming one of a few values, read straight into
/// its type, so that only a name the RFC does not define is copied.
struct Named<T>(PhantomData<T>);

/// A type read from a name by [`Named`].
trait FromName: Sized {
    fn from_name(name: &str) -> Self;
}

impl FromName for PolicyType {
    fn from_name(name: &str) -> Self {
        PolicyType::parse(name)
    }
}

impl FromName for ResultType {
    fn from_name(name: &str) -> Self {
        ResultType::parse(name)
    }
}

impl<T: FromName> Shape<'_> for Named<T> {
    type Value = T;

    fn string(self, s: String) -> Slot<T> {
        Slot::Value(T::from_name(&s))
    }

    fn str(self, s: &str) -> Slot<T> {
        Slot::Value(T::from_name(s))
    }
}

/// A session count: a non-negative integer.
struct Count;

impl Shape<'_> for Count {
    type Value = u64;

    fn unsigned(self, n: u64) -> Slot<u64> {
        Slot::Value(n)
    }
}

/// `policy-string` or `mx-host`.
struct StringList;

impl<'de> Shape<'de> for StringList {
    type Value = Strings;

    fn string(self, s: String) -> Slot<Strings> {
        Slot::Value(Strings::One(s))
    }

    /// Strings are collected as such while every element is one; from the first that is not,
    /// the whole array is kept verbatim.
    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Slot<Strings>, A::Error> {
        let mut strings = Vec::with_capacity(seq.size_hint().unwrap_or(STRINGS_ROOM));
        loop {
            match seq.next_element::<Json>()? {
                None => return Ok(Slot::Value(Strings::List(strings))),
                Some(Json::String(s)) => strings.push(s),
                Some(other) => {
                    let mut items: Vec<Json> = strings.into_iter().map(Json::String).collect();
                    items.push(other);
                    while let Some(item) = seq.next_element()? {
                        items.push(item);
                    }
                    return Ok(Slot::other(Json::Array(items)));
                }
            }
        }
    }
}

/// The room a list of strings starts with: a policy string has about six lines, and growing from
/// fewer copied them once per report.
const STRINGS_ROOM: usize = 8;

/// An array of objects (`policies`, `failure-details`); an element that is not an object is kept
/// verbatim in its place.
struct List<T>(PhantomData<T>);

impl<'de, T: Members> Shape<'de> for List<T> {
    type Value = Vec<Result<T, Json>>;

    /// Each object is read in its own slot of the vector: these structs are a few hundred bytes,
    /// and building each one apart, then moving it through `Slot` and `Result` into the vector,
    /// copied it several times. In place, `memcpy` on the benchmark's 3,000 reports fell from 25
    /// to 18 M instructions (callgrind; 1.4 % of all).
    ///
    /// While the vector is full, the next element is read beside it instead, and moved in only
    /// if there is one: an array of exactly as many elements as there is room for then never
    /// grows the vector for a slot it would give back.
    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Slot<Self::Value>, A::Error> {
        let mut items = T::list();
        items.reserve(seq.size_hint().unwrap_or(0));
        loop {
            if items.len() == items.capacity() {
                let mut object = T::default();
                match seq.next_element_seed(InPlace(&mut object))? {
                    None => return Ok(Slot::Value(items)),
                    Some(None) => items.push(Ok(object)),
                    Some(Some(other)) => items.push(Err(other)),
                }
                count_element()?;
                continue;
            }
            items.push(Ok(T::default()));
            let Some(Ok(object)) = items.last_mut() else {
                unreachable!("an object was just pushed")
            };
            match seq.next_element_seed(InPlace(object))? {
                None => {
                    items.pop();
                    return Ok(Slot::Value(items));
                }
                Some(None) => {}
                Some(Some(other)) => *items.last_mut().expect("just pushed") = Err(other),
            }
            count_element()?;
        }
    }
}

/// Reads an array element into an object already in place, or gives the element verbatim when it
/// is not an object (as [`Json`], exactly as [`JsonVisitor`] reads any value).
struct InPlace<'a, T>(&'a mut T);

impl<'de, T: Members> DeserializeSeed<'de> for InPlace<'_, T> {
    type Value = Option<Json>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, T: Members> Visitor<'de> for InPlace<'_, T> {
    type Value = Option<Json>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        fill(self.0, map).map(|()| None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        JsonVisitor.visit_unit().map(Some)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        JsonVisitor.visit_bool(b).map(Some)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        JsonVisitor.visit_u64(n).map(Some)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        JsonVisitor.visit_i64(n).map(Some)
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        JsonVisitor.visit_f64(n).map(Some)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        JsonVisitor.visit_str(s).map(Some)
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        JsonVisitor.visit_string(s).map(Some)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        JsonVisitor.visit_seq(seq).map(Some)
    }
}

/// An object with known fields.
struct Object<T>(PhantomData<T>);

impl<'de, T: Members> Shape<'de> for Object<T> {
    type Value = T;

    fn map<A: MapAccess<'de>>(self, map: A) -> Result<Slot<T>, A::Error> {
        let mut object = T::default();
        fill(&mut object, map)?;
        Ok(Slot::Value(object))
    }
}

/// Reads an object's members into `object`: each known name's first value into its field, the
/// rest into its [`Extras`].
fn fill<'de, T: Members, A: MapAccess<'de>>(object: &mut T, mut map: A) -> Result<(), A::Error> {
    while let Some(name) = map.next_key_seed(NameSeed(T::NAMES))? {
        let (name, duplicate) = match name {
            Name::Known(i) if !object.met(i) => {
                object.read(i, &mut map)?;
                continue;
            }
            Name::Known(i) => (T::NAMES[i].to_owned(), true),
            Name::Other(name) => (name, false),
        };
        let value = map.next_value()?;
        object.extras().members.push(Extra {
            name,
            value,
            duplicate,
        });
    }
    Ok(())
}

/// An object whose members the RFC names.
trait Members: Default {
    /// The member names.
    const NAMES: &'static [&'static str];

    /// How many elements an array of these objects is first given room for (serde_json cannot
    /// tell): growing a vector of these structs copies every element each time.
    const TYPICAL: usize = 2;

    /// An empty vector to read an array of these objects into.
    fn list() -> Vec<Result<Self, Json>> {
        Vec::with_capacity(Self::TYPICAL)
    }

    /// Reads the value of the first member named `NAMES[i]`.
    fn read<'de, A: MapAccess<'de>>(&mut self, i: usize, map: &mut A) -> Result<(), A::Error>;

    /// The same, with the scanner (see [`scan`]).
    fn scan_member(&mut self, i: usize, scanner: &mut scan::Scanner<'_>) -> Result<(), scan::Bail>;

    /// Whether a member named `NAMES[i]` was met: its field holds a value (reading one never
    /// leaves it [`Slot::Absent`]), so a later one is an extra member.
    fn met(&self, i: usize) -> bool;

    fn extras(&mut self) -> &mut Extras;
}

/// Implements [`Members`]: each name with the field it fills and the shape it is read as.
macro_rules! members {
    ($type:ty $(, typical $typical:literal)? $(, list $list:path)? { $($name:literal => $field:ident: $shape:expr,)* }) => {
        impl Members for $type {
            const NAMES: &'static [&'static str] = &[$($name),*];
            $(const TYPICAL: usize = $typical;)?
            $(fn list() -> Vec<Result<Self, Json>> {
                $list()
            })?

            fn read<'de, A: MapAccess<'de>>(&mut self, i: usize, map: &mut A) -> Result<(), A::Error> {
                let mut at = 0;
                $(
                    if i == at {
                        self.$field = map.next_value_seed(Read($shape))?;
                        return Ok(());
                    }
                    at += 1;
                )*
                let _ = at;
                unreachable!("member {i} of {}", Self::NAMES.len())
            }

            fn scan_member(&mut self, i: usize, scanner: &mut scan::Scanner<'_>) -> Result<(), scan::Bail> {
                let mut at = 0;
                $(
                    if i == at {
                        self.$field = scan::Scan::scan($shape, scanner)?;
                        return Ok(());
                    }
                    at += 1;
                )*
                let _ = at;
                unreachable!("member {i} of {}", Self::NAMES.len())
            }

            fn met(&self, i: usize) -> bool {
                let mut at = 0;
                $(
                    if i == at {
                        return !matches!(self.$field, Slot::Absent);
                    }
                    at += 1;
                )*
                let _ = at;
                unreachable!("member {i} of {}", Self::NAMES.len())
            }

            fn extras(&mut self) -> &mut Extras {
                &mut self.extras
            }
        }
    };
}

members!(RawReport {
    "organization-name" => organization_name: Text,
    "date-range" => date_range: Object::<RawDateRange>(PhantomData),
    "contact-info" => contact_info: Text,
    "report-id" => report_id: Text,
    "policies" => policies: List::<RawPolicyResult>(PhantomData),
});

members!(RawDateRange {
    "start-datetime" => start: Text,
    "end-datetime" => end: Text,
});

members!(RawPolicyResult {
    "policy" => policy: Object::<RawPolicy>(PhantomData),
    "summary" => summary: Object::<RawSummary>(PhantomData),
    "failure-details" => failure_details: List::<RawFailureDetail>(PhantomData),
});

members!(RawPolicy {
    "policy-type" => policy_type: Named::<PolicyType>(PhantomData),
    "policy-string" => policy_string: StringList,
    "policy-domain" => policy_domain: Text,
    "mx-host" => mx_host: StringList,
});

members!(RawSummary {
    "total-successful-session-count" => total_successful_session_count: Count,
    "total-failure-session-count" => total_failure_session_count: Count,
});

members!(RawFailureDetail, typical 8, list spare_details {
    "result-type" => result_type: Named::<ResultType>(PhantomData),
    "sending-mta-ip" => sending_mta_ip: Text,
    "receiving-mx-hostname" => receiving_mx_hostname: Text,
    "receiving-mx-helo" => receiving_mx_helo: Text,
    "receiving-ip" => receiving_ip: Text,
    "failed-session-count" => failed_session_count: Count,
    "additional-information" => additional_information: Text,
    "failure-reason-code" => failure_reason_code: Text,
});

/// The `failure-details` vectors of a document, each a few hundred bytes per element, live only
/// until [`super::parse`] has moved their contents into the model; it hands them back here,
/// emptied, and the next document read on the same thread reuses them (a large one, any thread:
/// see [`DETAILS`]). Why: a fresh vector for
/// each array is grown by doubling, so an array of a few thousand details copied itself a dozen
/// times into memory never touched before. On a report of 4,000 failure details that vector was
/// three quarters of the page faults (each 4 KiB page first written costs the kernel about 2 µs),
/// and allocating it anew for every report never reused the pages the last one had faulted in.
const SPARE_LISTS: usize = 16;
/// Vectors whose room exceeds this many bytes are freed, not kept.
///
/// What that keeps at most: a thread's spares are each below [`SHELVED_BYTES`] (larger ones go
/// on the [`DETAILS`] shelf), so its [`SPARE_LISTS`] hold under 4 MiB, plus one vector of at
/// most this on the shelf for all threads. Before the shelf, the large reports' vectors stayed
/// with their thread, bounded at 8 MiB per thread.
const SPARE_BYTES: usize = 4 * 1024 * 1024;

/// What one element of a `failure-details` vector as read takes, in bytes: the unit of the room
/// [`SPARE_BYTES`] bounds.
const READ_ELEMENT_BYTES: usize = std::mem::size_of::<Result<RawFailureDetail, Json>>();

/// A failure detail takes at least about this many bytes of JSON in real reports (150 to 250 is
/// usual): a document of `n` bytes is given room for `n / DETAIL_BYTES` details at first.
const DETAIL_BYTES: usize = 100;

thread_local! {
    static SPARE: RefCell<Vec<Vec<Result<RawFailureDetail, Json>>>> = const { RefCell::new(Vec::new()) };
    /// The size of the document being read on this thread (set by [`read`]).
    static DOCUMENT_BYTES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// An empty `failure-details` vector: a spare one with the most room if it has room for as many
/// details as the document may hold, else a new one with that room.
///
/// Why the room: grown by doubling from a few elements, the vector of a report of 4,000 details
/// copied itself a dozen times, each time into memory never touched before, so each thread's first
/// large report faulted in about twice the vector's final size (a third of the page faults of the
/// benchmark's run). Room that the details do not fill is never touched, so it costs no memory,
/// and it is at most what [`SPARE_BYTES`] lets the vector be kept for the next document.
///
/// A large one (from [`SHELVED_BYTES`] of room on) may come from the [`DETAILS`] shelf, where
/// any thread puts those it gives back.
fn spare_details() -> Vec<Result<RawFailureDetail, Json>> {
    spare_details_from(&DETAILS, room_for(DOCUMENT_BYTES.get()))
}

fn spare_details_from(shelf: &DetailsShelf, room: usize) -> Vec<Result<RawFailureDetail, Json>> {
    SPARE
        .with_borrow_mut(|spare| {
            if spare.last()?.capacity() >= room {
                spare.pop()
            } else {
                None
            }
        })
        .or_else(|| {
            (room * READ_ELEMENT_BYTES >= SHELVED_BYTES)
                .then(|| shelf.take_if(|list| list.capacity() >= room))
                .flatten()
        })
        .unwrap_or_else(|| Vec::with_capacity(room))
}

type DetailsShelf = Shelf<Vec<Result<RawFailureDetail, Json>>>;

/// Large `failure-details` vectors given back, for the next large document on any thread (see
/// [`super::shelf`]).
static DETAILS: DetailsShelf = Shelf::new();

/// The room [`spare_details`] wants for a document of `bytes`: `bytes / DETAIL_BYTES` details,
/// rounded up to a power of two, within what [`SPARE_BYTES`] keeps.
///
/// Why rounded: a day's large reports differ by a few bytes, and a spare kept from one was a
/// few details short of the next one's room, so every large report took a new vector.
fn room_for(bytes: usize) -> usize {
    (bytes / DETAIL_BYTES)
        .next_power_of_two()
        .clamp(RawFailureDetail::TYPICAL, SPARE_BYTES / READ_ELEMENT_BYTES)
}

/// Gives back a `failure-details` vector whose elements were taken out, for [`spare_details`].
/// The spares are kept in order of room, so the largest is reused first; from
/// [`SHELVED_BYTES`] on, one goes on the [`DETAILS`] shelf instead.
pub(crate) fn give_back(list: Vec<Result<RawFailureDetail, Json>>) {
    give_back_to(&DETAILS, list);
}

fn give_back_to(shelf: &DetailsShelf, mut list: Vec<Result<RawFailureDetail, Json>>) {
    list.clear();
    let bytes = list.capacity() * READ_ELEMENT_BYTES;
    if list.capacity() <= RawFailureDetail::TYPICAL || bytes > SPARE_BYTES {
        return;
    }
    if bytes >= SHELVED_BYTES {
        shelf.put(list, Vec::capacity);
        return;
    }
    SPARE.with_borrow_mut(|spare| {
        let at = spare.partition_point(|s| s.capacity() < list.capacity());
        spare.insert(at, list);
        if spare.len() > SPARE_LISTS {
            spare.remove(0);
        }
    });
}

/// Gives back the failure details of a model that [`super::parse`] made in the vector they were
/// read into (a large report's, see `IN_PLACE_DETAILS` there), once the report is done with: the
/// vector is emptied and read into again by the next document on this thread (or, as large as
/// these are, on whichever thread reads a large one next: see [`give_back`]).
///
/// Why: freed, such a vector (about 1 MiB for a report of 4,000 details) went back to the
/// allocator, which handed its memory to the small reports read next, so each large report
/// faulted in a fresh vector: on the benchmark's 3,000 files about three of the four large
/// reports did. Kept here, only each thread's first one does.
///
/// No `unsafe`: a read element and a model element have the same size and alignment, so
/// `collect` turns the emptied vector back into one for read elements in the same allocation
/// (a test checks that it does; if a change of either struct broke it, the vector would only
/// be freed, not kept).
pub(crate) fn give_back_model(mut list: Vec<FailureDetail>) {
    list.clear();
    let list: Vec<Result<RawFailureDetail, Json>> = list.into_iter().filter_map(|_| None).collect();
    give_back(list);
}

/// A member name: the index of one of the object's own names, or any other name.
enum Name {
    Known(usize),
    Other(String),
}

/// Reads a member name, allocating only for names the object does not define.
struct NameSeed(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = Name;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Name, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for NameSeed {
    type Value = Name;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Name, E> {
        Ok(match self.0.iter().position(|name| *name == s) {
            Some(i) => Name::Known(i),
            None => Name::Other(s.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `failure-details` vector of the first policy of `text`.
    fn details_of(text: &str) -> Vec<Result<RawFailureDetail, Json>> {
        let report = read(text.as_bytes()).unwrap().expect("an object");
        let Slot::Value(mut policies) = report.policies else {
            panic!("an array")
        };
        let Ok(entry) = policies.remove(0) else {
            panic!("an object")
        };
        let Slot::Value(details) = entry.failure_details else {
            panic!("an array")
        };
        details
    }

    fn report_with_details(n: usize) -> String {
        let details = vec![r#"{"result-type":"x"}"#; n].join(",");
        format!(r#"{{"policies":[{{"failure-details":[{details}]}}]}}"#)
    }

    #[test]
    fn a_failure_details_vector_given_back_is_reused_empty_by_the_next_document() {
        SPARE.with_borrow_mut(Vec::clear);
        let first = details_of(&report_with_details(1000));
        assert_eq!(first.len(), 1000);
        let (room, at) = (first.capacity(), first.as_ptr());
        give_back(first);
        let second = details_of(&report_with_details(3));
        assert_eq!(
            second.len(),
            3,
            "none of the last document's details are left"
        );
        assert!(
            matches!(&second[0], Ok(d) if matches!(d.result_type, Slot::Value(ResultType::Other(ref t)) if t == "x"))
        );
        assert_eq!(
            (second.capacity(), second.as_ptr()),
            (room, at),
            "the same vector"
        );
        give_back(second);
        // A document read on another thread does not see this thread's spares.
        let elsewhere = std::thread::spawn(|| details_of(&report_with_details(3)).capacity())
            .join()
            .unwrap();
        assert!(elsewhere < room);
    }

    #[test]
    fn a_large_document_gets_room_for_its_details_up_front() {
        SPARE.with_borrow_mut(Vec::clear);
        let detail = r#"{"result-type":"certificate-expired","sending-mta-ip":"192.0.2.1","receiving-ip":"198.51.100.1","failed-session-count":1}"#;
        let text = format!(
            r#"{{"policies":[{{"failure-details":[{}]}}]}}"#,
            vec![detail; 500].join(",")
        );
        let room = room_for(text.len());
        assert!(room > 500, "the test's details are longer than typical");
        assert!(room.is_power_of_two() && room >= text.len() / DETAIL_BYTES);
        let details = details_of(&text);
        assert_eq!(details.len(), 500);
        // Made with that room, never grown (growing would have doubled it past the room).
        assert_eq!(details.capacity(), room);
        give_back(details);
        // A smaller document takes that spare; a larger one than it has room for does not.
        assert_eq!(details_of(&report_with_details(3)).capacity(), room);
        SPARE.with_borrow_mut(Vec::clear);
        give_back(Vec::with_capacity(RawFailureDetail::TYPICAL + 1));
        assert_eq!(details_of(&text).capacity(), room);
        assert_eq!(
            SPARE.with_borrow(Vec::len),
            1,
            "the small spare is left for later"
        );
        SPARE.with_borrow_mut(Vec::clear);
    }

    #[test]
    fn a_large_spare_given_back_on_one_thread_serves_a_large_document_on_another() {
        static SHELF: DetailsShelf = Shelf::new();
        let room = room_for(800_000);
        assert!(room * READ_ELEMENT_BYTES >= SHELVED_BYTES);
        let list = Vec::with_capacity(room);
        let at = list.as_ptr() as usize;
        std::thread::spawn(move || give_back_to(&SHELF, list))
            .join()
            .unwrap();
        let small = std::thread::spawn(|| {
            spare_details_from(&SHELF, RawFailureDetail::TYPICAL * 2).capacity()
        })
        .join()
        .unwrap();
        assert!(small < room, "a small document does not take it");
        let taken = std::thread::spawn(move || {
            let list = spare_details_from(&SHELF, room);
            list.as_ptr() as usize
        })
        .join()
        .unwrap();
        assert_eq!(taken, at);
        // A small spare stays with its thread.
        std::thread::spawn(|| {
            give_back_to(&SHELF, Vec::with_capacity(RawFailureDetail::TYPICAL * 2));
            assert!(SHELF.take_if(|_| true).is_none());
        })
        .join()
        .unwrap();
    }

    #[test]
    fn spares_are_bounded_in_number_and_size_and_the_largest_is_reused_first() {
        SPARE.with_borrow_mut(Vec::clear);
        // Too large to keep.
        give_back(Vec::with_capacity(SPARE_BYTES / READ_ELEMENT_BYTES + 1));
        // No more room than a new vector has: nothing gained by keeping it.
        give_back(Vec::with_capacity(RawFailureDetail::TYPICAL));
        assert_eq!(SPARE.with_borrow(Vec::len), 0);
        for room in (1..=SPARE_LISTS + 4).map(|i| RawFailureDetail::TYPICAL + i) {
            give_back(Vec::with_capacity(room));
        }
        let rooms: Vec<usize> = SPARE.with_borrow(|s| s.iter().map(Vec::capacity).collect());
        assert_eq!(rooms.len(), SPARE_LISTS);
        assert!(rooms.is_sorted(), "{rooms:?}");
        assert!(
            rooms[0] > RawFailureDetail::TYPICAL + 4,
            "the smallest went: {rooms:?}"
        );
        let largest = *rooms.last().unwrap();
        let list = spare_details();
        assert!(list.is_empty());
        assert_eq!(list.capacity(), largest);
        // Large ones go on the shelf, not to the thread, and the shelf keeps the largest.
        static SHELF: DetailsShelf = Shelf::new();
        let before = SPARE.with_borrow(Vec::len);
        let largest = SPARE_BYTES / READ_ELEMENT_BYTES;
        give_back_to(&SHELF, Vec::with_capacity(largest));
        give_back_to(
            &SHELF,
            Vec::with_capacity(SHELVED_BYTES / READ_ELEMENT_BYTES + 1),
        );
        assert_eq!(SPARE.with_borrow(Vec::len), before);
        assert_eq!(SHELF.take_if(|_| true).map(|l| l.capacity()), Some(largest));
        SPARE.with_borrow_mut(Vec::clear);
    }

    #[test]
    fn fields_are_typed_or_kept_and_second_occurrences_are_extras() {
        let text = r#"{"report-id":"a","policies":[{"summary":{
            "total-successful-session-count":3,"total-failure-session-count":"2"},
            "policy":{"mx-host":"mx.example","policy-string":["a",1],"x":null}},7,null],
            "report-id":"b","x-note":{"k":[1]},"contact-info":null}"#;
        let report = read(text.as_bytes()).unwrap().expect("an object");
        assert!(matches!(report.report_id, Slot::Value(ref id) if id == "a"));
        assert!(matches!(report.contact_info, Slot::Null));
        assert!(matches!(report.organization_name, Slot::Absent));
        let names: Vec<_> = report
            .extras
            .members
            .iter()
            .map(|e| (e.name.as_str(), e.duplicate))
            .collect();
        assert_eq!(names, [("report-id", true), ("x-note", false)]);
        let Slot::Value(policies) = report.policies else {
            panic!("an array")
        };
        assert!(matches!(policies[1], Err(Json::Number(_))));
        assert!(matches!(policies[2], Err(Json::Null)));
        let Ok(ref entry) = policies[0] else {
            panic!("an object")
        };
        let Slot::Value(ref summary) = entry.summary else {
            panic!()
        };
        assert!(matches!(
            summary.total_successful_session_count,
            Slot::Value(3)
        ));
        assert!(matches!(
            summary.total_failure_session_count,
            Slot::Other(ref value) if matches!(**value, Json::String(_))
        ));
        let Slot::Value(ref policy) = entry.policy else {
            panic!()
        };
        assert!(matches!(policy.mx_host, Slot::Value(Strings::One(_))));
        assert!(
            matches!(policy.policy_string, Slot::Other(ref value) if matches!(**value, Json::Array(ref items) if items.len() == 2))
        );
        assert_eq!(policy.extras.members[0].name, "x");
    }

    #[test]
    fn a_document_that_is_not_an_object_is_other() {
        assert!(matches!(read(b"[1]"), Ok(Err(Json::Array(_)))));
        assert!(matches!(read(b"null"), Ok(Err(Json::Null))));
        assert!(read(b"{} x").is_err());
        assert!(read(b"{\"a\":\"\xff\"}").is_err());
    }

    /// Every length around the vector's first capacity (and its doublings), with elements that
    /// are not objects at the edges: each element is read in its place, and an array that fills
    /// the vector exactly leaves it at that size.
    #[test]
    fn arrays_of_objects_keep_order_at_every_length_and_fill_exactly() {
        for len in 0..=20 {
            let elements: Vec<String> = (0..len)
                .map(|i| match i % 7 {
                    3 => "7".to_owned(),
                    5 => "null".to_owned(),
                    _ => format!(r#"{{"policy":{{"policy-domain":"d{i}.example"}}}}"#),
                })
                .collect();
            let text = format!(r#"{{"policies":[{}]}}"#, elements.join(","));
            let report = read(text.as_bytes()).unwrap().expect("an object");
            let Slot::Value(policies) = report.policies else {
                panic!("an array of {len}")
            };
            assert_eq!(policies.len(), len, "length {len}");
            for (i, entry) in policies.iter().enumerate() {
                match (i % 7, entry) {
                    (3, Err(Json::Number(n))) => assert_eq!(n.as_u64(), Some(7)),
                    (5, Err(Json::Null)) => {}
                    (_, Ok(entry)) => {
                        let Slot::Value(ref policy) = entry.policy else {
                            panic!("element {i} of {len}")
                        };
                        let domain = format!("d{i}.example");
                        assert!(
                            matches!(policy.policy_domain, Slot::Value(ref d) if *d == domain),
                            "element {i} of {len}"
                        );
                    }
                    (_, other) => panic!("element {i} of {len}: {other:?}"),
                }
            }
            if len == RawPolicyResult::TYPICAL {
                assert_eq!(
                    policies.capacity(),
                    len,
                    "an array that fills the room exactly"
                );
            }
        }
    }
}
