//! `theme:` in the config: a base theme by name (`theme: light`), or a base with colors of
//! single elements replaced (`theme: { base: light, selected_bg: "#dde4ff" }`). Colors are
//! names, 256-color indexes or `#rrggbb`. Every value checks itself while it is read, so
//! an unknown name is an error with the file position and key path serde_yaml attaches,
//! and a near miss gets a "did you mean".

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// The themes a config can start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeBase {
    /// For a dark terminal background (the default).
    #[default]
    Dark,
    /// For a light terminal background: darker text colors, a pale selection bar.
    Light,
    /// Black background, white text, saturated colors; at least 7:1 contrast everywhere.
    HighContrast,
}

impl ThemeBase {
    /// Every base, with the name `theme:` takes.
    pub const ALL: [(ThemeBase, &'static str); 3] = [
        (ThemeBase::Dark, "dark"),
        (ThemeBase::Light, "light"),
        (ThemeBase::HighContrast, "high-contrast"),
    ];

    /// Reads a base name, suggesting the nearest one when it is not.
    pub fn parse(name: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(b, _)| *b)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|(_, n)| *n).collect();
                format!(
                    "unknown theme {name:?}{}; use one of {}",
                    did_you_mean(name, &names),
                    names.join(", ")
                )
            })
    }
}

impl<'de> Deserialize<'de> for ThemeBase {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Checked inside the visitor, so the error carries the value's own position.
        struct Check;
        impl Visitor<'_> for Check {
            type Value = ThemeBase;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a theme name: dark, light or high-contrast")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ThemeBase, E> {
                ThemeBase::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(Check)
    }
}

/// A color as the config writes it. Kept apart from the UI's own color type, so the config
/// does not depend on the screen library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorValue {
    /// The terminal's own foreground or background (`default`).
    Default,
    /// One of the 16 colors the terminal's palette defines: 0-7 normal, 8-15 bright.
    Named(u8),
    /// An entry of the 256-color palette.
    Indexed(u8),
    /// `#rrggbb`.
    Rgb(u8, u8, u8),
}

/// The names of the 16 palette colors, in palette order (`gray` is 7, `dark-gray` 8).
pub const COLOR_NAMES: [&str; 16] = [
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "dark-gray",
    "light-red",
    "light-green",
    "light-yellow",
    "light-blue",
    "light-magenta",
    "light-cyan",
    "white",
];

impl ColorValue {
    /// Reads `red`, `light-blue`, `default`, `245` or `#dde4ff`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if let Some(hex) = t.strip_prefix('#') {
            let ok = hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit());
            let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or(""), 16);
            return match (ok, byte(0), byte(2), byte(4)) {
                (true, Ok(r), Ok(g), Ok(b)) => Ok(ColorValue::Rgb(r, g, b)),
                _ => Err(format!(
                    "invalid color {text:?}: write #rrggbb with six hex digits"
                )),
            };
        }
        if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
            return t.parse::<u8>().map(ColorValue::Indexed).map_err(|_| {
                format!("invalid color {text:?}: a 256-color index is a number from 0 to 255")
            });
        }
        let key = t
            .to_ascii_lowercase()
            .replace(['_', ' '], "-")
            .replace("grey", "gray");
        if key == "default" || key == "reset" {
            return Ok(ColorValue::Default);
        }
        // `lightred` as well as `light-red`.
        let squashed = key.replace('-', "");
        if let Some(i) = COLOR_NAMES
            .iter()
            .position(|n| n.replace('-', "") == squashed)
        {
            return Ok(ColorValue::Named(u8::try_from(i).unwrap_or(0)));
        }
        let mut names: Vec<&str> = COLOR_NAMES.to_vec();
        names.push("default");
        Err(format!(
            "unknown color {text:?}{}; use a name ({}), a 256-color index 0-255 or \"#rrggbb\"",
            did_you_mean(&key, &names),
            names.join(", ")
        ))
    }
}

