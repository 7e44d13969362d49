// probe_btf — what the kernel's own BTF says about the ring buffer, for the capability probe
// (probe.h): the lock type of `struct bpf_ringbuf` (raw_spinlock_t up to 6.x, rqspinlock_t once
// the resilient queued spinlock replaced it) and whether the uapi enumerator BPF_F_RB_OVERWRITE is
// known to the kernel's BTF (a hint beside the map creation attempt in probe.cc, which decides).
//
// Items: btf.ringbuf_lock (reason = the member's type name), btf.rb_overwrite_enum.
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "probe.h"

namespace ringbench {
namespace {

// "raw_spinlock_t", "struct qspinlock", ...: the written name of a BTF type, qualifiers skipped.
std::string type_name(const btf* btf, __u32 id) {
  for (int depth = 0; depth < 8; depth++) {
    const btf_type* t = btf__type_by_id(btf, id);
    if (!t) return "?";
    const char* name = btf__name_by_offset(btf, t->name_off);
    if (btf_is_const(t) || btf_is_volatile(t) || btf_is_restrict(t)) {
      id = t->type;
      continue;
    }
    std::string n = name ? name : "";
    if (btf_is_struct(t)) return "struct " + n;
    if (btf_is_union(t)) return "union " + n;
    return n.empty() ? "(anonymous)" : n;
  }
  return "?";
}

void probe_ringbuf_lock(std::vector<ProbeItem>& items, const btf* btf) {
  __s32 id = btf__find_by_name_kind(btf, "bpf_ringbuf", BTF_KIND_STRUCT);
  if (id <= 0) {
    items.push_back({"btf.ringbuf_lock", false, "vmlinux BTF has no struct bpf_ringbuf"});
    return;
  }
  const btf_type* t = btf__type_by_id(btf, id);
  const btf_member* m = btf_members(t);
  for (int i = 0; i < btf_vlen(t); i++, m++) {
    const char* name = btf__name_by_offset(btf, m->name_off);
    if (name && strcmp(name, "spinlock") == 0) {
      items.push_back({"btf.ringbuf_lock", true, type_name(btf, m->type)});
      return;
    }
  }
  items.push_back({"btf.ringbuf_lock", false, "struct bpf_ringbuf has no member named spinlock"});
}

void probe_overwrite_enum(std::vector<ProbeItem>& items, const btf* btf) {
  __u32 count = btf__type_cnt(btf);
  for (__u32 id = 1; id < count; id++) {
    const btf_type* t = btf__type_by_id(btf, id);
    if (!btf_is_enum(t)) continue;
    const struct btf_enum* e = btf_enum(t);
    for (int i = 0; i < btf_vlen(t); i++, e++) {
      const char* name = btf__name_by_offset(btf, e->name_off);
      if (name && strcmp(name, "BPF_F_RB_OVERWRITE") == 0) {
        items.push_back({"btf.rb_overwrite_enum", true,
                         "vmlinux BTF has enumerator BPF_F_RB_OVERWRITE = " + std::to_string(e->val)});
        return;
      }
    }
  }
  items.push_back({"btf.rb_overwrite_enum", false, "vmlinux BTF has no enumerator BPF_F_RB_OVERWRITE"});
}

}  // namespace

void probe_btf_facts(std::vector<ProbeItem>& items) {
  errno = 0;
  btf* vmlinux = btf__load_vmlinux_btf();
  if (!vmlinux) {
    std::string why = std::string("cannot load vmlinux BTF: ") + strerror(errno ? errno : ENOENT);
    items.push_back({"btf.ringbuf_lock", false, why});
    items.push_back({"btf.rb_overwrite_enum", false, why});
    return;
  }
  probe_ringbuf_lock(items, vmlinux);
  probe_overwrite_enum(items, vmlinux);
  btf__free(vmlinux);
}

}  // namespace ringbench
