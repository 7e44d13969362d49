// fields — N-API marshalling from one table of fields per struct. The same table reads a JS object
// into the struct (every field required, unknown fields rejected, enum strings checked) and lists
// the keys that the TypeScript contract (src/harness/addon.ts) is tested against. An output table
// writes a struct into a JS object the same way.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ringbench {

// The JS spellings of a C++ enum, specialised next to each table.
template <class E>
struct EnumNames;

template <class E>
using NameList = std::vector<std::pair<const char*, E>>;

namespace fields {

inline std::string quote(const Napi::Value& v) {
  return "'" + v.ToString().Utf8Value() + "'";
}

template <class T>
T convert(const Napi::Value& v, const std::string& where) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.IsBoolean()) throw Napi::TypeError::New(v.Env(), where + " must be a boolean; got " + quote(v));
    return v.As<Napi::Boolean>().Value();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.IsString()) throw Napi::TypeError::New(v.Env(), where + " must be a string; got " + quote(v));
    return v.As<Napi::String>().Utf8Value();
  } else if constexpr (std::is_enum_v<T>) {
    std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
    std::string valid;
    for (const auto& [name, value] : EnumNames<T>::list()) {
      if (v.IsString() && s == name) return value;
      valid += (valid.empty() ? "" : ", ") + std::string(name);
    }
    throw Napi::TypeError::New(v.Env(), where + " must be one of " + valid + "; got " + quote(v));
  } else {
    static_assert(std::is_integral_v<T>, "a field is a bool, a string, an enum or an integer");
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
    // 2^53: the largest integer a JS number holds exactly
    const double hi = std::min(double(std::numeric_limits<T>::max()), 9007199254740992.0);
    const double lo = double(std::numeric_limits<T>::min());
    if (!(d == std::floor(d) && d >= lo && d <= hi))
      throw Napi::TypeError::New(v.Env(), where + " must be an integer in " + std::to_string(int64_t(lo)) + ".." +
                                              std::to_string(uint64_t(hi)) + "; got " + quote(v));
    return T(d);
  }
}

}  // namespace fields

template <class S>
struct Field {
  std::string name;
  std::function<void(S&, const Napi::Value&, const std::string& where)> read;
};

template <class S>
using Fields = std::vector<Field<S>>;

// A field that sets `S` through `set(S&, T)`: for nested members, derived units, or one key that
// feeds two members.
template <class S, class T, class Set>
Field<S> field(const char* name, Set set) {
  return {name, [set](S& s, const Napi::Value& v, const std::string& where) { set(s, fields::convert<T>(v, where)); }};
}

// A field stored as it is in member `m`.
template <class S, class T>
Field<S> field(const char* name, T S::*m) {
  return field<S, T>(name, [m](S& s, T v) { s.*m = v; });
}

// The fields of a member struct, read into `sub` of the outer struct.
template <class S, class Sub>
Fields<S> nested(Sub S::*sub, const Fields<Sub>& inner) {
  Fields<S> out;
  for (const Field<Sub>& f : inner)
    out.push_back({f.name, [sub, read = f.read](S& s, const Napi::Value& v, const std::string& where) {
                     read(s.*sub, v, where);
                   }});
  return out;
}

template <class S>
Fields<S> concat(std::initializer_list<Fields<S>> parts) {
  Fields<S> out;
  for (const Fields<S>& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

template <class S>
std::vector<std::string> keys_of(const Fields<S>& table) {
  std::vector<std::string> out;
  for (const Field<S>& f : table) out.push_back(f.name);
  return out;
}

// Reads `value` into a fresh S: throws a TypeError naming `what` and the field when the value is
// not an object, a field is missing or has the wrong type or enum string, or a key is unknown.
template <class S>
S read_struct(const Napi::Value& value, const Fields<S>& table, const std::string& what) {
  if (!value.IsObject() || value.IsArray())
    throw Napi::TypeError::New(value.Env(), what + ": expected a config object");
  Napi::Object o = value.As<Napi::Object>();
  Napi::Array given = o.GetPropertyNames();
  for (uint32_t i = 0; i < given.Length(); i++) {
    std::string key = given.Get(i).As<Napi::String>().Utf8Value();
    bool known = false;
    for (const Field<S>& f : table) known = known || f.name == key;
    if (!known) {
      std::string valid;
      for (const Field<S>& f : table) valid += (valid.empty() ? "" : ", ") + f.name;
      throw Napi::TypeError::New(value.Env(), what + ": unknown field '" + key + "'; valid: " + valid);
    }
  }
  S s{};
  for (const Field<S>& f : table) {
    Napi::Value v = o.Get(f.name);
    if (v.IsUndefined()) throw Napi::TypeError::New(value.Env(), what + ": field '" + f.name + "' is missing");
    f.read(s, v, what + ": field '" + f.name + "'");
  }
  return s;
}

// --- output ------------------------------------------------------------------------------------

template <class S>
struct OutField {
  std::string name;
  std::function<Napi::Value(Napi::Env, const S&)> write;
};

template <class S>
using OutFields = std::vector<OutField<S>>;

namespace fields {

template <class T>
Napi::Value to_js(Napi::Env env, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return Napi::Boolean::New(env, v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return Napi::String::New(env, v);
  } else if constexpr (std::is_same_v<T, std::vector<uint64_t>>) {
    Napi::Array a = Napi::Array::New(env, v.size());
    for (size_t i = 0; i < v.size(); i++) a.Set(uint32_t(i), double(v[i]));
    return a;
  } else {
    static_assert(std::is_arithmetic_v<T>, "an output is a bool, a string, a number or a number array");
    return Napi::Number::New(env, double(v));
  }
}

}  // namespace fields

template <class S, class T>
OutField<S> out(const char* name, T S::*m) {
  return {name, [m](Napi::Env env, const S& s) { return fields::to_js(env, s.*m); }};
}

// An output computed from the struct: `get(const S&)` returns a bool, string, number or array.
template <class S, class Get>
OutField<S> out_fn(const char* name, Get get) {
  return {name, [get](Napi::Env env, const S& s) { return fields::to_js(env, get(s)); }};
}

template <class S>
Napi::Object write_struct(Napi::Env env, const S& s, const OutFields<S>& table) {
  Napi::Object o = Napi::Object::New(env);
  for (const OutField<S>& f : table) o.Set(f.name, f.write(env, s));
  return o;
}

template <class S>
std::vector<std::string> keys_of(const OutFields<S>& table) {
  std::vector<std::string> out;
  for (const OutField<S>& f : table) out.push_back(f.name);
  return out;
}

}  // namespace ringbench