impl fmt::Display for ColorValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColorValue::Default => f.write_str("default"),
            ColorValue::Named(i) => {
                f.write_str(COLOR_NAMES.get(usize::from(*i)).copied().unwrap_or("?"))
            }
            ColorValue::Indexed(i) => write!(f, "{i}"),
            ColorValue::Rgb(r, g, b) => write!(f, "#{r:02x}{g:02x}{b:02x}"),
        }
    }
}

impl<'de> Deserialize<'de> for ColorValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Check;
        impl Visitor<'_> for Check {
            type Value = ColorValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a color: a name, a 256-color index or \"#rrggbb\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ColorValue, E> {
                ColorValue::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ColorValue, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ColorValue, E> {
                self.visit_str(&v.to_string())
            }
            // `selected_bg: #dde4ff` unquoted is a comment in YAML, which leaves no value.
            fn visit_unit<E: de::Error>(self) -> Result<ColorValue, E> {
                Err(E::custom(
                    "no color given; a `#` starts a comment in YAML, so quote it: \"#rrggbb\"",
                ))
            }
        }
        d.deserialize_any(Check)
    }
}

/// The parts of the screen a theme colors; each is a key of `theme:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Element {
    /// Plain text.
    Text,
    /// The screen's background.
    Background,
    /// Headers and titles.
    Title,
    /// Secondary text: backend, age, health, help names.
    Dim,
    /// The border of a pane without the focus.
    Border,
    /// The border of the focused pane, and of the overlays.
    FocusedBorder,
    /// Text of the selected row.
    SelectedFg,
    /// Background of the selected row.
    SelectedBg,
    /// Key names in the hints and the help.
    Key,
    /// Failures and the confirm box.
    Error,
    /// Notes: "paused", an operation in flight.
    Note,
    /// Markers the log pane adds (lines skipped, a stream that broke).
    Marker,
    /// The state `running`.
    Running,
    /// `stopped`, and `exited (0)`.
    Stopped,
    /// `exited` with a failure, or without a code.
    Exited,
    /// `paused`.
    Paused,
    /// `defined`: in the config, not started.
    Defined,
    /// `unknown`.
    Unknown,
    /// Text of a search or filter match in the log pane.
    MatchFg,
    /// Background of a search match.
    MatchBg,
    /// Background of the search match `n` / `N` is on.
    CurrentMatchBg,
    /// Background of a filter's match on a line it kept.
    FilterMatchBg,
}

impl Element {
    /// Every element with its key in `theme:`.
    pub const ALL: [(Element, &'static str); 22] = [
        (Element::Text, "text"),
        (Element::Background, "background"),
        (Element::Title, "title"),
        (Element::Dim, "dim"),
        (Element::Border, "border"),
        (Element::FocusedBorder, "focused_border"),
        (Element::SelectedFg, "selected_fg"),
        (Element::SelectedBg, "selected_bg"),
        (Element::Key, "key"),
        (Element::Error, "error"),
        (Element::Note, "note"),
        (Element::Marker, "marker"),
        (Element::Running, "running"),
        (Element::Stopped, "stopped"),
        (Element::Exited, "exited"),
        (Element::Paused, "paused"),
        (Element::Defined, "defined"),
        (Element::Unknown, "unknown"),
        (Element::MatchFg, "match_fg"),
        (Element::MatchBg, "match_bg"),
        (Element::CurrentMatchBg, "current_match_bg"),
        (Element::FilterMatchBg, "filter_match_bg"),
    ];

    /// The key of `theme:` that names this element.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(e, _)| *e == self)
            .map_or("", |(_, n)| *n)
    }
}

/// The validated `theme:`: a base and the colors that replace the base's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThemeConfig {
    /// The theme started from.
    pub base: ThemeBase,
    /// Elements whose color the config sets.
    pub colors: BTreeMap<Element, ColorValue>,
}

