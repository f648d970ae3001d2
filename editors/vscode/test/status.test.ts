/** Status-bar wording from the client's state. */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import { REFRESH_BUSY_MS, REFRESH_IDLE_MS, describeSandbox, engineLabel, parseSandboxStatus, refreshDelay, statusView } from '../src/status';

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

const model = (state: string, detail = '') => ({ name: 'qwen2.5-coder-1.5b-instruct', state, detail });
const auto = (engineInUse: string, why: string, state: string, detail = '') => ({
  engine: 'auto',
  engineInUse,
  why,
  model: model(state, detail),
  layers: ['rlimits'],
  platform: 'Linux-6.1-x86_64',
});

test('auto on the local model shows the model state in the item', () => {
  const ready = auto('local', 'the local model is installed (qwen2.5-coder-1.5b-instruct)', 'ready', 'stops after 540 s more without a request');
  const view = statusView({ server: 'running', busy: 0, sandbox: parseSandboxStatus(ready) });
  assert.equal(view.text, '$(beaker) synthls: local (ready)');
  assert.match(view.tooltip, /^Engine: auto → local \(the local model is installed \(qwen2\.5-coder-1\.5b-instruct\)\)$/m);
  assert.match(view.tooltip, /^Local model qwen2\.5-coder-1\.5b-instruct: ready \(stops after 540 s more without a request\)$/m);
  assert.match(view.tooltip, /1 sandbox layer — rlimits/);
  const starting = parseSandboxStatus(auto('local', 'the local model is installed', 'starting', 'loading'))!;
  assert.equal(statusView({ server: 'running', busy: 1, sandbox: starting }).text, '$(sync~spin) synthls: local (starting) · 1 running');
  const stopped = parseSandboxStatus(auto('local', 'x', 'stopped', 'starts on the first request'))!;
  assert.equal(engineLabel(stopped), 'local (stopped)');
});

test('auto on the embedded search shows the engine alone and the model state in the tooltip', () => {
  const why = 'no model: openai.baseUrl is not set and the local model is not installed (pip install "synthls[local]")';
  const sandbox = parseSandboxStatus(auto('embedded', why, 'not installed', 'pip install "synthls[local]"'))!;
  const view = statusView({ server: 'running', busy: 0, sandbox });
  assert.equal(view.text, '$(beaker) synthls: embedded');
  assert.ok(view.tooltip.includes(`Engine: auto → embedded (${why})`), view.tooltip);
  assert.ok(view.tooltip.includes('Local model qwen2.5-coder-1.5b-instruct: not installed (pip install "synthls[local]")'), view.tooltip);
  assert.equal(
    describeSandbox(sandbox),
    `synthls: engine auto → embedded (${why}); sandbox layers: rlimits (Linux-6.1-x86_64); local model qwen2.5-coder-1.5b-instruct: not installed (pip install "synthls[local]")`,
  );
});

test('an engine set in the settings is named once, with the reason', () => {
  const sandbox = parseSandboxStatus({ engine: 'openai', engineInUse: 'openai', why: 'set in the settings', layers: [], platform: 'linux', model: model('stopped') })!;
  assert.equal(statusView({ server: 'running', busy: 0, sandbox }).text, '$(beaker) synthls: openai');
  assert.equal(describeSandbox(sandbox), 'synthls: engine openai (set in the settings); sandbox layers: none (linux); local model qwen2.5-coder-1.5b-instruct: stopped');
});

test('malformed engine and model fields are ignored', () => {
  const base = { engine: 'auto', layers: ['rlimits'], platform: 'linux' };
  for (const bad of [
    { engineInUse: 3, why: 'x', model: 'ready' },
    { engineInUse: '', model: null },
    { engineInUse: ['local'], model: [] },
    { model: { state: 'exploded', name: 'm' } },
    { model: { state: 7 } },
    { why: 'a reason without an engine' },
  ]) {
    assert.deepEqual(parseSandboxStatus({ ...base, ...bad }), base, JSON.stringify(bad));
  }
  // a model with a known state but odd name/detail keeps the state
  assert.deepEqual(parseSandboxStatus({ ...base, engineInUse: 'local', why: 5, model: { state: 'ready', name: 1, detail: {} } }), {
    ...base,
    engineInUse: 'local',
    model: { name: 'local model', state: 'ready', detail: '' },
  });
  // a server that predates engineInUse: the item shows the setting
  assert.equal(statusView({ server: 'running', busy: 0, sandbox: parseSandboxStatus(base) }).text, '$(beaker) synthls: auto');
});

test('the status is asked again soon while requests run or the model starts, else every 30 s', () => {
  const ready = parseSandboxStatus(auto('local', 'x', 'ready'));
  const starting = parseSandboxStatus(auto('local', 'x', 'starting'));
  assert.equal(refreshDelay({ server: 'running', busy: 0, sandbox: ready }), REFRESH_IDLE_MS);
  assert.equal(REFRESH_IDLE_MS, 30_000);
  assert.equal(refreshDelay({ server: 'running', busy: 1, sandbox: ready }), REFRESH_BUSY_MS);
  assert.equal(refreshDelay({ server: 'running', busy: 0, sandbox: starting }), REFRESH_BUSY_MS);
  assert.equal(refreshDelay({ server: 'running', busy: 0 }), REFRESH_IDLE_MS);
  assert.ok(REFRESH_BUSY_MS < REFRESH_IDLE_MS);
});
