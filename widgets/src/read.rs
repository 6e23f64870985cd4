//! The documents the loader parsed (`JSON.parse`), as [`dataset::read::Json`] values: the
//! widgets read them into the canonical types with [`dataset::read::FromJson`], without serde's
//! generic visitors, which came to a third of the package.

use std::cell::RefCell;

use dataset::read::Json;
use js_sys::{Array, Float64Array, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The names of members asked for, as JavaScript strings, by their text's address and length
/// (they are `'static`, so these say which text it is). The readers ask for a few dozen names, a
/// few times per observation: a string made once each instead of at every lookup is most of the
/// time a long series takes.
struct Names {
    names: Vec<((usize, usize), JsValue)>,
    /// Where the name asked for next is looked for first: after the last one. Objects of one
    /// type are read member by member in the same order each time, which is the order their
    /// names were first asked for, so that is most often where it is.
    next: usize,
}

thread_local! {
    static NAMES: RefCell<Names> = const {
        RefCell::new(Names {
            names: Vec::new(),
            next: 0,
        })
    };
}

/// The member `name` of `object`.
#[inline(never)]
fn get(object: &JsValue, name: &'static str) -> Option<JsValue> {
    // Without the cache, the name made for this lookup alone, while it is in use further up the
    // stack (or gone, as the thread ends): `try_with` rather than `with`, whose failure message
    // takes more code than this.
    let cached = NAMES.try_with(|names| {
        let key = (name.as_ptr() as usize, name.len());
        let mut names = names.try_borrow_mut().ok()?;
        let Names { names, next } = &mut *names;
        let index = match names.get(*next) {
            Some((at, _)) if *at == key => *next,
            _ => names
                .iter()
                .position(|(at, _)| *at == key)
                .unwrap_or_else(|| {
                    names.push((key, JsValue::from_str(name)));
                    names.len() - 1
                }),
        };
        *next = index + 1;
        Some(Reflect::get(object, &names.get(index)?.1).ok())
    });
    match cached {
        Ok(Some(value)) => value,
        _ => Reflect::get(object, &JsValue::from_str(name)).ok(),
    }
}

#[wasm_bindgen]
extern "C" {
    /// Copies `from` into `into`, which has its length: `Float64Array.prototype.set` on a view
    /// of `into`. (`Float64Array::to_vec` does the same behind a check of the lengths, whose
    /// message takes more code than the copy.)
    #[wasm_bindgen(js_namespace = Float64Array, js_name = "prototype.set.call")]
    fn copy_numbers(into: &mut [f64], from: &Float64Array);
}

/// A value `JSON.parse` made.
pub(crate) struct Parsed(pub(crate) JsValue);

impl Json for Parsed {
    /// The widgets show neither where a computed measure's values came from nor a target's
    /// earlier values.
    const LINEAGE: bool = false;

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

    /// The loader hands the long columns of schema 2 over packed (`pack` in
    /// `pkg/src/civicmetrics.js`): numbers as a `Float64Array`, copied into memory here in one
    /// go; any other array element by element.
    fn numbers(&self) -> Option<Vec<f64>> {
        match self.0.dyn_ref::<Float64Array>() {
            Some(typed) => {
                let mut numbers = vec![0.0; typed.length() as usize];
                copy_numbers(&mut numbers, typed);
                Some(numbers)
            }
            None => dataset::read::numbers_of(self),
        }
    }

    /// Strings packed by the loader come as one string of lines, copied in one go and split
    /// here; any other array element by element.
    fn strings(&self) -> Option<Vec<String>> {
        match self.0.as_string() {
            Some(lines) => {
                // Line by line with `split_once`, which the readers use too: a loop over `split`
                // would bring its own searcher.
                let mut strings = Vec::new();
                let mut rest = lines.as_str();
                while let Some((line, after)) = rest.split_once('\n') {
                    strings.push(line.to_owned());
                    rest = after;
                }
                strings.push(rest.to_owned());
                Some(strings)
            }
            None => dataset::read::strings_of(self),
        }
    }

    fn members(&self) -> Option<Vec<(String, Parsed)>> {
        if !self.0.is_object() || Array::is_array(&self.0) {
            return None;
        }
        let names = Object::keys(self.0.unchecked_ref::<Object>());
        let mut members = Vec::new();
        for i in 0..names.length() {
            let name = names.get(i);
            if let (Ok(value), Some(text)) = (Reflect::get(&self.0, &name), name.as_string()) {
                members.push((text, Parsed(value)));
            }
        }
        Some(members)
    }
}
