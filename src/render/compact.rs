//! Compact JSON, byte for byte what `serde_json::to_string` writes, faster.
//!
//! Writing each batch line took about a sixth of a batch run, most of it in
//! serde_json's string escaping, which looks every byte up in a table. Essay
//! text rarely needs escaping, so [`to_string`] tests eight bytes at a time and
//! copies clean runs whole. Numbers are formatted by the crates serde_json
//! uses (`itoa`, `zmij`), and a test checks the bytes against serde_json's.

use serde::ser::{self, Serialize};
use std::fmt;

/// Why a value could not be written: a map key that is not a string, number,
/// bool or char (serde_json refuses those too), or a `Serialize` impl's error.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

type Result<T> = std::result::Result<T, Error>;

/// `value` as compact JSON: the same bytes as `serde_json::to_string`.
///
/// # Errors
/// What `value`'s `Serialize` impl reports, or a map key JSON cannot hold.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    // Sized like the thread's last value (a batch's lines are alike), so a
    // 16 KB line is not grown from nothing by eight copies.
    let guess = LAST_LEN.get().min(1 << 20);
    let mut ser = Serializer(String::with_capacity(guess + guess / 8 + 128));
    value.serialize(&mut ser)?;
    LAST_LEN.set(ser.0.len());
    Ok(ser.0)
}

