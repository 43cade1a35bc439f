//! Nested fields: `Option<T>` (nullable), `Vec<T>` (list), `HashMap<K, V>` and `BTreeMap<K, V>`
//! (map), and the generic builder and view of derived structs.

use super::error::ConvertError;
use super::field::{ArrowField, TypeKind, downcast_failed, out_of_bounds};
use super::support::{RecordImpl, check_no_null_items};
use arrow::array::NullBufferBuilder;
use arrow::array::{
    Array, ArrayBuilder, ArrayRef, AsArray, ListBuilder, MapBuilder, MapFieldNames, StructArray,
};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{DataType, Field, FieldRef, Fields};
use fugue_core::ConstType;
use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::Arc;

impl<T: ArrowField> ArrowField for Option<T> {
    const TYPE: ConstType = T::TYPE;
    const NULLABLE: bool = true;
    const KIND: TypeKind = T::KIND;
    const RUST_NAME: &'static str = T::RUST_NAME;
    type Builder = T::Builder;
    type Column<'a> = (T::Column<'a>, Option<&'a NullBuffer>);

    fn data_type() -> DataType {
        T::data_type()
    }
    fn new_builder(data_type: &DataType, capacity: usize) -> Self::Builder {
        T::new_builder(data_type, capacity)
    }
    #[inline]
    fn append(builder: &mut Self::Builder, value: &Self) -> Result<(), ConvertError> {
        match value {
            Some(v) => T::append(builder, v),
            None => {
                T::append_null(builder);
                Ok(())
            }
        }
    }
    fn append_null(builder: &mut Self::Builder) {
        T::append_null(builder);
    }
    fn view(array: &ArrayRef) -> Result<Self::Column<'_>, ConvertError> {
        Ok((
            T::view(array)?,
            array.nulls().filter(|n| n.null_count() > 0),
        ))
    }
    #[inline]
    fn get(column: &Self::Column<'_>, index: usize) -> Result<Self, ConvertError> {
        match column.1 {
            Some(nulls) if index >= nulls.len() => Err(out_of_bounds(index)),
            Some(nulls) if nulls.is_null(index) => Ok(None),
            _ => T::get(&column.0, index).map(Some),
        }
    }
    fn is_null_value(&self) -> bool {
        self.is_none()
    }
}

/// The canonical list item field of an element type.
fn item_field(data_type: DataType) -> FieldRef {
    Arc::new(Field::new("item", data_type, true))
}

/// A view of a list column: its offsets and a view of its values.
pub struct ListColumn<'a, T: ArrowField> {
    offsets: &'a [i32],
    values: T::Column<'a>,
}

/// The `start..end` range of entry `index` in `offsets`.
#[inline]
fn entry_range(offsets: &[i32], index: usize) -> Result<std::ops::Range<usize>, ConvertError> {
    match (offsets.get(index), offsets.get(index + 1)) {
        (Some(&s), Some(&e)) if 0 <= s && s <= e => Ok(s as usize..e as usize),
        _ => Err(out_of_bounds(index)),
    }
}

impl<T: ArrowField> ArrowField for Vec<T> {
    const TYPE: ConstType = ConstType::List(&T::TYPE);
    const NULLABLE: bool = false;
    const KIND: TypeKind = TypeKind::List(&T::KIND);
    const RUST_NAME: &'static str = "Vec";
    type Builder = ListBuilder<T::Builder>;
    type Column<'a> = ListColumn<'a, T>;

    fn data_type() -> DataType {
        DataType::List(item_field(T::data_type()))
    }
    fn new_builder(data_type: &DataType, capacity: usize) -> Self::Builder {
        let item = match data_type {
            DataType::List(f) => f.clone(),
            _ => item_field(T::data_type()),
        };
        ListBuilder::with_capacity(T::new_builder(item.data_type(), capacity), capacity)
            .with_field(item)
    }
    #[inline]
    fn append(builder: &mut Self::Builder, value: &Self) -> Result<(), ConvertError> {
        let values = builder.values();
        for v in value {
            T::append(values, v).map_err(|e| e.at("item"))?;
        }
        builder.append(true);
        Ok(())
    }
    fn append_null(builder: &mut Self::Builder) {
        builder.append_null();
    }
    fn view(array: &ArrayRef) -> Result<Self::Column<'_>, ConvertError> {
        let list = array
            .as_list_opt::<i32>()
            .ok_or_else(|| downcast_failed(&Self::data_type(), array))?;
        let values = list.values();
        if !T::NULLABLE {
            check_no_null_items(list.value_offsets(), list.nulls(), values, T::RUST_NAME)
                .map_err(|e| e.at("item"))?;
        }
        Ok(ListColumn {
            offsets: list.value_offsets(),
            values: T::view(values).map_err(|e| e.at("item"))?,
        })
    }
    #[inline]
    fn get(column: &Self::Column<'_>, index: usize) -> Result<Self, ConvertError> {
        entry_range(column.offsets, index)?
            .map(|j| T::get(&column.values, j).map_err(|e| e.at("item")))
            .collect()
    }
}