impl<'de> Deserialize<'de> for ThemeConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Theme;
        impl<'de> Visitor<'de> for Theme {
            type Value = ThemeConfig;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a theme name (dark, light, high-contrast) or a mapping")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ThemeConfig, E> {
                Ok(ThemeConfig {
                    base: ThemeBase::parse(v).map_err(E::custom)?,
                    colors: BTreeMap::new(),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ThemeConfig, A::Error> {
                let mut out = ThemeConfig::default();
                let mut seen = Vec::new();
                while let Some(key) = map.next_key_seed(NewKey(&seen))? {
                    seen.push(key);
                    match key {
                        Key::Base => out.base = map.next_value()?,
                        Key::Element(e) => {
                            out.colors.insert(e, map.next_value()?);
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_any(Theme)
    }
}

/// A key of the `theme:` mapping: `base`, or an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Base,
    Element(Element),
}

impl Key {
    fn name(self) -> &'static str {
        match self {
            Key::Base => "base",
            Key::Element(e) => e.name(),
        }
    }
}

/// A key of `theme:` not given before. Checked while the key is read, so the error points
/// at the key itself (and at the second one of a pair).
struct NewKey<'a>(&'a [Key]);

impl<'de> DeserializeSeed<'de> for NewKey<'_> {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for NewKey<'_> {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`base` or an element of the screen")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        let key = if v == "base" {
            Key::Base
        } else if let Some((e, _)) = Element::ALL.iter().find(|(_, n)| *n == v) {
            Key::Element(*e)
        } else {
            let mut names: Vec<&str> = vec!["base"];
            names.extend(Element::ALL.iter().map(|(_, n)| *n));
            return Err(E::custom(format!(
                "unknown theme element `{v}`{}; the elements are {}",
                did_you_mean(v, &names),
                names.join(", ")
            )));
        };
        if self.0.contains(&key) {
            return Err(E::custom(format!("`{}` is given twice", key.name())));
        }
        Ok(key)
    }
}

/// ` (did you mean `x`?)` for the candidate nearest to `word`, when one is near.
fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map_or_else(String::new, |(_, c)| format!(" (did you mean `{c}`?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors_are_names_indexes_or_hex() {
        assert_eq!(ColorValue::parse("red"), Ok(ColorValue::Named(1)));
        assert_eq!(ColorValue::parse("Light-Blue"), Ok(ColorValue::Named(12)));
        assert_eq!(ColorValue::parse("lightblue"), Ok(ColorValue::Named(12)));
        assert_eq!(ColorValue::parse("dark_grey"), Ok(ColorValue::Named(8)));
        assert_eq!(ColorValue::parse("default"), Ok(ColorValue::Default));
        assert_eq!(ColorValue::parse("245"), Ok(ColorValue::Indexed(245)));
        assert_eq!(
            ColorValue::parse("#DDE4ff"),
            Ok(ColorValue::Rgb(0xdd, 0xe4, 0xff))
        );
        let e = ColorValue::parse("redd").unwrap_err();
        assert!(e.contains("did you mean `red`"), "{e}");
        assert!(ColorValue::parse("256").unwrap_err().contains("0 to 255"));
        assert!(ColorValue::parse("#abc").unwrap_err().contains("six hex"));
        assert!(ColorValue::parse("#gggggg").is_err());
        assert!(ColorValue::parse("").is_err());
        for (i, name) in COLOR_NAMES.iter().enumerate() {
            let c = ColorValue::parse(name).unwrap();
            assert_eq!(c, ColorValue::Named(u8::try_from(i).unwrap()));
            assert_eq!(c.to_string(), *name);
        }
    }

    #[test]
    fn bases_by_name() {
        assert_eq!(ThemeBase::parse("light"), Ok(ThemeBase::Light));
        assert_eq!(
            ThemeBase::parse("high-contrast"),
            Ok(ThemeBase::HighContrast)
        );
        let e = ThemeBase::parse("ligth").unwrap_err();
        assert!(e.contains("did you mean `light`"), "{e}");
    }
}
