//! A serde `Deserializer` over a result's cell, for [`QueryResult::deserialize`]: it hands
//! each value to the target type in the form that type asks for.
//!
//! - A type that reads any form (`deserialize_any`: `kgraph::Value`, `serde_json::Value`,
//!   `kgraph::Date`, `kgraph::Node`) gets the adapter encoding: a temporal value as
//!   `{"~date":"2022-11-05"}`, a node as `{"~node":{"id":..,"labels":..,"properties":..}}`.
//! - A type that asks for a string (`String`, `chrono::NaiveDate`, `jiff::civil::Date`, any
//!   type whose `Deserialize` reads text) gets a temporal value's ISO 8601 text.
//!
//! [`QueryResult::deserialize`]: crate::QueryResult::deserialize

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;

use super::record::Records;
use crate::graph::Value;

type Error = serde_json::Error;

/// Deserialises one value of a result.
pub(crate) struct CellDe<'a> {
    pub(crate) value: &'a Value,
    pub(crate) records: &'a Records,
}

impl CellDe<'_> {
    /// A temporal value's ISO text, if it is one.
    fn temporal_text(&self) -> Option<(&'static str, String)> {
        Some(match self.value {
            Value::Date(d) => ("~date", d.to_string()),
            Value::LocalTime(t) => ("~localtime", t.to_string()),
            Value::Time(t) => ("~time", t.to_string()),
            Value::LocalDateTime(t) => ("~localdatetime", t.to_string()),
            Value::DateTime(t) => ("~datetime", t.to_string()),
            Value::Duration(d) => ("~duration", d.to_string()),
            _ => return None,
        })
    }
}

impl<'de> de::Deserializer<'de> for CellDe<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Some((tag, text)) = self.temporal_text() {
            return visitor.visit_map(OneEntry {
                key: Some(tag),
                value: Some(text.into_deserializer()),
            });
        }
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Float(x) if x.is_finite() => visitor.visit_f64(*x),
            // Non-finite floats as the encoding's tag, which `Value` reads back.
            Value::Float(x) => {
                let mut text = String::new();
                crate::graph::value::write_float(&mut text, *x).map_err(de::Error::custom)?;
                visitor.visit_map(OneEntry {
                    key: Some("~float"),
                    value: Some(text.into_deserializer()),
                })
            }
            Value::String(s) => visitor.visit_str(s),
            Value::List(items) => visitor.visit_seq(Items {
                items: items.iter(),
                records: self.records,
            }),
            Value::Map(m) => visitor.visit_map(Entries {
                entries: m.iter(),
                value: None,
                records: self.records,
            }),
            // Nodes, relationships and paths: their adapter encoding, records filled in.
            _ => {
                let json = serde_json::to_value(super::row::Cell::new(self.value, self.records))?;
                de::Deserializer::deserialize_any(json, visitor)
            }
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.temporal_text() {
            Some((_, text)) => visitor.visit_string(text),
            None => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // A unit variant from a string; anything else as JSON would give it.
        match self.value {
            Value::String(s) => visitor.visit_enum(s.to_string().into_deserializer()),
            _ => {
                let json = serde_json::to_value(super::row::Cell::new(self.value, self.records))?;
                de::Deserializer::deserialize_enum(json, name, variants, visitor)
            }
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// `{key: value}`.
struct OneEntry<D> {
    key: Option<&'static str>,
    value: Option<D>,
}

impl<'de, D: de::Deserializer<'de, Error = Error>> MapAccess<'de> for OneEntry<D> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        match self.key.take() {
            Some(k) => seed.deserialize(k.into_deserializer()).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        match self.value.take() {
            Some(v) => seed.deserialize(v),
            None => Err(de::Error::custom("value asked for twice")),
        }
    }
}

struct Items<'a> {
    items: std::slice::Iter<'a, Value>,
    records: &'a Records,
}

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            Some(v) => seed
                .deserialize(CellDe {
                    value: v,
                    records: self.records,
                })
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of a map, or of a row (column name to cell).
pub(crate) struct Entries<'a, I> {
    pub(crate) entries: I,
    pub(crate) value: Option<&'a Value>,
    pub(crate) records: &'a Records,
}

impl<'de, 'a, K: AsRef<str> + 'a, I: Iterator<Item = (K, &'a Value)>> MapAccess<'de> for Entries<'a, I> {
    type Error = Error;

    fn next_key_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, Error> {
        match self.entries.next() {
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(k.as_ref().into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        match self.value.take() {
            Some(v) => seed.deserialize(CellDe {
                value: v,
                records: self.records,
            }),
            None => Err(de::Error::custom("value asked for before its key")),
        }
    }
}
