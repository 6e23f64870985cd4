//! The documents the loader parsed (`JSON.parse`), as [`dataset::read::Json`] values: the
//! widgets read them into the canonical types with [`dataset::read::FromJson`], without serde's
//! generic visitors, which came to a third of the package.

use std::cell::RefCell;

use dataset::read::Json;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// The names of members asked for, as JavaScript strings, by their text's address and length
    /// (they are `'static`, so these say which text it is). The readers ask for a few dozen
    /// names, a few times per observation: a string made once each instead of at every lookup
    /// is most of the time a long series takes.
    static NAMES: RefCell<Vec<((usize, usize), JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// The member `name` of `object`.
#[inline(never)]
fn get(object: &JsValue, name: &'static str) -> Option<JsValue> {
    NAMES.with(|names| {
        let key = (name.as_ptr() as usize, name.len());
        let Ok(mut names) = names.try_borrow_mut() else {
            return Reflect::get(object, &JsValue::from_str(name)).ok();
        };
        let index = names
            .iter()
            .position(|(at, _)| *at == key)
            .unwrap_or_else(|| {
                names.push((key, JsValue::from_str(name)));
                names.len() - 1
            });
        Reflect::get(object, &names[index].1).ok()
    })
}

/// A value `JSON.parse` made.
pub(crate) struct Parsed(pub(crate) JsValue);

impl Json for Parsed {
    fn member(&self, name: &'static str) -> Option<Parsed> {
        if !self.0.is_object() {
            return None;
        }
        get(&self.0, name)
            .filter(|value| !value.is_undefined())
            .map(Parsed)
    }

    fn is_null(&self) -> bool {
        self.0.is_null()
    }

    fn string(&self) -> Option<String> {
        self.0.as_string()
    }

    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }

    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }

    fn array_length(&self) -> Option<usize> {
        Array::is_array(&self.0).then(|| self.0.unchecked_ref::<Array>().length() as usize)
    }

    fn element(&self, index: usize) -> Parsed {
        Parsed(self.0.unchecked_ref::<Array>().get(index as u32))
    }

    fn members(&self) -> Option<Vec<(String, Parsed)>> {
        if !self.0.is_object() || Array::is_array(&self.0) {
            return None;
        }
        let names = Object::keys(self.0.unchecked_ref::<Object>());
        Some(
            (0..names.length())
                .filter_map(|i| {
                    let name = names.get(i);
                    let value = Reflect::get(&self.0, &name).ok()?;
                    Some((name.as_string()?, Parsed(value)))
                })
                .collect(),
        )
    }
}
