// enum_names — the JS spelling of each C++ enum the addon reads: the values src/harness/knobs.ts
// offers. fields.h converts through these and names the valid ones in its errors.
#pragma once

#include "../core/storm_process.h"
#include "../core/trial.h"
#include "fields.h"

namespace ringbench {


template <> struct EnumNames<Kind> {
  static NameList<Kind> list() { return {{"ringbuf", Kind::Ringbuf}, {"perfbuf", Kind::Perfbuf}}; }
};
template <> struct EnumNames<Attach> {
  static NameList<Attach> list() {
    return {{"auto", Attach::Auto}, {"tp_btf", Attach::TpBtf}, {"raw_tp", Attach::RawTp}, {"tp", Attach::Tp}};
  }
};
template <> struct EnumNames<rb_wakeup_mode> {
  static NameList<rb_wakeup_mode> list() {
    return {{"adaptive", RB_WAKE_ADAPTIVE}, {"every-n", RB_WAKE_EVERY_N}, {"sampled", RB_WAKE_SAMPLED}};
  }
};
template <> struct EnumNames<rb_submit_mode> {
  static NameList<rb_submit_mode> list() { return {{"reserve", RB_SUBMIT_RESERVE}, {"output", RB_SUBMIT_OUTPUT}}; }
};
template <> struct EnumNames<ConsumerMode> {
  static NameList<ConsumerMode> list() {
    return {{"epoll", ConsumerMode::Epoll},
            {"busy", ConsumerMode::Busy},
            {"drain", ConsumerMode::Drain},
            {"b2b", ConsumerMode::B2B}};
  }
};
template <> struct EnumNames<rb_record_mode> {
  static NameList<rb_record_mode> list() { return {{"full", RB_RECORD_FULL}, {"minimal", RB_RECORD_MINIMAL}}; }
};
template <> struct EnumNames<ReaderKind> {
  static NameList<ReaderKind> list() { return {{"libbpf", ReaderKind::Libbpf}, {"custom", ReaderKind::Custom}}; }
};
template <> struct EnumNames<StormMode> {
  static NameList<StormMode> list() {
    return {{"vfork", StormMode::Vfork}, {"fork", StormMode::Fork}, {"exec", StormMode::Exec}};
  }
};
template <> struct EnumNames<LoadKind> {
  static NameList<LoadKind> list() { return {{"storm", LoadKind::Storm}, {"saturation", LoadKind::Saturation}}; }
};

}  // namespace ringbench
