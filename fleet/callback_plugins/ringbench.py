# ringbench — an Ansible stdout callback that prints one JSON object per line for `ringbench fleet`
# to read: a task starting, and each host's result of it (ok, failed, unreachable, skipped), with
# the last lines of a failed command's output. Nothing else goes to stdout.
from __future__ import annotations

import json
import sys

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
    name: ringbench
    type: stdout
    short_description: one JSON line per task result, for ringbench fleet
    description: one JSON line per task start and per host result, read by ringbench fleet
'''


def _tail(result, n=3):
    r = result._result
    lines = []
    for key in ('stderr', 'stdout', 'msg', 'module_stderr'):
        text = r.get(key)
        if isinstance(text, str) and text.strip():
            lines = [l for l in text.strip().splitlines() if l.strip()][-n:]
            if lines:
                break
    return ' | '.join(lines)[:600]


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'ringbench'

    def _emit(self, **fields):
        sys.stdout.write(json.dumps(fields) + '\n')
        sys.stdout.flush()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._emit(event='task', task=task.get_name())

    def v2_runner_on_ok(self, result):
        fields = dict(event='ok', host=result._host.get_name(), task=result._task.get_name())
        facts = (result._result.get('ansible_facts') or {}).get('ringbench_facts')
        if facts:
            fields['facts'] = facts
        self._emit(**fields)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._emit(event='ignored' if ignore_errors else 'failed', host=result._host.get_name(), task=result._task.get_name(), msg=_tail(result))

    def v2_runner_on_unreachable(self, result):
        self._emit(event='unreachable', host=result._host.get_name(), task=result._task.get_name(), msg=_tail(result, 1))

    def v2_runner_on_skipped(self, result):
        self._emit(event='skipped', host=result._host.get_name(), task=result._task.get_name())

    def v2_playbook_on_stats(self, stats):
        self._emit(event='end')
