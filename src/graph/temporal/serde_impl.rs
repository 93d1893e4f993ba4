//! serde for the temporal types: each serialises as its ISO 8601 text (as it prints) and
//! deserialises from that text or from the tagged form of the adapter encoding
//! (`{"~date":"2022-11-05"}`), so that a type read from a row or from JSON written by
//! `Value` reads either.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};

/// The text form and the tag of a temporal type.
trait Tagged: FromStr + fmt::Display {
    const TAG: &'static str;
    const NAME: &'static str;
}

struct TemporalVisitor<T>(PhantomData<T>);

impl<'de, T: Tagged> Visitor<'de> for TemporalVisitor<T>
where
    T::Err: fmt::Display,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} as ISO 8601 text or {{\"{}\": text}}", T::NAME, T::TAG)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::custom(format!(
                "expected {{\"{}\": text}}, found {{}}",
                T::TAG
            )));
        };
        if key != T::TAG {
            return Err(de::Error::custom(format!(
                "expected the tag \"{}\", found \"{key}\"",
                T::TAG
            )));
        }
        let text: String = map.next_value()?;
        if map.next_key::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(
                "a tagged value must be the only key of its object",
            ));
        }
        text.parse().map_err(de::Error::custom)
    }
}

macro_rules! temporal_serde {
    ($($t:ty => $tag:literal, $name:literal;)*) => {$(
        impl Tagged for $t {
            const TAG: &'static str = $tag;
            const NAME: &'static str = $name;
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                d.deserialize_any(TemporalVisitor::<$t>(PhantomData))
            }
        }
    )*};
}

temporal_serde! {
    Date => "~date", "date";
    LocalTime => "~localtime", "local time";
    Time => "~time", "time";
    LocalDateTime => "~localdatetime", "local date-time";
    DateTime => "~datetime", "date-time";
    Duration => "~duration", "duration";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_out_text_or_tag_in() -> Result<(), Box<dyn std::error::Error>> {
        let d = Date::from_ymd(2022, 11, 5)?;
        assert_eq!(serde_json::to_string(&d)?, r#""2022-11-05""#);
        assert_eq!(serde_json::from_str::<Date>(r#""2022-11-05""#)?, d);
        assert_eq!(serde_json::from_str::<Date>(r#"{"~date":"2022-11-05"}"#)?, d);
        assert!(serde_json::from_str::<Date>(r#"{"~time":"2022-11-05"}"#).is_err());
        assert!(serde_json::from_str::<Date>(r#"{"~date":"2022-11-05","x":1}"#).is_err());
        assert!(serde_json::from_str::<Date>(r#""2022-02-30""#).is_err());
        let zoned = "2017-08-08T12:31:14.645876123+02:00[Europe/Stockholm]";
        let dt: DateTime = zoned.parse()?;
        assert_eq!(serde_json::to_string(&dt)?, format!("\"{zoned}\""));
        assert_eq!(serde_json::from_str::<DateTime>(&format!("\"{zoned}\""))?, dt);
        for text in ["P1Y2M10DT12H45M30.25S", "PT0S"] {
            let v: Duration = text.parse()?;
            assert_eq!(serde_json::from_value::<Duration>(serde_json::to_value(v)?)?, v);
        }
        let t: Time = "12:31:14.645+01:00".parse()?;
        assert_eq!(
            serde_json::from_str::<Time>(r#"{"~time":"12:31:14.645+01:00"}"#)?,
            t
        );
        let lt: LocalTime = "12:31:14.645876123".parse()?;
        assert_eq!(
            serde_json::from_value::<LocalTime>(serde_json::to_value(lt)?)?,
            lt
        );
        let ldt: LocalDateTime = "2015-07-21T21:40:32.142".parse()?;
        assert_eq!(
            serde_json::from_value::<LocalDateTime>(serde_json::to_value(ldt)?)?,
            ldt
        );
        Ok(())
    }
}