/// A view of a map column: its offsets and views of its keys and values.
pub struct MapColumn<'a, K: ArrowField, V: ArrowField> {
    offsets: &'a [i32],
    keys: K::Column<'a>,
    values: V::Column<'a>,
}

/// The canonical map type: `entries` struct of a non-null `key` and a nullable `value`.
fn map_type(key: DataType, value: DataType) -> DataType {
    let entries = Fields::from(vec![
        Field::new("key", key, false),
        Field::new("value", value, true),
    ]);
    DataType::Map(
        Arc::new(Field::new("entries", DataType::Struct(entries), false)),
        false,
    )
}

fn new_map_builder<K: ArrowField, V: ArrowField>(
    data_type: &DataType,
    capacity: usize,
) -> MapBuilder<K::Builder, V::Builder> {
    let default;
    let data_type = match data_type {
        DataType::Map(_, _) => data_type,
        _ => {
            default = map_type(K::data_type(), V::data_type());
            &default
        }
    };
    let (entry, key, value) = match data_type {
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => (
                entries.name().clone(),
                (kv[0].name().clone(), kv[0].data_type().clone()),
                (kv[1].name().clone(), kv[1].data_type().clone()),
            ),
            _ => (
                entries.name().clone(),
                ("key".to_owned(), K::data_type()),
                ("value".to_owned(), V::data_type()),
            ),
        },
        _ => (
            "entries".to_owned(),
            ("key".to_owned(), K::data_type()),
            ("value".to_owned(), V::data_type()),
        ),
    };
    let names = MapFieldNames {
        entry,
        key: key.0,
        value: value.0,
    };
    MapBuilder::with_capacity(
        Some(names),
        K::new_builder(&key.1, capacity),
        V::new_builder(&value.1, capacity),
        capacity,
    )
}

fn map_view<K: ArrowField, V: ArrowField>(
    array: &ArrayRef,
    expected: DataType,
) -> Result<MapColumn<'_, K, V>, ConvertError> {
    let map = array
        .as_map_opt()
        .ok_or_else(|| downcast_failed(&expected, array))?;
    let entries = map.entries().columns();
    let (Some(keys), Some(values)) = (entries.first(), entries.get(1)) else {
        return Err(downcast_failed(&expected, array));
    };
    if !V::NULLABLE {
        check_no_null_items(map.value_offsets(), map.nulls(), values, V::RUST_NAME)
            .map_err(|e| e.at("value"))?;
    }
    Ok(MapColumn {
        offsets: map.value_offsets(),
        keys: K::view(keys).map_err(|e| e.at("key"))?,
        values: V::view(values).map_err(|e| e.at("value"))?,
    })
}

fn append_map<'v, K: ArrowField + 'v, V: ArrowField + 'v>(
    builder: &mut MapBuilder<K::Builder, V::Builder>,
    entries: impl Iterator<Item = (&'v K, &'v V)>,
) -> Result<(), ConvertError> {
    for (k, v) in entries {
        if k.is_null_value() {
            return Err(
                ConvertError::value("NULL", "a map key", "map keys cannot be NULL").at("key"),
            );
        }
        K::append(builder.keys(), k).map_err(|e| e.at("key"))?;
        V::append(builder.values(), v).map_err(|e| e.at("value"))?;
    }
    builder.append(true).map_err(ConvertError::arrow)
}

