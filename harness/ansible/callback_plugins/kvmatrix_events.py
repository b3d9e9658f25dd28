# -*- coding: utf-8 -*-
"""Writes one JSON line per task result to the file named by KVMATRIX_EVENTS_FILE.

kvmatrix reads these lines to time every task on every host and to show which tasks changed
(with their diffs) in an idempotence step. It is a notification callback: the normal stdout
callback keeps printing the usual Ansible output.
"""
from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: kvmatrix_events
type: notification
short_description: JSON lines of task results for kvmatrix
description:
  - Appends one JSON object per task result to the file in KVMATRIX_EVENTS_FILE.
requirements:
  - the KVMATRIX_EVENTS_FILE environment variable
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "kvmatrix_events"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        path = os.environ.get("KVMATRIX_EVENTS_FILE")
        self._out = open(path, "a", encoding="utf-8") if path else None
        self._started = {}

    def _emit(self, record):
        if self._out is None:
            return
        self._out.write(json.dumps(record, default=str) + "\n")
        self._out.flush()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started[task._uuid] = time.time()

    def v2_playbook_on_handler_task_start(self, task):
        self._started[task._uuid] = time.time()

    def _result(self, result, status):
        task = result._task
        started = self._started.get(task._uuid, time.time())
        res = result._result
        diffs = res.get("diff") if isinstance(res.get("diff"), list) else (
            [res["diff"]] if isinstance(res.get("diff"), dict) else [])
        self._emit({
            "host": result._host.get_name(),
            "task": task.get_name(),
            "action": task.action,
            "role": task._role.get_name() if task._role else None,
            "status": status,
            "changed": bool(res.get("changed", False)),
            "duration_ms": int((time.time() - started) * 1000),
            "msg": res.get("msg") if status in ("failed", "unreachable") else None,
            "diff": [self._diff_text(d) for d in diffs if d] if res.get("changed") else [],
        })

    def _diff_text(self, diff):
        try:
            return self._get_diff(diff)
        except Exception:  # noqa: BLE001 - a diff we cannot render must not break the run
            return json.dumps(diff, default=str)[:4000]

    def v2_runner_on_ok(self, result):
        self._result(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_unreachable(self, result):
        self._result(result, "unreachable")

    def v2_runner_on_skipped(self, result):
        pass

    def v2_playbook_on_stats(self, stats):
        for host in sorted(stats.processed.keys()):
            summary = stats.summarize(host)
            self._emit({"host": host, "recap": summary})
        if self._out is not None:
            self._out.close()
            self._out = None