thread_local! {
    static LAST_LEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Writes into its string.
struct Serializer(String);

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes in `w` is a control character, `"` or `\`,
/// the bytes JSON strings escape. Exact: no carry crosses a byte, since the
/// tests only subtract from bytes under 0x80.
#[inline]
fn needs_escape(w: u64) -> bool {
    let low7 = w & !HIGHS;
    let ascii = !w & HIGHS;
    // A byte under 0x80 is under 0x20, or equal to 0x22 or 0x5C, when its
    // low seven bits are; xor turns the equal tests into zero tests.
    let control = (low7 + (0x80 - 0x20) * ONES) & HIGHS;
    let quote = ((low7 ^ (0x22 * ONES)) + 0x7F * ONES) & HIGHS;
    let backslash = ((low7 ^ (0x5C * ONES)) + 0x7F * ONES) & HIGHS;
    (!(control & quote & backslash)) & ascii != 0
}

/// How serde_json escapes each byte: `\\` and this letter, `u` for `\\u00XX`,
/// 0 for none.
static ESCAPE: [u8; 256] = {
    let mut t = [0; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b'u';
        b += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0A] = b'n';
    t[0x0C] = b'f';
    t[0x0D] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// The index of the first byte of `bytes` that JSON escapes: eight bytes at a
/// time, then byte by byte.
#[inline]
fn first_escape(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut w = [0; 8];
        w.copy_from_slice(chunk);
        if needs_escape(u64::from_le_bytes(w)) {
            break;
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&b| ESCAPE[usize::from(b)] != 0)
        .map(|i| at + i)
}

impl Serializer {
    #[inline]
    fn push(&mut self, s: &str) {
        self.0.push_str(s);
    }

    /// `s` in quotes, escaped as serde_json escapes it.
    #[inline]
    fn string(&mut self, s: &str) {
        match first_escape(s.as_bytes()) {
            None => {
                self.0.reserve(s.len() + 2);
                self.0.push('"');
                self.0.push_str(s);
                self.0.push('"');
            }
            Some(at) => self.escaped(s, at),
        }
    }

    /// [`Serializer::string`] for an `s` whose first escaped byte is at `at`.
    #[cold]
    fn escaped(&mut self, s: &str, at: usize) {
        self.0.reserve(s.len() + 2);
        self.0.push('"');
        let mut rest = s;
        let mut next = Some(at);
        while let Some(at) = next {
            // Every escaped byte is ASCII, so both cuts are char boundaries.
            let (clean, tail) = rest.split_at(at);
            self.0.push_str(clean);
            let b = tail.as_bytes()[0];
            match ESCAPE[usize::from(b)] {
                b'u' => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    self.0.push_str("\\u00");
                    self.0.push(char::from(HEX[usize::from(b >> 4)]));
                    self.0.push(char::from(HEX[usize::from(b & 0xF)]));
                }
                e => {
                    self.0.push('\\');
                    self.0.push(char::from(e));
                }
            }
            rest = &tail[1..];
            next = first_escape(rest.as_bytes());
        }
        self.0.push_str(rest);
        self.0.push('"');
    }

    fn integer<I: itoa::Integer>(&mut self, v: I) {
        self.push(itoa::Buffer::new().format(v));
    }

    fn float<F: zmij::Float>(&mut self, v: F, finite: bool) {
        if finite {
            self.push(zmij::Buffer::new().format_finite(v));
        } else {
            self.push("null");
        }
    }
}

/// An array or object being written; `first` until its first element.
struct Compound<'a> {
    ser: &'a mut Serializer,
    first: bool,
}

impl Compound<'_> {
    /// The comma before every element but the first.
    #[inline]
    fn separate(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.ser.0.push(',');
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<()> {
        self.separate();
        self.ser.string(key);
        self.ser.0.push(':');
        value.serialize(&mut *self.ser)
    }
}

/// The ten integer methods of a `Serializer`, each running `$body` with the
/// serializer as `$ser` and the value as `$v`.
macro_rules! integers {
    (|$ser:ident, $v:ident| $body:expr) => {
        integers!(@each $ser $v $body;
            serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
            serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
            serialize_u64: u64, serialize_u128: u128);
    };
    (@each $ser:ident $v:ident $body:expr; $($f:ident: $t:ty),*) => {
        $(
            fn $f(self, $v: $t) -> Result<()> {
                let $ser = self;
                $body
            }
        )*
    };
}

impl<'a> ser::Serializer for &'a mut Serializer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.push(if v { "true" } else { "false" });
        Ok(())
    }
    integers!(|ser, v| {
        ser.integer(v);
        Ok(())
    });
    fn serialize_f32(self, v: f32) -> Result<()> {
        self.float(v, v.is_finite());
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        self.float(v, v.is_finite());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<()> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<()> {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        let mut seq = ser::Serializer::serialize_seq(self, Some(v.len()))?;
        for b in v {
            ser::SerializeSeq::serialize_element(&mut seq, b)?;
        }
        ser::SerializeSeq::end(seq)
    }
    fn serialize_none(self) -> Result<()> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        self.push("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _i: u32,
        variant: &'static str,
    ) -> Result<()> {
        self.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _i: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        self.push("{");
        self.string(variant);
        self.push(":");
        value.serialize(&mut *self)?;
        self.push("}");
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>> {
        self.push("[");
        Ok(Compound {
            ser: self,
            first: true,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _i: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>> {
        self.push("{");
        self.string(variant);
        self.push(":");
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>> {
        self.push("{");
        Ok(Compound {
            ser: self,
            first: true,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a>> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _i: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>> {
        self.push("{");
        self.string(variant);
        self.push(":");
        self.serialize_map(Some(len))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.separate();
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> Result<()> {
        self.ser.push("]");
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<()> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<()> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<()> {
        self.ser.push("]}");
        Ok(())
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.separate();
        key.serialize(MapKey(&mut *self.ser))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.ser.push(":");
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> Result<()> {
        self.ser.push("}");
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.field(key, value)
    }
    fn end(self) -> Result<()> {
        ser::SerializeMap::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.field(key, value)
    }
    fn end(self) -> Result<()> {
        self.ser.push("}}");
        Ok(())
    }
}

/// Writes a map key: JSON keys are strings, so numbers, bools and chars are
/// quoted, `Some` is its value, and anything else is refused (as serde_json
/// does).
struct MapKey<'a>(&'a mut Serializer);

fn key_error() -> Error {
    Error("key must be a string".into())
}

impl MapKey<'_> {
    fn quoted(self, s: &str) -> Result<()> {
        self.0.push("\"");
        self.0.push(s);
        self.0.push("\"");
        Ok(())
    }

    /// A float key, quoted; JSON has no spelling for NaN or infinity.
    fn float<F: zmij::Float>(self, v: F, finite: bool) -> Result<()> {
        if !finite {
            return Err(Error("float key must be finite (got NaN or +/-inf)".into()));
        }
        self.quoted(zmij::Buffer::new().format_finite(v))
    }
}

impl ser::Serializer for MapKey<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<()> {
        self.0.string(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<()> {
        self.0.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _i: u32,
        variant: &'static str,
    ) -> Result<()> {
        self.0.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_bool(self, v: bool) -> Result<()> {
        self.quoted(if v { "true" } else { "false" })
    }
    integers!(|key, v| key.quoted(itoa::Buffer::new().format(v)));
    fn serialize_f32(self, v: f32) -> Result<()> {
        self.float(v, v.is_finite())
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        self.float(v, v.is_finite())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<()> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<()> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        Err(key_error())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _i: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<()> {
        Err(key_error())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_error())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _i: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_error())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_error())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _i: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_error())
    }
}

#[cfg(test)]
mod tests {
    use super::to_string;
    use proptest::prelude::*;
    use serde::Serialize;
    use std::collections::BTreeMap;

    /// Both writers give the same bytes, or both refuse.
    fn same<T: Serialize + ?Sized>(v: &T) {
        match (to_string(v), serde_json::to_string(v)) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("compact {a:?}, serde_json {b:?}"),
        }
    }

    #[test]
    fn the_fixture_analysis_is_written_as_serde_json_writes_it() {
        same(&crate::render::fixture::analysis());
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(f32),
        Tuple(u8, Option<bool>),
        Struct { w: i128, h: u128, c: char },
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Wrapper(String);

    #[test]
    fn every_kind_of_value_matches_serde_json() {
        same(&[Shape::Unit, Shape::Newtype(0.1), Shape::Tuple(7, None)]);
        same(&Shape::Struct {
            w: i128::MIN,
            h: u128::MAX,
            c: '"',
        });
        same(&(
            Unit,
            (),
            Wrapper("x".into()),
            b"ab".as_slice(),
            Vec::<u8>::new(),
        ));
        same(&[f32::NAN, f32::INFINITY, -0.0, 1e-45, f32::MAX]);
        same(&[f64::NEG_INFINITY, 1e300, 5e-324, 0.1 + 0.2]);
        same(&serde_json::json!({"a": [1, -2, 3.5, null, true, {"b": "c"}], "": {}}));
        // Map keys: numbers, bools and chars are quoted; other keys are refused.
        same(&Keys(vec![1u8, 2]));
        same(&Keys(vec![-1i64, i64::MAX]));
        same(&Keys(vec![true]));
        same(&Keys(vec!['k', '\n']));
        same(&Keys(vec![Wrapper("w".into())]));
        same(&Keys(vec![1.5f64, 1e21]));
        same(&Keys(vec![0.25f32]));
        same(&Keys(vec![f64::NAN]));
        same(&Keys(vec![(1, 2)]));
        same(&Keys(vec![Some(1)]));
        same(&Keys(vec![vec![1]]));
        same(&Keys(vec![Shape::Unit]));
        same(&Keys(vec![Unit]));
    }

    /// A map from each key to 0.
    struct Keys<K>(Vec<K>);

    impl<K: Serialize> Serialize for Keys<K> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_map(self.0.iter().map(|k| (k, 0)))
        }
    }

    proptest! {
        #[test]
        fn strings_are_escaped_as_serde_json_escapes_them(s in any::<String>(), t in "[\\x00-\\x7f]{0,40}") {
            same(&s);
            same(&t);
            same(&BTreeMap::from([(s, t)]));
        }

        #[test]
        fn numbers_are_written_as_serde_json_writes_them(a: f32, b: f64, c: i64, d: u64) {
            same(&(a, b, c, d));
            same(&(f32::from_bits(c as u32), f64::from_bits(d)));
        }
    }
}