macro_rules! map_field {
    ($map:ident, $($bound:path),+) => {
        impl<K: ArrowField $(+ $bound)+, V: ArrowField> ArrowField for $map<K, V> {
            const TYPE: ConstType = ConstType::Map(&K::TYPE, &V::TYPE);
            const NULLABLE: bool = false;
            const KIND: TypeKind = TypeKind::Map(&K::KIND, &V::KIND);
            const RUST_NAME: &'static str = stringify!($map);
            type Builder = MapBuilder<K::Builder, V::Builder>;
            type Column<'a> = MapColumn<'a, K, V>;

            fn data_type() -> DataType {
                map_type(K::data_type(), V::data_type())
            }
            fn new_builder(data_type: &DataType, capacity: usize) -> Self::Builder {
                new_map_builder::<K, V>(data_type, capacity)
            }
            #[inline]
            fn append(builder: &mut Self::Builder, value: &Self) -> Result<(), ConvertError> {
                append_map(builder, value.iter())
            }
            fn append_null(builder: &mut Self::Builder) {
                // Appending a NULL entry only fails when keys and values differ in length,
                // which `append_map` never leaves behind.
                let _ = builder.append(false);
            }
            fn view(array: &ArrayRef) -> Result<Self::Column<'_>, ConvertError> {
                map_view::<K, V>(array, Self::data_type())
            }
            #[inline]
            fn get(column: &Self::Column<'_>, index: usize) -> Result<Self, ConvertError> {
                entry_range(column.offsets, index)?
                    .map(|j| {
                        let k = K::get(&column.keys, j).map_err(|e| e.at("key"))?;
                        let v = V::get(&column.values, j).map_err(|e| e.at("value"))?;
                        Ok((k, v))
                    })
                    .collect()
            }
        }
    };
}

map_field!(HashMap, Eq, Hash);
map_field!(BTreeMap, Ord);

/// The Arrow builder of a column of derived structs `T` (a struct array), so that nested
/// structs are built through static types like every other field.
pub struct StructFieldBuilder<T: RecordImpl> {
    fields: Fields,
    children: T::Builders,
    nulls: NullBufferBuilder,
    _record: PhantomData<fn() -> T>,
}

impl<T: RecordImpl> StructFieldBuilder<T> {
    /// A builder for `data_type` (a struct type; anything else means `T`'s own fields).
    pub fn new(data_type: &DataType, capacity: usize) -> Self {
        let fields = match data_type {
            DataType::Struct(fields) => fields.clone(),
            _ => T::arrow_fields().cloned().unwrap_or_default(),
        };
        StructFieldBuilder {
            children: T::new_builders(&fields, capacity),
            fields,
            nulls: NullBufferBuilder::new(capacity),
            _record: PhantomData,
        }
    }

    /// Append one struct.
    #[inline]
    pub fn append(&mut self, value: &T) -> Result<(), ConvertError> {
        T::append(&mut self.children, value)?;
        self.nulls.append_non_null();
        Ok(())
    }

    /// Append a NULL struct (its children get masked placeholders).
    pub fn append_null(&mut self) {
        T::append_placeholder(&mut self.children);
        self.nulls.append_null();
    }

    fn build(&self, columns: Vec<ArrayRef>, nulls: Option<NullBuffer>) -> ArrayRef {
        Arc::new(StructArray::new(self.fields.clone(), columns, nulls))
    }
}

impl<T: RecordImpl> ArrayBuilder for StructFieldBuilder<T> {
    fn len(&self) -> usize {
        self.nulls.len()
    }
    fn finish(&mut self) -> ArrayRef {
        let columns = T::finish(&mut self.children);
        let nulls = self.nulls.finish();
        self.build(columns, nulls)
    }
    fn finish_cloned(&self) -> ArrayRef {
        self.build(T::finish_cloned(&self.children), self.nulls.finish_cloned())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn into_box_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// A view of a column of derived structs `T`.
pub struct StructColumn<'a, T: RecordImpl> {
    view: T::View<'a>,
}

impl<'a, T: RecordImpl> StructColumn<'a, T> {
    /// View a struct array (its type was checked by the caller).
    pub fn new(array: &'a ArrayRef) -> Result<Self, ConvertError> {
        let Some(s) = array.as_struct_opt() else {
            let expected = T::arrow_fields().cloned().unwrap_or_default();
            return Err(downcast_failed(&DataType::Struct(expected), array));
        };
        let source = |name: &str| s.column_by_name(name);
        let view = T::view(s.fields(), &source, s.nulls())?;
        Ok(StructColumn { view })
    }

    /// The struct at `index`.
    #[inline]
    pub fn get(&self, index: usize) -> Result<T, ConvertError> {
        T::get(&self.view, index)
    }
}
