/** Status-bar wording from the client's state. */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import { describeSandbox, parseSandboxStatus, statusView } from '../src/status';

const sandbox = { engine: 'embedded', layers: ['rlimits', 'netns', 'seccomp'], platform: 'linux' };

test('running and idle shows the engine and the active layers', () => {
  const view = statusView({ server: 'running', busy: 0, sandbox });
  assert.equal(view.text, '$(beaker) synthls: embedded');
  assert.match(view.tooltip, /3 sandbox layers — rlimits, netns, seccomp/);
  assert.match(view.tooltip, /Idle/);
});

test('busy shows a spinner and the number of requests in flight', () => {
  const view = statusView({ server: 'running', busy: 2, sandbox });
  assert.equal(view.text, '$(sync~spin) synthls: embedded · 2 running');
  assert.match(view.tooltip, /2 request\(s\) in flight/);
});

test('before the sandbox status arrives the engine is unknown', () => {
  assert.equal(statusView({ server: 'running', busy: 0 }).text, '$(beaker) synthls: …');
});

test('a failed start is shown with its reason', () => {
  const view = statusView({ server: 'failed', busy: 0, error: "'synthls' was not found" });
  assert.equal(view.text, '$(error) synthls');
  assert.match(view.tooltip, /'synthls' was not found/);
});

test('no layers is said plainly', () => {
  const bare = { engine: 'openai', layers: [], platform: 'darwin' };
  assert.match(statusView({ server: 'running', busy: 0, sandbox: bare }).tooltip, /no sandbox layers/);
  assert.equal(describeSandbox(bare), 'synthls: engine openai; sandbox layers: none (darwin)');
});

test('sandbox status results are validated', () => {
  assert.deepEqual(parseSandboxStatus(sandbox), sandbox);
  assert.deepEqual(parseSandboxStatus({ engine: 'x', layers: ['a', 3] }), { engine: 'x', layers: ['a'], platform: 'unknown' });
  assert.equal(parseSandboxStatus({ engine: 'x' }), undefined);
  assert.equal(parseSandboxStatus('embedded'), undefined);
  assert.equal(parseSandboxStatus(null), undefined);
});
